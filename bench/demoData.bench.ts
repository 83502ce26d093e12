/**
 * `nonadj demo --data-only` (the demo's subjects and prior: 44 synthetic subjects of the varied cohort from Colin27 +
 * AAL at 2 mm) with `--jobs 1` (the subjects one after the other on the main thread) against `--jobs 2` (two worker
 * threads), as whole processes run alternately in the same benchmark, which one goes first swapping each pair
 * (issue 15). Run `npm run build` first: it times the built CLI as users run it. Both runs write the same files
 * (checked byte for byte). `--smoke`: the `--quick` demo's 8 subjects, one pair.
 *
 * Besides wall and CPU time, each run's threads are sampled from `/proc/<pid>/task/<tid>/stat` (Linux; every
 * 100 ms): the CPU time of the busiest thread is the length of the critical path, what the wall time would be on an
 * idle machine with a core per thread. On a loaded machine the wall-time ratio says little (a run gets the cores'
 * leftovers), the critical path still says what the threads split.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { machineLine, median, SMOKE } from './machine.js';
import { REPORT } from './processRun.js';

const pairs = SMOKE ? 1 : 3;
const TICKS_PER_S = 100;

/** One whole-process run: wall, CPU (the process's own figure at exit), peak MB, and the busiest thread's CPU. */
interface SampledRun {
  wallMs: number;
  cpuMs: number;
  peakMb: number;
  busiestThreadMs: number;
  threads: number;
}

/** Run `node <args>`, sampling its threads' CPU times until it exits. */
function sampledRun(args: readonly string[]): Promise<SampledRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--import', REPORT, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const ticks = new Map<string, number>();
    const sample = () => {
      let tids: string[];
      try {
        tids = readdirSync(`/proc/${child.pid}/task`);
      } catch {
        return;
      }
      for (const tid of tids) {
        try {
          const stat = readFileSync(`/proc/${child.pid}/task/${tid}/stat`, 'utf8');
          // Fields after the command name: state is field 3, utime 14, stime 15.
          const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          ticks.set(tid, Math.max(ticks.get(tid) ?? 0, Number(f[11]) + Number(f[12])));
        } catch {
          // The thread ended between the listing and the read.
        }
      }
    };
    const timer = setInterval(sample, 100);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(timer);
      const wallMs = performance.now() - t0;
      if (code !== 0) return reject(new Error(`node ${args.join(' ')} exited with ${code}: ${stderr.slice(-2000)}`));
      const m = /nonadj-bench cpu ([\d.]+) maxrss (\d+)/.exec(stderr);
      if (!m) return reject(new Error(`node ${args.join(' ')} did not report its resources`));
      resolve({ wallMs, cpuMs: Number(m[1]), peakMb: Number(m[2]) / 1024, busiestThreadMs: (Math.max(...ticks.values()) / TICKS_PER_S) * 1000, threads: ticks.size });
    });
  });
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'nonadj-demo-data-bench-'));
const loads: number[] = [];
const run = (jobs: number, i: number) => {
  loads.push(os.loadavg()[0]);
  return sampledRun(['bin/nonadj.js', 'demo', '--data-only', ...(SMOKE ? ['--quick'] : []), '--out', path.join(dir, `jobs-${jobs}-${i}`), '--jobs', String(jobs)]);
};
const one: SampledRun[] = [];
const two: SampledRun[] = [];
for (let i = 0; i < pairs; i++) {
  if (i % 2 === 0) {
    one.push(await run(1, i));
    two.push(await run(2, i));
  } else {
    two.push(await run(2, i));
    one.push(await run(1, i));
  }
}

/** Every file under `root`, relative path → bytes (links: their targets). */
async function filesOf(root: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name);
    if (entry.isFile()) out.set(path.relative(root, file), await readFile(file));
    else if (entry.isSymbolicLink()) out.set(path.relative(root, file), Buffer.from(await readlink(file)));
  }
  return out;
}
const [a, b] = await Promise.all([filesOf(path.join(dir, 'jobs-1-0', 'data')), filesOf(path.join(dir, 'jobs-2-0', 'data'))]);
if (a.size === 0 || a.size !== b.size) throw new Error(`demoData: ${a.size} files with --jobs 1, ${b.size} with --jobs 2`);
for (const [name, bytes] of a) if (!b.get(name)?.equals(bytes)) throw new Error(`demoData: ${name} differs between --jobs 1 and --jobs 2`);
await rm(dir, { recursive: true, force: true });

const s = (runs: SampledRun[], key: 'wallMs' | 'cpuMs' | 'busiestThreadMs') => (median(runs.map((r) => r[key])) / 1000).toFixed(1);
const ratio = (key: 'wallMs' | 'busiestThreadMs') => median(one.map((r, i) => r[key] / two[i][key])).toFixed(2);
console.log(`Machine: ${machineLine()}; load average (1 min) at the starts of the runs ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}; ${SMOKE ? 'demo --quick' : 'the default demo'}'s subjects; medians of ${pairs} alternating pairs\n`);
console.log('| nonadj demo --data-only (whole process) | wall, s | CPU, s | busiest thread CPU, s | threads | peak MB |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const [what, runs] of [['--jobs 1', one], ['--jobs 2', two]] as const) {
  console.log(`| ${what} | ${s(runs, 'wallMs')} | ${s(runs, 'cpuMs')} | ${s(runs, 'busiestThreadMs')} | ${median(runs.map((r) => r.threads))} | ${median(runs.map((r) => r.peakMb)).toFixed(0)} |`);
}
console.log(`\n--jobs 1 over --jobs 2 (medians of the per-pair ratios): wall time **${ratio('wallMs')}×**, busiest thread's CPU time (the wall time on an idle machine) **${ratio('busiestThreadMs')}×**; the ${a.size} files of data/ are byte-identical.\n`);
