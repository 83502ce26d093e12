/**
 * `nonadj segment` in batch mode over 2 mm brains with `--jobs 1` (the calling thread) against `--jobs 2` (two
 * worker threads, each with its own wasm backend and copy of the model), as whole processes run alternately in the
 * same benchmark (issue 15 item 3). The model is the demo's shipped baseline (2.5D ModSegNet, 26 classes); the
 * images are synthetic subjects of the bundled Colin27 + AAL at 2 mm (90×108×90), as the demo makes them. Run
 * `npm run build` first: it times the built CLI as users run it. Both runs write the same files (checked).
 */
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeSyntheticSubject } from '../src/synth/makeSyntheticSubject.js';
import { readNiftiFile, writeNiftiFile } from '../src/volume/niftiFile.js';
import { machineLine, median, SMOKE } from './machine.js';
import { processRun, type ProcessRun } from './processRun.js';

const subjects = SMOKE ? 2 : 4;
const pairs = SMOKE ? 1 : 3;
const dir = await mkdtemp(path.join(os.tmpdir(), 'nonadj-segment-jobs-'));
const images = path.join(dir, 'images');
await mkdir(images);
const [t1, labels] = await Promise.all([readNiftiFile('data/ch2.nii.gz'), readNiftiFile('data/aal.nii.gz')]);
for (let i = 0; i < subjects; i++) {
  const subject = makeSyntheticSubject(t1, labels, { seed: 7000 + i, downsample: 2 });
  await writeNiftiFile(path.join(images, `s${i}.nii.gz`), subject.image, { kind: 'image' });
}
const run = (jobs: number) => processRun(['bin/nonadj.js', 'segment', 'demo/baseline/model.json', images, path.join(dir, `jobs-${jobs}`), '--jobs', String(jobs), '-q']);
const one: ProcessRun[] = [];
const two: ProcessRun[] = [];
for (let i = 0; i < pairs; i++) {
  one.push(run(1));
  two.push(run(2));
}
for (const name of await readdir(path.join(dir, 'jobs-1'))) {
  const [a, b] = await Promise.all([readFile(path.join(dir, 'jobs-1', name)), readFile(path.join(dir, 'jobs-2', name))]);
  if (!a.equals(b)) throw new Error(`segmentJobs: ${name} differs between --jobs 1 and --jobs 2`);
}
await rm(dir, { recursive: true, force: true });

const ms = (runs: ProcessRun[], key: 'wallMs' | 'cpuMs') => median(runs.map((r) => r[key]));
const speedUp = median(one.map((r, i) => r.wallMs / two[i].wallMs));
console.log(`Machine: ${machineLine()}; load average ${os.loadavg()[0].toFixed(1)}; ${subjects} subjects (2 mm, 90×108×90), demo baseline model; medians of ${pairs} alternating runs\n`);
console.log('| nonadj segment <folder> (whole process) | wall, s | CPU, s | peak MB | per image, s |');
console.log('|---|---:|---:|---:|---:|');
for (const [what, runs] of [['--jobs 1', one], ['--jobs 2', two]] as const) {
  console.log(`| ${what} | ${(ms(runs, 'wallMs') / 1000).toFixed(1)} | ${(ms(runs, 'cpuMs') / 1000).toFixed(1)} | ${median(runs.map((r) => r.peakMb)).toFixed(0)} | ${(ms(runs, 'wallMs') / 1000 / subjects).toFixed(2)} |`);
}
console.log(`\nSpeed-up of --jobs 2 over --jobs 1 (median of the per-pair wall-time ratios): **${speedUp.toFixed(2)}×**; the label maps are byte-identical.\n`);
