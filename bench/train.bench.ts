/**
 * The training loop and segmentation, on tfjs-backend-wasm with the project's kernels:
 *
 * 1. one `trainSegmenter` step of the default 2.5D ModSegNet (filters 32/64/128/256, k = 7, 117 AAL classes,
 *    batch 4 of 96×96 coronal slices of a 2 mm brain): sampling (2.5D samples, elastic augmentation with
 *    probability 0.6) + forward + loss (weighted cross-entropy + 5 × Dice + λ·NonAdjLoss) + backward + SGD update,
 *    against the bare model step measured in the same run (the same model and batch, plain cross-entropy, Adam:
 *    what `bench/models.bench.ts` times), so the ratio is the cost of the loss and the sampler;
 *    the same with semi-supervised batches (b = 1 labelled + 3 unlabelled, the same 4 slices per forward);
 * 2. `segmentVolume` of a 2 mm (90×108×90) and a 1 mm (181×217×181) brain with the default model (input 96×96 and
 *    192×192): whole-volume 2.5D inference, every coronal slice.
 *
 * Inputs: synthetic subjects made from the bundled atlas (`makeSyntheticSubject`, seeds 100–102), held in memory.
 * `node --import tsx bench/train.bench.ts [--smoke]`
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../src/engine/initEngine.js';
import { AdjacencyPrior } from '../src/prior/AdjacencyPrior.js';
import { countAdjacency } from '../src/prior/countAdjacency.js';
import { makeSyntheticSubject } from '../src/synth/makeSyntheticSubject.js';
import { makeModSegNet } from '../src/model/makeModSegNet.js';
import { segmentVolume } from '../src/infer/segmentVolume.js';
import { trainSegmenter, type TrainStepInfo } from '../src/train/trainSegmenter.js';
import { readNiftiFile } from '../src/volume/niftiFile.js';
import { makeVolume, type Volume } from '../src/volume/Volume.js';
import { cpuNow, machineLine, median, SMOKE, timeWallAndCpu, type Timing } from './machine.js';

const cfg = SMOKE
  ? { filters: [4, 8], k: 3, batch: 2, steps: 3, crop: [32, 16, 32] as const, seg1mm: false }
  : { filters: [32, 64, 128, 256], k: 7, batch: 4, steps: 5, crop: null, seg1mm: true };

const root = path.resolve(import.meta.dirname, '..');
const info = await initEngine({ backend: 'wasm' });
const [ch2, aal] = await Promise.all([readNiftiFile(path.join(root, 'data/ch2.nii.gz')), readNiftiFile(path.join(root, 'data/aal.nii.gz'))]);

/** Smoke: a crop of the 2 mm subject (labels of the crop only); full: the whole 2 mm subject. */
function crop(v: Volume): Volume {
  if (!cfg.crop) return v;
  const [sx, sy, sz] = cfg.crop;
  const [nx, ny] = v.dims;
  const out = new (v.data.constructor as new (n: number) => typeof v.data)(sx * sy * sz);
  for (let z = 0, i = 0; z < sz; z++) for (let y = 0; y < sy; y++) for (let x = 0; x < sx; x++, i++) out[i] = v.data[x + 28 + nx * (y + 40 + ny * (z + 28))];
  return makeVolume([sx, sy, sz], out, { spacingMm: v.spacingMm, affine: v.affine });
}

const files = new Map<string, Volume>();
const exams = [100, 101, 102].map((seed) => {
  const s = makeSyntheticSubject(ch2, aal, { seed });
  const id = `s${seed}`;
  files.set(`${id}/image`, crop(s.image));
  files.set(`${id}/label`, crop(s.labels));
  return { id, image: `${id}/image`, label: `${id}/label` };
});
const load = async (f: string) => files.get(f) as Volume;
const L = 117;
const counts = new Float64Array(L * L);
for (const e of exams) {
  const v = files.get(e.label) as Volume;
  const c = countAdjacency(v.data, v.dims, { numLabels: L });
  for (let i = 0; i < L * L; i++) counts[i] += c.counts[i];
}
const prior = AdjacencyPrior.fromCounts(counts);
const dims = (files.get(exams[0].image) as Volume).dims;
const m = 2 ** cfg.filters.length;
const padTo: [number, number] = [Math.ceil(dims[2] / m) * m, Math.ceil(dims[0] / m) * m];

