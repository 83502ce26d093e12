/**
 * `nonadj demo --data-only` (the demo's subjects and prior: 44 synthetic subjects of the varied cohort from Colin27 +
 * AAL at 2 mm) with `--jobs 1` (the subjects one after the other on the main thread) against `--jobs 2` (two worker
 * threads), as whole processes run alternately in the same benchmark, which one goes first swapping each pair
 * (issue 15). Run `npm run build` first: it times the built CLI as users run it. Both runs write the same files
 * (checked byte for byte). `--smoke`: the `--quick` demo's 8 subjects, one pair.
 */
import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { machineLine, median, SMOKE } from './machine.js';
import { processRun, type ProcessRun } from './processRun.js';

const pairs = SMOKE ? 1 : 3;
const dir = await mkdtemp(path.join(os.tmpdir(), 'nonadj-demo-data-'));
const loads: number[] = [];
const run = (jobs: number, i: number) => {
  loads.push(os.loadavg()[0]);
  return processRun(['bin/nonadj.js', 'demo', '--data-only', ...(SMOKE ? ['--quick'] : []), '--out', path.join(dir, `jobs-${jobs}-${i}`), '--jobs', String(jobs)]);
};
const one: ProcessRun[] = [];
const two: ProcessRun[] = [];
for (let i = 0; i < pairs; i++) {
  if (i % 2 === 0) {
    one.push(run(1, i));
    two.push(run(2, i));
  } else {
    two.push(run(2, i));
    one.push(run(1, i));
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

const s = (runs: ProcessRun[], key: 'wallMs' | 'cpuMs') => (median(runs.map((r) => r[key])) / 1000).toFixed(1);
const speedUp = median(one.map((r, i) => r.wallMs / two[i].wallMs));
console.log(`Machine: ${machineLine()}; load average (1 min) at the starts of the runs ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}; ${SMOKE ? 'demo --quick' : 'the default demo'}'s subjects; medians of ${pairs} alternating pairs\n`);
console.log('| nonadj demo --data-only (whole process) | wall, s | CPU, s | peak MB |');
console.log('|---|---:|---:|---:|');
for (const [what, runs] of [['--jobs 1', one], ['--jobs 2', two]] as const) {
  console.log(`| ${what} | ${s(runs, 'wallMs')} | ${s(runs, 'cpuMs')} | ${median(runs.map((r) => r.peakMb)).toFixed(0)} |`);
}
console.log(`\nSpeed-up of --jobs 2 over --jobs 1 (median of the per-pair wall-time ratios): **${speedUp.toFixed(2)}×**; the ${a.size} files of data/ are byte-identical.\n`);
