/**
 * Label-adjacency counting and `extract` on the bundled AAL atlas (181×217×181, 117 labels, 26-connectivity).
 *
 * Run `npm run build` first: the worker-thread figures run the built CLI.
 *
 * Then large label codes (issue 16): `extract --contiguous` as a whole process (time and peak memory) on FreeSurfer-sized
 * codes against the same anatomy with AAL's codes, at the 48×56×48 (codes up to 12 175; quoted then: 9.6 s,
 * 3.5 GB) and at 1 mm (190 labels, codes up to 14 175).
 *
 * Baseline run alongside: a naive single pass (every voxel, every forward offset, bounds checks per neighbour),
 * which is what a direct port of the reference's loop does. The published Python script (one-hot + 3D
 * convolution in PyTorch) was measured at 90 s for this volume on this machine kind (issue #2; not rerun here).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { countAdjacency } from '../src/prior/countAdjacency.js';
import { forwardOffsets } from '../src/prior/neighbourhood.js';
import { makeVolume } from '../src/volume/Volume.js';
import { readNiftiFile, writeNiftiFile } from '../src/volume/niftiFile.js';
import { relabelToA2009s } from '../src/synth/relabelToA2009s.js';
import { machineLine, median, SMOKE, timeRuns } from './machine.js';
import { processRun, type ProcessRun } from './processRun.js';

/** The baseline: one pass over voxels, 13 forward offsets each, explicit bounds checks. */
function naiveCount(labels: ArrayLike<number>, dims: readonly [number, number, number], L: number): Float64Array {
  const [nx, ny, nz] = dims;
  const half = new Float64Array(L * L);
  const offsets = forwardOffsets();
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        const a = labels[i + nx * (j + ny * k)];
        for (const [di, dj, dk] of offsets) {
          const u = i + di, v = j + dj, w = k + dk;
          if (u < 0 || v < 0 || w < 0 || u >= nx || v >= ny || w >= nz) continue;
          half[a * L + labels[u + nx * (v + ny * w)]]++;
        }
      }
  const out = new Float64Array(L * L);
  for (let a = 0; a < L; a++) for (let b = 0; b < L; b++) out[a * L + b] = half[a * L + b] + half[b * L + a];
  return out;
}

const file = 'data/aal.nii.gz';
const repeats = SMOKE ? 1 : 7;
const volume = await readNiftiFile(file, { expect: '3d' });
const nvox = volume.data.length;

const readMs = await timeRuns(() => readNiftiFile(file, { expect: '3d' }), repeats);
const countMs = await timeRuns(() => countAdjacency(volume.data, volume.dims, { numLabels: 117 }), repeats);
const endToEndMs = await timeRuns(async () => {
  const v = await readNiftiFile(file, { expect: '3d' });
  countAdjacency(v.data, v.dims, { numLabels: 117 });
}, repeats);
const naiveMs = await timeRuns(() => naiveCount(volume.data, volume.dims, 117), SMOKE ? 1 : 3);

// Same answer, or the comparison means nothing.
const a = countAdjacency(volume.data, volume.dims, { numLabels: 117 }).counts;
const b = naiveCount(volume.data, volume.dims, 117);
if (a.some((x, i) => x !== b[i])) throw new Error('prior bench: run-length and naive counts differ');

// Several exams: the same file linked N times, counted with 1 and with 2 worker threads.
const nExams = SMOKE ? 2 : 8;
const dir = await mkdtemp(path.join(os.tmpdir(), 'nonadj-bench-'));
const exams: Array<{ id: string; file: string }> = [];
for (let e = 0; e < nExams; e++) {
  await mkdir(path.join(dir, `e${e}`));
  const target = path.join(dir, `e${e}`, 'prepro_seg_mni.nii.gz');
  await symlink(path.resolve(file), target);
  exams.push({ id: `e${e}`, file: target });
}
// The built CLI, as users run it, in a fresh process without tsx (workers inherit the parent's loader flags, and
// tsx's would make every worker compile TypeScript first).
const cli = (threads: number) => () => {
  const run = spawnSync(process.execPath, ['bin/nonadj.js', 'extract', dir, path.join(os.tmpdir(), `nonadj-bench-out${threads}`), '117', '--threads', String(threads), '-q']);
  if (run.status !== 0) throw new Error(`prior bench: nonadj extract failed: ${String(run.stderr)}`);
};
const t1 = median(await timeRuns(cli(1), SMOKE ? 1 : 5, SMOKE ? 0 : 1));
const t2 = median(await timeRuns(cli(2), SMOKE ? 1 : 5, SMOKE ? 0 : 1));
await rm(dir, { recursive: true, force: true });
for (const t of [1, 2]) await rm(path.join(os.tmpdir(), `nonadj-bench-out${t}`), { recursive: true, force: true });
const rssMb = process.memoryUsage().rss / 2 ** 20;

