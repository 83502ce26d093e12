import { Command, Option } from 'commander';
import { spawn, type ChildProcess } from 'node:child_process';
import os, { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { integerInRangeOption } from './options.js';
import { renderDemoSummary } from '../demo/renderDemoSummary.js';

/** Parsed flags of `nonadj demo`. */
interface DemoFlags {
  out: string;
  quick?: boolean;
  full?: boolean;
  labels: 'regions' | 'full';
  atlas: 'aal' | 'inia19';
  seed: number;
  jobs: number;
  dataOnly?: boolean;
  cohort?: 'warp' | 'varied';
  replicates?: number;
  resume?: boolean;
  force?: boolean;
}

/** `nonadj demo`: the NonAdjLoss experiment end to end on the bundled brain atlases, with a report. */
export function makeDemoCommand(): Command {
  return new Command('demo')
    .summary('run the NonAdjLoss experiment on real brain data and write a report')
    .description(
      [
        'Make synthetic subjects from a bundled atlas (Colin27 T1 + AAL, or INIA19 + NeuroMaps), fine-tune the shipped',
        'baseline (demo/baseline/) with every arm once per seed: λ = 0 (the control), λ = 0.1/0.3/1/3/10 × the reference',
        'heuristic, λ auto, semi-supervised with unlabelled images of an unseen scanner and of the training scanner;',
        'score every model (and its largest-component and repaired versions) on held-out subjects of both scanners, choose',
        'the headline λ on validation, compare every row with the control (95 % bootstrap intervals) and write report.json,',
        'report.md and report.html to --out. Every run is a `nonadj train` command listed in the report.',
        'Default: a single-seed preview; --replicates N: the experiment (N seeds; hours on 2 cores); --quick: minutes (tiny,',
        'for testing); --full: 1 mm, retrains the baseline (days).',
      ].join('\n'),
    )
    .option('--out <dir>', 'output folder (must be empty unless --resume or --force)', 'nonadj-demo')
    .option('--quick', 'a tiny run of the whole pipeline (minutes)')
    .option('--full', '1 mm subjects, baseline retrained to convergence, longer fine-tunes')
    .addOption(new Option('--labels <kind>', 'coarse regions (AAL: 25 by lobe and hemisphere; INIA19: 24 contiguous groups; see demo/README.md) or every structure').choices(['regions', 'full']).default('regions'))
    .addOption(new Option('--atlas <name>', 'bundled atlas').choices(['aal', 'inia19']).default('aal'))
    .option('--seed <n>', 'seed of the subjects and of every run', integerInRangeOption('--seed', 0, 1e6, '[0, 1e6]'), 1)
    .option('--jobs <n>', 'training runs, and synthetic subjects made, at once (default: the number of cores); each run gets cores / jobs worker threads (--jobs 1: one run at a time on all the cores, the subjects one after the other)', integerInRangeOption('--jobs', 1, 64), availableParallelism())
    .option('--data-only', 'write the subjects and the prior (--out/data) and stop: the data the shipped baseline was trained on')
    .option('--replicates <n>', 'the replicated experiment: every arm with seeds 1…n (2–20), 4 + 4 validation and 12 + 12 test subjects, intervals over seeds and subjects (hours on 2 cores)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 2 || n > 20) throw new Error(`--replicates ${v}: expected an integer in [2, 20]`);
      return n;
    })
    .addOption(new Option('--cohort <anatomy>', 'subjects: smooth warps of the atlas (warp), or with per-subject ventricles, structure volumes and cortical thickness (varied; default for AAL)').choices(['warp', 'varied']))
    .option('--resume', 'continue the interrupted demo in --out')
    .option('--force', 'start over in a non-empty --out (removes only the demo\'s own files there)')
    .action(async (flags: DemoFlags) => {
      if (flags.quick && flags.full) throw new Error('--quick and --full exclude each other');
      if (flags.replicates !== undefined && (flags.quick || flags.full)) throw new Error('--replicates runs the replicated experiment: give it without --quick or --full');
      // Heavy modules (TensorFlow.js through the training code) load only when the demo runs.
      const { runDemo } = await import('../demo/runDemo.js');
      const started = Date.now();
      const stamp = () => `[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s]`;
      // Ctrl-C: the trainings run in their own process groups (so the terminal's signal reaches only this process)
      // and each gets exactly one SIGINT from here: it finishes its step, writes its checkpoint and exits 130; no
      // new run starts. A second Ctrl-C stops everything at once.
      const children = new Set<ChildProcess>();
      const controller = new AbortController();
      const onSigint = () => {
        if (controller.signal.aborted) {
          for (const child of children) child.kill('SIGKILL');
          process.exit(130);
        }
        controller.abort();
        process.stderr.write(`\n${stamp()} demo: interrupting: the running trainings write their checkpoints (Ctrl-C again to quit at once)\n`);
        for (const child of children) child.kill('SIGINT');
      };
      // Being detached, the trainings would outlive this process if it were terminated: take them along.
      const onTerminate = (signal: NodeJS.Signals) => {
        for (const child of children) child.kill('SIGTERM');
        process.exit(128 + (os.constants.signals[signal] ?? 0));
      };
      process.on('SIGINT', onSigint);
      process.on('SIGTERM', onTerminate);
      process.on('SIGHUP', onTerminate);
      let result: Awaited<ReturnType<typeof runDemo>>;
      try {
        result = await runDemo({
          out: flags.out,
          root: fileURLToPath(new URL('../../', import.meta.url)),
          mode: flags.quick ? 'quick' : flags.full ? 'full' : flags.replicates !== undefined ? 'replicated' : 'default',
          replicates: flags.replicates,
          cohort: flags.cohort,
          atlas: flags.atlas,
          labels: flags.labels,
          seed: flags.seed,
          resume: flags.resume,
          force: flags.force,
          dataOnly: flags.dataOnly,
          concurrency: flags.jobs,
          // The cores are shared out, never oversubscribed: jobs × workers ≤ cores.
          workers: Math.max(1, Math.floor(availableParallelism() / flags.jobs)),
          // Each run is the `nonadj train` binary in its own process (one wasm backend per core): what runs is
          // exactly the command the report prints. Its output goes to stderr line by line, tagged with the run's name,
          // so the demo's stdout is the final table alone.
          train: (args, name) => runChild(['train', ...args], children, (line) => process.stderr.write(`${stamp()} ${name}: ${line}\n`)),
          onProgress: (line) => process.stderr.write(`${stamp()} ${line}\n`),
          signal: controller.signal,
        });
      } catch (error) {
        if (!controller.signal.aborted) throw error;
        const again = [
          '--resume', '--out', flags.out,
          ...(flags.quick ? ['--quick'] : flags.full ? ['--full'] : flags.replicates !== undefined ? ['--replicates', String(flags.replicates)] : []),
          ...(flags.cohort ? ['--cohort', flags.cohort] : []),
          ...(flags.atlas !== 'aal' ? ['--atlas', flags.atlas] : []),
          ...(flags.labels !== 'regions' ? ['--labels', flags.labels] : []),
          ...(flags.seed !== 1 ? ['--seed', String(flags.seed)] : []),
        ];
        process.stderr.write(`${stamp()} demo: interrupted; continue with: nonadj demo ${again.join(' ')}\n`);
        process.exitCode = 130;
        return;
      } finally {
        process.off('SIGINT', onSigint);
        process.off('SIGTERM', onTerminate);
        process.off('SIGHUP', onTerminate);
      }
      if (result.report === null) {
        process.stdout.write(`data: ${result.dataDir} (continue the demo with --resume)\n`);
        process.exitCode = 0;
        return;
      }
      const { report, files } = result;
      process.stdout.write(`report: ${files.markdown}, ${files.html}, ${files.json} (${(report.seconds / 60).toFixed(1)} min)\n\n${renderDemoSummary(report)}`);
      process.exitCode = 0;
    });
}

/**
 * Run this package's CLI (`bin/nonadj.js`) with `args` in a child process of its own process group (a Ctrl-C in the
 * terminal does not reach it: the caller forwards one), listed in `children` while it runs, passing each line it
 * prints (stdout and stderr) to `onLine`; resolves to its exit code (128 + n when killed by signal n, as a shell
 * reports it).
 */
function runChild(args: string[], children: Set<ChildProcess>, onLine: (line: string) => void): Promise<number> {
  const bin = fileURLToPath(new URL('../../bin/nonadj.js', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    children.add(child);
    child.on('close', () => children.delete(child));
    for (const stream of [child.stdout, child.stderr]) {
      // A progress bar redraws with \r: keep only complete lines (the child sees no TTY, so it prints plain lines).
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => line.trim() && onLine(line));
    }
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? 128 + (signal ? (os.constants.signals[signal] ?? 0) : 0)));
  });
}
