/**
 * `nonadj check` over a cohort: 200 label maps at 1 mm (the bundled AAL, 181×217×181, each with 0–12 seeded islands
 * of forbidden labels pasted in), checked by the built CLI as a user runs it (whole process: start-up, discovery,
 * reading, checking, the JSON document) with `--jobs 1` (the baseline, measured in the same run) and `--jobs 2`, and
 * once more with `--report` (thumbnails and the HTML page). Peak resident memory from GNU time. `--smoke`: 6 maps.
 *
 * Run `npm run build` first (`npm run bench -- check` does).
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AdjacencyPrior } from '../src/prior/AdjacencyPrior.js';
import { countAdjacency } from '../src/prior/countAdjacency.js';
import { pasteIslands } from '../src/synth/pasteIslands.js';
import { readNiftiFile, writeNiftiFile } from '../src/volume/niftiFile.js';
import { machineLine, median, SMOKE } from './machine.js';

const nCases = SMOKE ? 6 : 200;
// One whole run per setting: a run over 200 maps lasts minutes on the shared 2-core machine.
const repeats = 1;
const dir = await mkdtemp(path.join(os.tmpdir(), 'nonadj-bench-check-'));
try {
  const aal = await readNiftiFile('data/aal.nii.gz', { expect: '3d' });
  const prior = AdjacencyPrior.fromCounts(countAdjacency(aal.data, aal.dims, { numLabels: 117 }).counts);
  const priorFile = path.join(dir, 'graph.json');
  await writeFile(priorFile, JSON.stringify(prior.toJson()));
  const cases = path.join(dir, 'cases');
  await mkdir(cases);
  const hosts = Array.from({ length: 116 }, (_, i) => i + 1);
  let islands = 0;
  // Two islands of one case may form the same pair (same label in the same host): the check counts pairs.
  let pastedPairs = 0;
  for (let c = 0; c < nCases; c++) {
    const count = c % 13; // 0 … 12 islands: about one case in 13 is clean
    const pasted = count === 0 ? null : pasteIslands(aal, { count, prior, seed: 1000 + c, hosts });
    const volume = pasted?.volume ?? aal;
    islands += count;
    pastedPairs += new Set(pasted?.islands.map((i) => `${Math.min(i.label, i.host)}-${Math.max(i.label, i.host)}`)).size;
    await writeNiftiFile(path.join(cases, `case-${String(c).padStart(3, '0')}.nii.gz`), volume, { kind: 'labels' });
  }

  /** One whole `nonadj check` process: wall time (ms), peak RSS (MB, GNU time) and stdout. */
  const run = (extra: string[]) => {
    const t0 = performance.now();
    const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, 'bin/nonadj.js', 'check', cases, '--prior', priorFile, '--json', '-q', '--no-fail', ...extra], {
      encoding: 'utf8',
      maxBuffer: 1 << 30,
    });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`check bench: nonadj check failed: ${r.stderr}`);
    return { ms, peakMb: Number(r.stderr.trim().split('\n').at(-1)) / 1024, stdout: r.stdout };
  };
  const series = (extra: string[]) => Array.from({ length: repeats }, () => run(extra));
  const one = series(['--jobs', '1']);
  const two = series(['--jobs', '2']);
  const report = run(['--jobs', '2', '--report', path.join(dir, 'qc.html')]);
  const doc = JSON.parse(one[0].stdout) as { summary: { flagged: number }; cases: Array<{ forbiddenPairs: number }> };
  const pairs = doc.cases.reduce((s, c) => s + c.forbiddenPairs, 0);

  const t1 = median(one.map((r) => r.ms));
  const t2 = median(two.map((r) => r.ms));
  const peak = (rs: Array<{ peakMb: number }>) => Math.max(...rs.map((r) => r.peakMb)).toFixed(0);
  console.log(`Machine: ${machineLine()}; ${nCases} label maps ${aal.dims.join('×')} (AAL 1 mm, ${islands} pasted islands, ${doc.summary.flagged} flagged), ${repeats} whole CLI run per setting\n`);
  console.log('| nonadj check --json | s | per case (ms) | speed-up vs --jobs 1 | peak RSS (MB) |');
  console.log('|---|---:|---:|---:|---:|');
  console.log(`| --jobs 1 (baseline) | ${(t1 / 1000).toFixed(1)} | ${(t1 / nCases).toFixed(0)} | 1.00× | ${peak(one)} |`);
  console.log(`| --jobs 2 | ${(t2 / 1000).toFixed(1)} | ${(t2 / nCases).toFixed(0)} | ${(t1 / t2).toFixed(2)}× | ${peak(two)} |`);
  console.log(`| --jobs 2 --report qc.html (one run) | ${(report.ms / 1000).toFixed(1)} | ${(report.ms / nCases).toFixed(0)} | ${(t1 / report.ms).toFixed(2)}× | ${peak([report])} |`);
  console.log(`\n${pairs} forbidden pairs found, ${pastedPairs} pasted (${islands} islands). Load average at the end: ${os.loadavg().map((x) => x.toFixed(1)).join(', ')} (the machine is shared).\n`);
  // Checked after printing, so that the figures of a long run are never lost: the same document whatever the number
  // of workers, and exactly the pasted pairs, or the comparison means nothing.
  if (two.some((r) => r.stdout !== one[0].stdout)) throw new Error('check bench: --jobs 2 printed another document than --jobs 1');
  if (pairs !== pastedPairs) throw new Error(`check bench: ${pairs} forbidden pairs found, ${pastedPairs} pasted`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