const m = (xs: number[]) => median(xs);
console.log(`Machine: ${machineLine()}; ${file} ${volume.dims.join('×')} (${(nvox / 1e6).toFixed(1)} M voxels), 117 labels, 26-connectivity, medians of ${repeats}\n`);
console.log('| what | ms per volume | voxels/s | vs naive single pass |');
console.log('|---|---:|---:|---:|');
console.log(`| naive single pass (baseline, counting only) | ${m(naiveMs).toFixed(0)} | ${(nvox / m(naiveMs) / 1e3).toFixed(0)} M | 1.0× |`);
console.log(`| countAdjacency (run-length rows) | ${m(countMs).toFixed(1)} | ${(nvox / m(countMs) / 1e3).toFixed(0)} M | ${(m(naiveMs) / m(countMs)).toFixed(1)}× |`);
console.log(`| readNiftiFile (.nii.gz) | ${m(readMs).toFixed(1)} | | |`);
console.log(`| read + count (end to end) | ${m(endToEndMs).toFixed(1)} | ${(nvox / m(endToEndMs) / 1e3).toFixed(0)} M | ${(90000 / m(endToEndMs)).toFixed(0)}× vs the published script's 90 s (quoted) |`);
console.log(`\n| nonadj extract, ${nExams} exams (whole CLI run) | s | speed-up |`);
console.log('|---|---:|---:|');
console.log(`| 1 thread | ${(t1 / 1000).toFixed(2)} | 1.0× |`);
console.log(`| 2 worker threads | ${(t2 / 1000).toFixed(2)} | ${(t1 / t2).toFixed(2)}× |`);
console.log(`\nResident memory at the end: ${rssMb.toFixed(0)} MB (one AAL volume as uint8 is ${(nvox / 2 ** 20).toFixed(1)} MB).\n`);

// Large label codes: the same anatomy with AAL's codes (≤ 116) and with FreeSurfer's (up to 12 175 / 14 175).
const large = await mkdtemp(path.join(os.tmpdir(), 'nonadj-bench-codes-'));
const [nx, ny, nz] = volume.dims;
const small = new Int16Array(48 * 56 * 48);
for (let k = 0; k < 48; k++)
  for (let j = 0; j < 56; j++)
    for (let i = 0; i < 48; i++) small[i + 48 * (j + 56 * k)] = volume.data[Math.floor((i * nx) / 48) + nx * (Math.floor((j * ny) / 56) + ny * Math.floor((k * nz) / 48))];
// The case: AAL's odd (left) labels to 111xx, even (right) to 121xx, largest 12 175.
const smallFs = Int16Array.from(small, (a) => (a === 0 ? 0 : (a % 2 === 1 ? 11100 : 12100) + Math.ceil(a / 2) + 17));
const cases: Array<[string, Int16Array, [number, number, number]]> = [
  ['48×56×48, AAL codes (baseline)', small, [48, 56, 48]],
  [`48×56×48, ${new Set(smallFs).size} labels, codes up to ${smallFs.reduce((m, x) => Math.max(m, x), 0)}`, smallFs, [48, 56, 48]],
  ['1 mm, AAL codes (baseline)', Int16Array.from(volume.data), volume.dims],
  ['1 mm, aparc.a2009s-sized: 190 codes up to 14175 + background', relabelToA2009s(volume).data, volume.dims],
];
const measured: ProcessRun[] = [];
for (const [index, [, data, dims]] of cases.entries()) {
  const f = path.join(large, `case${index}.nii.gz`);
  await writeNiftiFile(f, makeVolume(dims, data), { kind: 'labels' });
  const args = ['bin/nonadj.js', 'extract', path.join(large, `out${index}`), '--contiguous', '-q', '--files', f];
  processRun(args);
  const runs = Array.from({ length: SMOKE ? 1 : 5 }, () => processRun(args));
  measured.push({ wallMs: median(runs.map((r) => r.wallMs)), cpuMs: median(runs.map((r) => r.cpuMs)), peakMb: median(runs.map((r) => r.peakMb)) });
}
await rm(large, { recursive: true, force: true });
console.log('| nonadj extract --contiguous, one exam (whole process) | wall s | CPU s | peak MB | vs same grid with AAL codes (time, memory) |');
console.log('|---|---:|---:|---:|---:|');
cases.forEach(([what], i) => {
  const base = measured[i - (i % 2)];
  const r = measured[i];
  console.log(`| ${what} | ${(r.wallMs / 1000).toFixed(2)} | ${(r.cpuMs / 1000).toFixed(2)} | ${r.peakMb.toFixed(0)} | ${(r.cpuMs / base.cpuMs).toFixed(2)}×, ${(r.peakMb / base.peakMb).toFixed(2)}× |`);
});
console.log('\nQuoted in issue 16 before compact label indices: 48×56×48 with codes up to 12 175, 9.6 s and 3.5 GB peak.\n');
