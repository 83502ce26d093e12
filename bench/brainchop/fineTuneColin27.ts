/**
 * A real fine-tune of brainchop's MeshNet (model30chan50cls, 50 classes, published for [256, 256, 256, 1]) with
 * NonAdjLoss on 64³ patches of Colin27 (`data/ch2.nii.gz`), through nonadj's training loop as `train --init` runs it,
 * and checks of the result's files. Dev-only (it needs the model and PyTorch); its output is quoted in the README.
 *
 * 1. Colin27 is put in the network's convention: FreeSurfer's LIA orientation fed as (x, y, z) → (D, H, W), which
 *    in nonadj's tensor view ([D, H, W] = [z, y, x] of the NIfTI array) is a NIfTI whose array axes are (A, I, L);
 *    its affine keeps the world coordinates. Intensities: brainchop's quantile scaling (5 % → 0, 95 % → 1), given
 *    to the training loop as a fixed standardisation (mean = q05, std = q95 − q05).
 * 2. Labels to train on: the network's own arg-max on the whole volume (PyTorch, `bench/meshnet_reference.py predict`); the
 *    prior: the adjacencies of that segmentation (50 labels). Cross-entropy on its own labels keeps the network where
 *    it is; NonAdjLoss pushes out the contacts the prior forbids. A few steps show the mechanics and the cost, not a gain.
 * 3. `trainSegmenter` with `init` = brainchop's model.json, patch 64³, batch 1, λ = 1, Adam.
 * 4. The saved model.json: published input shape, brainchop's layer and weight names, loaded by stock tfjs-layers;
 *    on a central 64³ block, how many voxels change label between the original and the fine-tuned network.
 *
 * `nice -n 10 node --import tsx bench/brainchop/fineTuneColin27.ts <brainchop model folder> <work folder> [steps = 3] [learning rate = 1e-5]`
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initEngine } from '../../src/engine/initEngine.js';
import { fileLoadHandler, loadModel } from '../../src/model/modelFiles.js';
import { withInputShape } from '../../src/model/withInputShape.js';
import { AdjacencyPrior } from '../../src/prior/AdjacencyPrior.js';
import { countAdjacency } from '../../src/prior/countAdjacency.js';
import { trainSegmenter } from '../../src/train/trainSegmenter.js';
import { readNiftiFile, writeNiftiFile } from '../../src/volume/niftiFile.js';
import { makeVolume } from '../../src/volume/Volume.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '..', '..');
const [modelDir, work, stepsArg, lrArg] = process.argv.slice(2);
if (!modelDir || !work) throw new Error('usage: fineTuneColin27.ts <brainchop model folder> <work folder> [steps] [learning rate]');
const steps = Number(stepsArg ?? 3);
const learningRate = Number(lrArg ?? 1e-5);
await mkdir(work, { recursive: true });
const log = (s: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${s}`);

// 1. Colin27 in the network's convention.
const ch2 = await readNiftiFile(path.join(ROOT, 'data', 'ch2.nii.gz'), { expect: '3d' });
const [nx, ny, nz] = ch2.dims;
if (ch2.affine[0] !== 1 || ch2.affine[5] !== 1 || ch2.affine[10] !== 1) throw new Error('expected Colin27 in RAS at 1 mm');
// LIA, (x, y, z) → (D, H, W): D = L (x reversed), H = I (z reversed), W = A (y). In C order that is the NIfTI array
// with dims [W, H, D] = [ny, nz, nx], whose tensor view nonadj takes as [D, H, W].
const D = nx;
const H = nz;
const W = ny;
const data = new Float32Array(D * H * W);
for (let i = 0; i < D; i++)
  for (let j = 0; j < H; j++)
    for (let k = 0; k < W; k++) data[(i * H + j) * W + k] = ch2.data[nx - 1 - i + nx * (k + ny * (nz - 1 - j))];
const sorted = Float32Array.from(data).sort();
const q05 = sorted[Math.floor(0.05 * (sorted.length - 1))];
const q95 = sorted[Math.floor(0.95 * (sorted.length - 1))];
// voxel (x' = k, y' = j, z' = i) → world: X = x0 + (nx − 1 − i), Y = y0 + k, Z = z0 + (nz − 1 − j).
const [x0, y0, z0] = [ch2.affine[3], ch2.affine[7], ch2.affine[11]];
const affine = [0, 0, -1, x0 + nx - 1, 1, 0, 0, y0, 0, -1, 0, z0 + nz - 1, 0, 0, 0, 1];
const dims: [number, number, number] = [W, H, D];
const imageFile = path.join(work, 'colin27-lia.nii.gz');
await writeNiftiFile(imageFile, makeVolume(dims, data, { spacingMm: [1, 1, 1], affine }), { kind: 'image', gzip: true });
log(`Colin27 as the network takes it: [D, H, W] = [${D}, ${H}, ${W}], quantiles q05 = ${q05}, q95 = ${q95}`);

// 2. The network's own labels (PyTorch) and their adjacency prior.
const labelFile = path.join(work, 'colin27-meshnet.nii.gz');
if (!existsSync(labelFile)) {
  const scaled = Float32Array.from(data, (v) => (v - q05) / (q95 - q05));
  writeFileSync(path.join(work, 'input.f32'), scaled);
  const r = spawnSync(
    '/usr/bin/python3',
    [path.join(here, '..', 'meshnet_reference.py'), 'predict', '--model', modelDir, '--input', path.join(work, 'input.f32'), '--dims', String(D), String(H), String(W), '--output', path.join(work, 'labels.i32'), '--threads', '2'],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`PyTorch prediction failed: ${r.stderr.slice(-800)}`);
  log(`PyTorch MeshNet on the whole volume: ${r.stdout.trim()}`);
  const labels = new Int32Array(readFileSync(path.join(work, 'labels.i32')).buffer.slice(0));
  await writeNiftiFile(labelFile, makeVolume(dims, labels, { spacingMm: [1, 1, 1], affine }), { kind: 'labels', gzip: true });
}
const seg = await readNiftiFile(labelFile, { expect: '3d' });
const names = (JSON.parse(readFileSync(path.join(modelDir, 'colormap.json'), 'utf8')) as { labels: string[] }).labels;
const numLabels = names.length;
const { counts } = countAdjacency(seg.data, dims, { numLabels });
const prior = AdjacencyPrior.fromCounts(counts, { labels: names.map((_, i) => i), names });
const present = new Set(seg.data).size;
// The convention check: the network's thalamus (class 5) against AAL's (77, 78), on Colin27's own grid.
const aal = await readNiftiFile(path.join(ROOT, 'data', 'aal.nii.gz'), { expect: '3d' });
let both = 0;
let inNet = 0;
let inAal = 0;
for (let z = 0; z < nz; z++)
  for (let y = 0; y < ny; y++)
    for (let x = 0; x < nx; x++) {
      const net = seg.data[((nx - 1 - x) * H + (nz - 1 - z)) * W + y] === 5;
      const atlas = aal.data[x + nx * (y + ny * z)] === 77 || aal.data[x + nx * (y + ny * z)] === 78;
      if (net) inNet++;
      if (atlas) inAal++;
      if (net && atlas) both++;
    }
log(`the network's whole-volume thalamus against AAL's: Dice ${((2 * both) / (inNet + inAal)).toFixed(3)}`);
log(`prior from the network's labels: ${present} of ${numLabels} labels present, ${prior.forbiddenOrderedPairs} forbidden ordered pairs`);

// 3. Fine-tune.
const info = await initEngine({ backend: 'wasm' });
const outDir = path.join(work, `run-${Date.now()}`);
const t0 = performance.now();
const result = await trainSegmenter({
  outDir,
  prior,
  train: [{ id: 'colin27', image: imageFile, label: labelFile }],
  validation: [],
  init: path.join(modelDir, 'model.json'),
  // The volume is already in the network's convention in nonadj's zyx view (step 1), so it is fed as it is, not swapped
  // again as a model without nonadj metadata would be (brainchop's xyz).
  architecture: { kind: '3d', patch: [64, 64, 64], inputOrder: 'zyx' },
  intensity: { mode: 'dataset', mean: q05, std: q95 - q05 },
  epochs: 1,
  stepsPerEpoch: steps,
  batchSize: 1,
  lambda: 1,
  optimizer: { kind: 'adam', learningRate },
  seed: 1,
  onWarning: (w) => log(`warning: ${w}`),
  onStep: (s) =>
    log(
      `step ${s.step}/${s.stepsPerEpoch}: total ${s.total.toFixed(4)}, cross-entropy ${s.crossEntropy.toFixed(4)}, Dice loss ${s.dice.toFixed(4)}, ` +
        `NonAdjLoss ${s.nonAdjacency.toExponential(3)}, ${(s.ms / 1000).toFixed(1)} s`,
    ),
});
log(`fine-tuned ${result.globalStep} steps (Adam, learning rate ${learningRate}) on ${info.backend} in ${((performance.now() - t0) / 1000).toFixed(0)} s (model in ${result.bestDir})`);

// 4. The files as brainchop gets them.
const original = JSON.parse(readFileSync(path.join(modelDir, 'model.json'), 'utf8'));
const saved = JSON.parse(readFileSync(path.join(result.bestDir, 'model.json'), 'utf8'));
const layersOf = (m: { modelTopology: { model_config?: { config: unknown }; config?: unknown } }) =>
  ((m.modelTopology.model_config ?? m.modelTopology) as { config: { layers: Array<{ name: string; config: { batch_input_shape?: unknown } }> } }).config.layers;
const weightNames = (m: { weightsManifest: Array<{ weights: Array<{ name: string }> }> }) => m.weightsManifest.flatMap((g) => g.weights.map((w) => w.name));
log(`saved input shape ${JSON.stringify(layersOf(saved)[0].config.batch_input_shape)} (original ${JSON.stringify(layersOf(original)[0].config.batch_input_shape)})`);
log(`layer names as brainchop's: ${JSON.stringify(layersOf(saved).map((l) => l.name)) === JSON.stringify(layersOf(original).map((l) => l.name))}; weight names: ${JSON.stringify(weightNames(saved)) === JSON.stringify(weightNames(original))}`);
const stock = await tfl.loadLayersModel(fileLoadHandler(path.join(result.bestDir, 'model.json')));
log(`stock tfjs-layers loads it: input ${JSON.stringify(stock.inputs[0].shape)}, output ${JSON.stringify(stock.outputs[0].shape)}`);
const before = await withInputShape((await loadModel(modelDir)).model, [64, 64, 64, 1]);
const after = await withInputShape(stock, [64, 64, 64, 1]);
const block = new Float32Array(64 ** 3);
const [ci, cj, ck] = [D >> 1, H >> 1, W >> 1];
for (let i = 0; i < 64; i++)
  for (let j = 0; j < 64; j++)
    for (let k = 0; k < 64; k++) block[(i * 64 + j) * 64 + k] = (data[((ci - 32 + i) * H + (cj - 32 + j)) * W + (ck - 32 + k)] - q05) / (q95 - q05);
const x = tf.tensor5d(block, [1, 64, 64, 64, 1]);
const a = tf.argMax(before.predict(x) as tf.Tensor, -1).dataSync();
const b = tf.argMax(after.predict(x) as tf.Tensor, -1).dataSync();
let changed = 0;
let asWhole = 0;
for (let i = 0, v = 0; i < 64; i++)
  for (let j = 0; j < 64; j++)
    for (let k = 0; k < 64; k++, v++) {
      if (a[v] !== b[v]) changed++;
      if (a[v] === seg.data[((ci - 32 + i) * H + (cj - 32 + j)) * W + (ck - 32 + k)]) asWhole++;
    }
// MeshNet's receptive field is 1 + 2·(1 + 2 + 4 + 8 + 16 + 8 + 4 + 2 + 1) = 93 voxels: a 64³ patch cannot hold it.
log(`central 64³ block, original network: ${((100 * asWhole) / a.length).toFixed(1)} % of voxels get the label the whole volume gives them`);
log(`central 64³ block: ${changed} of ${a.length} voxels (${((100 * changed) / a.length).toFixed(2)} %) change label after ${steps} steps`);
