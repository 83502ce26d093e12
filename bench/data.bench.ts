/**
 * The training data pipeline on the bundled atlas (data/ch2.nii.gz + data/aal.nii.gz):
 * - synthetic-subject generation at 2 mm (90×108×90) and 1 mm (181×217×181);
 * - 2.5D sampler throughput (B = 8, k = 7 coronal slices, padded to 96×96, 2 mm subjects), without and with
 *   elastic augmentation, from memory and streamed from .nii.gz files;
 * - the displacement-field smoothing of the 2D elastic deformation: separable `gaussianBlur` against the
 *   baseline run alongside, a naive per-pixel 2D convolution with the full (2r+1)² kernel (same answer), and
 *   `smoothRandomField` as `elasticDeform2d` uses it (noise smoothed on a grid of step σ/2, then upsampled).
 *
 * `--smoke` runs a few repeats and skips the 1 mm subject.
 */
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gaussianBlur, gaussianKernel } from '../src/numeric/gaussianBlur.js';
import { elasticDeform2d } from '../src/data/elasticDeform2d.js';
import { makeSampler, type MakeSamplerOptions } from '../src/data/makeSampler.js';
import { makeSyntheticSubject } from '../src/synth/makeSyntheticSubject.js';
import { reflectIndex } from '../src/numeric/reflectIndex.js';
import { seededRandom } from '../src/numeric/seededRandom.js';
import { smoothRandomField } from '../src/numeric/smoothRandomField.js';
import { readNiftiFile, writeNiftiFile } from '../src/volume/niftiFile.js';
import type { Volume } from '../src/volume/Volume.js';
import { machineLine, median, SMOKE, timeRuns } from './machine.js';

/** Baseline: direct 2D convolution, every output pixel summing the (2r+1)² outer-product kernel with mirrored borders. */
function naiveBlur2d(data: Float32Array, W: number, H: number, sigma: number): Float32Array {
  const w = gaussianKernel(sigma);
  const r = (w.length - 1) / 2;
  const out = new Float32Array(W * H);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      let acc = 0;
      for (let dy = -r; dy <= r; dy++) {
        const row = W * reflectIndex(y + dy, H);
        const wy = w[dy + r];
        for (let dx = -r; dx <= r; dx++) acc += w[dx + r] * wy * data[row + reflectIndex(x + dx, W)];
      }
      out[x + W * y] = acc;
    }
  return out;
}

const repeats = SMOKE ? 2 : 7;
const [ch2, aal] = await Promise.all([readNiftiFile('data/ch2.nii.gz'), readNiftiFile('data/aal.nii.gz')]);
const rows: string[] = [];

// Synthetic subjects.
let seed = 100;
const synth2 = await timeRuns(() => makeSyntheticSubject(ch2, aal, { seed: seed++ }), repeats);
const synth1 = SMOKE ? null : await timeRuns(() => makeSyntheticSubject(ch2, aal, { seed: seed++, downsample: 1 }), 3);
rows.push(`| synthetic subject, 2 mm (90×108×90) | ${median(synth2).toFixed(0)} ms | | |`);
rows.push(`| synthetic subject, 1 mm (181×217×181) | ${synth1 ? `${median(synth1).toFixed(0)} ms` : 'skipped (smoke)'} | | |`);

// Displacement-field smoothing for a 96×96 sample, σ = 8 px (kernel 65 taps).
const H = 96, W = 96, sigma = 8;
const rng = seededRandom(1);
const noise = Float32Array.from({ length: H * W }, () => rng.normal());
const sep = await timeRuns(() => gaussianBlur(noise, [W, H], { sigma }), SMOKE ? 5 : 50);
const naive = await timeRuns(() => naiveBlur2d(noise, W, H, sigma), SMOKE ? 1 : 5);
const a = gaussianBlur(noise, [W, H], { sigma });
const b = naiveBlur2d(noise, W, H, sigma);
if (a.some((v, i) => Math.abs(v - b[i]) > 1e-4)) throw new Error('data bench: separable and naive blurs differ');
rows.push(`| field smoothing 96×96, σ = 8 px: naive 2D convolution (baseline) | ${median(naive).toFixed(2)} ms | | 1.0× |`);
rows.push(`| field smoothing 96×96, σ = 8 px: separable gaussianBlur | ${median(sep).toFixed(3)} ms | | ${(median(naive) / median(sep)).toFixed(0)}× faster |`);
// Two channels, as a 2D displacement field needs (the rows above smooth one).
const coarse = await timeRuns(() => smoothRandomField(seededRandom(2), [W, H, 1], { sigma: [sigma, sigma, 0], channels: 2, maxNorm: 4 }), SMOKE ? 5 : 50);
rows.push(`| displacement field 2×96×96, σ = 8 px: smoothRandomField (step 4 grid + bilinear upsampling, incl. noise) | ${median(coarse).toFixed(3)} ms | | ${((2 * median(naive)) / median(coarse)).toFixed(0)}× faster than 2 naive |`);
const image = Float32Array.from({ length: H * W * 7 }, () => rng.normal());
const label = Int32Array.from({ length: H * W }, (_, i) => i % 117);
const deform = await timeRuns(() => elasticDeform2d(image, label, { height: H, width: W, alpha: 4, sigma, seed: 3 }), SMOKE ? 5 : 50);
rows.push(`| elasticDeform2d, one 96×96×7 sample (α = 4 px, σ = 8 px) | ${median(deform).toFixed(2)} ms | | |`);