const tmp = mkdtempSync(path.join(os.tmpdir(), 'nonadj-bench-train-'));
async function trainStep(extra: { unlabelled?: typeof exams; batchSize: number }): Promise<Timing> {
  const steps: TrainStepInfo[] = [];
  const cpuAtStep: number[] = [];
  await trainSegmenter({
    outDir: path.join(tmp, `run${Math.random().toString(36).slice(2)}`),
    prior,
    train: exams.slice(0, 2),
    unlabelled: extra.unlabelled,
    load,
    architecture: { filters: cfg.filters, k: cfg.k, padTo },
    epochs: 1,
    stepsPerEpoch: cfg.steps,
    batchSize: extra.batchSize,
    lambda: 1,
    seed: 1,
    onStep: (s) => {
      steps.push(s);
      cpuAtStep.push(cpuNow());
    },
  });
  // CPU of step i = CPU between the ends of steps i − 1 and i (sampling is inside a step).
  return { wallMs: median(steps.slice(1).map((s) => s.ms)), cpuMs: median(cpuAtStep.slice(1).map((c, i) => c - cpuAtStep[i])) };
}

/** The bare step: same model size and batch, plain cross-entropy on the softmax, Adam (models.bench.ts's step). */
async function bareStep(): Promise<Timing> {
  const model = makeModSegNet({ inputShape: [padTo[0], padTo[1], cfg.k], numClasses: L, filters: cfg.filters, seed: 1 });
  const x = tf.randomNormal([cfg.batch, padTo[0], padTo[1], cfg.k], 0, 1, 'float32', 3);
  const y = tf.oneHot(tf.randomUniformInt([cfg.batch, padTo[0], padTo[1]], 0, L, 4) as tf.Tensor, L);
  const optimizer = tf.train.adam(1e-3);
  // cfg.steps steps, the first untimed, as the trainSegmenter rows drop their first step.
  const timing = await timeWallAndCpu(() => {
    const loss = optimizer.minimize(() => {
      const p = model.apply(x, { training: true }) as tf.Tensor;
      return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(tf.add(p, 1e-7))), -1))) as tf.Scalar;
    }, true) as tf.Scalar;
    loss.dataSync();
    loss.dispose();
  }, cfg.steps - 1);
  tf.dispose([x, y]);
  optimizer.dispose();
  model.dispose();
  return timing;
}

async function segment(image: Volume): Promise<Timing & { input: string }> {
  const [nx, , nz] = image.dims;
  const input: [number, number, number] = [Math.ceil(nz / m) * m, Math.ceil(nx / m) * m, cfg.k];
  const model = makeModSegNet({ inputShape: input, numClasses: L, filters: cfg.filters, seed: 1 });
  const metadata = { kind: '2.5d' as const, classes: [...prior.labels], inputShape: input, axis: 1 as const, k: cfg.k };
  const t0 = performance.now();
  const c0 = cpuNow();
  await segmentVolume(model, image, { metadata });
  const timing = { wallMs: performance.now() - t0, cpuMs: cpuNow() - c0 };
  model.dispose();
  return { ...timing, input: `${input[0]}×${input[1]}×${input[2]}` };
}

// Untimed warm-up: the first steps grow the wasm heap and compile kernels.
await bareStep();
const bare = await bareStep();
const full = await trainStep({ batchSize: cfg.batch });
const semi = await trainStep({ batchSize: Math.max(1, cfg.batch / 4), unlabelled: exams.slice(2) });
const seg2 = await segment(files.get(exams[2].image) as Volume);
const seg1 = cfg.seg1mm ? await segment(makeVolume(ch2.dims, Float32Array.from(ch2.data), { spacingMm: ch2.spacingMm, affine: ch2.affine })) : null;
rmSync(tmp, { recursive: true, force: true });

const shape = `${cfg.batch}×${padTo[0]}×${padTo[1]}×${cfg.k}, ${L} classes, filters ${cfg.filters.join('/')}`;
const rows: Array<[string, string, Timing]> = [
  ['bare model step (CE, Adam; baseline)', shape, bare],
  ['trainSegmenter step (sampler + CE + 5·Dice + λ·NonAdjLoss + SGD)', shape, full],
  ['trainSegmenter step, semi-supervised (1 + 3 unlabelled)', shape.replace(/^\d+/, '4'), semi],
  ['segmentVolume, 2 mm brain', `${dims.join('×')}, input ${seg2.input}`, seg2],
  ...(seg1 ? [['segmentVolume, 1 mm brain', `${ch2.dims.join('×')}, input ${seg1.input}`, seg1] as [string, string, Timing]] : []),
];
console.log(`Machine: ${machineLine()}; backend ${info.backend} (SIMD ${info.simd})${SMOKE ? ' — smoke sizes' : ''}\n`);
console.log('| what | size | wall ms (median) | CPU ms | CPU × bare step |');
console.log('|---|---|---:|---:|---:|');
for (const [what, size, t] of rows) console.log(`| ${what} | ${size} | ${t.wallMs.toFixed(0)} | ${t.cpuMs.toFixed(0)} | ${(t.cpuMs / bare.cpuMs).toFixed(2)} |`);