// Sampler throughput.
const nSubjects = SMOKE ? 2 : 4;
const files = new Map<string, Volume>();
const exams = Array.from({ length: nSubjects }, (_, s) => {
  const subject = makeSyntheticSubject(ch2, aal, { seed: 500 + s });
  files.set(`s${s}/im`, subject.image);
  files.set(`s${s}/seg`, subject.labels);
  return { id: `s${s}`, image: `s${s}/im`, label: `s${s}/seg` };
});
const base: MakeSamplerOptions = {
  exams, batchSize: 8, k: 7, axis: 1, padTo: [96, 96], intensity: { mode: 'image' }, emptySliceWeight: 0.1, seed: 1,
  examsInMemory: nSubjects, load: async (f) => files.get(f) as Volume,
};
const nBatches = SMOKE ? 3 : 30;
async function batchesPerSecond(options: MakeSamplerOptions): Promise<number> {
  const sampler = makeSampler(options);
  for (let i = 0; i < Math.min(3, nBatches); i++) await sampler.nextBatch(); // decode and cache the exams first
  const t0 = performance.now();
  for (let i = 0; i < nBatches; i++) await sampler.nextBatch();
  return nBatches / ((performance.now() - t0) / 1000);
}
const plain = await batchesPerSecond(base);
const aug06 = await batchesPerSecond({ ...base, augmentation: { probability: 0.6, alpha: 4, sigma: 8 } });
const aug1 = await batchesPerSecond({ ...base, augmentation: { probability: 1, alpha: 4, sigma: 8 } });
rows.push(`| sampler B = 8, k = 7, 96×96, in memory, no augmentation | | ${plain.toFixed(1)} batches/s | 1.0× |`);
rows.push(`| sampler, elastic augmentation p = 0.6 (the reference) | | ${aug06.toFixed(1)} batches/s | ${(aug06 / plain).toFixed(2)}× |`);
rows.push(`| sampler, elastic augmentation p = 1 | | ${aug1.toFixed(1)} batches/s | ${(aug1 / plain).toFixed(2)}× |`);

// Streaming from disk: subjects written as .nii.gz, 2 in memory, 32 samples per visit (so a read every 4 batches).
const dir = await mkdtemp(path.join(os.tmpdir(), 'nonadj-data-bench-'));
const diskExams = [];
for (const e of exams) {
  await mkdir(path.join(dir, e.id));
  const image = path.join(dir, e.id, 'prepro_im_mni_bc.nii.gz');
  const label = path.join(dir, e.id, 'prepro_seg_mni.nii.gz');
  await writeNiftiFile(image, files.get(e.image) as Volume, { kind: 'image' });
  await writeNiftiFile(label, files.get(e.label) as Volume, { kind: 'labels' });
  diskExams.push({ id: e.id, image, label });
}
const streamed = await batchesPerSecond({ ...base, exams: diskExams, load: undefined, examsInMemory: Math.min(2, nSubjects - 1), samplesPerVisit: 32 });
await rm(dir, { recursive: true, force: true });
rows.push(`| sampler streamed from .nii.gz (${Math.min(2, nSubjects - 1)} of ${nSubjects} exams in memory, 32 samples per visit), no augmentation | | ${streamed.toFixed(1)} batches/s | ${(streamed / plain).toFixed(2)}× |`);

console.log(`Machine: ${machineLine()}; medians of ${repeats} (blur: more), sampler over ${nBatches} batches after 3 warm-up batches\n`);
console.log('| what | time | throughput | ratio |');
console.log('|---|---:|---:|---:|');
for (const r of rows) console.log(r);
