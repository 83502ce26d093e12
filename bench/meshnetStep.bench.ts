/**
 * One fine-tune step of brainchop's MeshNet (model30chan50cls: 9 dilated 3×3×3 Conv3D + ELU of 30 channels,
 * dilations 1…16…1, a 1×1×1 Conv3D to 50 classes) on a 64³ patch, batch 1: forward, softmax cross-entropy,
 * backward, Adam. nonadj (tfjs-backend-wasm, one thread, the project's kernels and its dilated-Conv3D gradient)
 * against the same network in PyTorch (Debian's python3-torch, a child process run in the same benchmark) with 1
 * and 2 threads. The weights are brainchop's when `NONADJ_BRAINCHOP_MODEL` (a folder with its model.json) is set,
 * seeded random otherwise: the time does not depend on them. Also the full nonadj step (cross-entropy + 5 × soft Dice
 * + NonAdjLoss with a 50-label prior, the project's Adam), as `nonadj train --init` runs it.
 *
 * Medians of wall-clock and process-CPU milliseconds; on a shared machine the CPU time is the fair comparison for
 * one thread (for two threads it adds both threads' time, so the wall time is the one to read, if the machine is idle).
 *
 * `node --import tsx bench/meshnetStep.bench.ts [--smoke]` (smoke: a 16³ patch, one timed step)
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { initEngine } from '../src/engine/initEngine.js';
import { makeSegmentationLoss } from '../src/loss/makeSegmentationLoss.js';
import { loadModel } from '../src/model/modelFiles.js';
import { withInputShape } from '../src/model/withInputShape.js';
import { AdjacencyPrior } from '../src/prior/AdjacencyPrior.js';
import { makeOptimizer } from '../src/train/optimizer.js';
import { runStep } from '../src/train/runStep.js';
import { makeGradientEngine } from '../src/train/makeGradientEngine.js';
import { machineLine, SMOKE, timeWallAndCpu, type Timing } from './machine.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const PATCH = SMOKE ? 16 : 64;
const STEPS = SMOKE ? 1 : 2;
const CLASSES = 50;
const DILATIONS = [1, 2, 4, 8, 16, 8, 4, 2, 1];

/** brainchop's MeshNet for a `patch`³ input, trainable: its own weights, or seeded ones. */
async function meshNet(): Promise<{ model: LayersModel; weights: string }> {
  const dir = process.env.NONADJ_BRAINCHOP_MODEL;
  if (dir) {
    const { model } = await loadModel(dir);
    return { model: await withInputShape(model, [PATCH, PATCH, PATCH, 1], { trainable: true }), weights: `brainchop's (${dir})` };
  }
  const input = tfl.input({ shape: [PATCH, PATCH, PATCH, 1] });
  let x = input;
  DILATIONS.forEach((d, i) => {
    const conv = tfl.layers.conv3d({ filters: 30, kernelSize: 3, dilationRate: d, padding: 'same', kernelInitializer: tfl.initializers.glorotNormal({ seed: i }) });
    x = tfl.layers.activation({ activation: 'elu' }).apply(conv.apply(x)) as tfl.SymbolicTensor;
  });
  const out = tfl.layers.conv3d({ filters: CLASSES, kernelSize: 1 }).apply(x) as tfl.SymbolicTensor;
  return { model: tfl.model({ inputs: input, outputs: out }), weights: 'seeded random' };
}

function torchStep(threads: number): Timing & { torch: string } {
  const args = [path.join(here, 'meshnet_reference.py'), 'step', '--threads', String(threads), '--patch', String(PATCH), '--steps', String(STEPS)];
  if (process.env.NONADJ_BRAINCHOP_MODEL) args.push('--model', process.env.NONADJ_BRAINCHOP_MODEL);
  const r = spawnSync('/usr/bin/python3', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`meshnetStep.bench: PyTorch (${threads} threads) failed: ${r.stderr.slice(-500)}`);
  const o = JSON.parse(r.stdout) as { torch: string; wall_ms: number; cpu_ms: number };
  return { torch: o.torch, wallMs: o.wall_ms, cpuMs: o.cpu_ms };
}

const info = await initEngine({ backend: 'wasm' });
const { model, weights } = await meshNet();
const x = tf.randomNormal([1, PATCH, PATCH, PATCH, 1], 0, 1, 'float32', 1);
const labelsInt = tf.randomUniformInt([1, PATCH, PATCH, PATCH], 0, CLASSES, 2);
const oneHot = tf.oneHot(labelsInt as tf.Tensor, CLASSES);
const adam = tf.train.adam(1e-4);
const ceStep = () => {
  const loss = adam.minimize(() => tf.losses.softmaxCrossEntropy(oneHot, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true) as tf.Scalar;
  loss.dataSync();
  loss.dispose();
};
const tfjs = await timeWallAndCpu(ceStep, STEPS);

// The step nonadj train runs: a 50-label prior where each label touches its neighbours in index order.
const counts = new Float64Array(CLASSES * CLASSES);
for (let a = 0; a < CLASSES; a++) for (const b of [a - 1, a, a + 1]) if (b >= 0 && b < CLASSES) counts[a * CLASSES + b] = 1;
const prior = AdjacencyPrior.fromCounts(counts, {});
const loss = makeSegmentationLoss({ prior, classWeights: new Array(CLASSES).fill(1), nanCheck: 'off' });
const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
const optimizer = makeOptimizer(variables, { kind: 'adam', learningRate: 1e-4 });
const batch = {
  labelled: x.dataSync() as Float32Array,
  labels: labelsInt.dataSync() as Int32Array,
  unlabelled: null,
  labelledCount: 1,
  unlabelledCount: 0,
  sampleShape: [PATCH, PATCH, PATCH, 1],
  labelShape: [PATCH, PATCH, PATCH],
};
// The same step on each engine: tfjs' tape, and the network's passes on onnxruntime (the training graphs, 1 thread).
const tfjsEngine = await makeGradientEngine(model, { engine: 'tfjs' });
const full = await timeWallAndCpu(() => runStep(tfjsEngine, loss, optimizer, variables, batch, 1, 1e-4), STEPS);
const onnxEngine = await makeGradientEngine(model, { engine: 'onnx', threads: 1 });
const fullOnnx = await timeWallAndCpu(() => runStep(onnxEngine, loss, optimizer, variables, batch, 1, 1e-4), STEPS);
await onnxEngine.dispose();

const torch1 = torchStep(1);
const torch2 = torchStep(2);

const s = (ms: number) => (ms / 1000).toFixed(2);
console.log(`Machine: ${machineLine()}; tfjs ${tf.version_core} on ${info.backend} (SIMD ${info.simd}), PyTorch ${torch1.torch}`);
console.log(`MeshNet (${weights} weights), one fine-tune step on a ${PATCH}³ patch, batch 1; medians of ${STEPS} step(s) after one warm-up.\n`);
console.log('| step | threads | wall s | CPU s | CPU time vs PyTorch 1 thread | wall vs PyTorch 2 threads |');
console.log('|---|---|---|---|---|---|');
const row = (name: string, threads: number, t: Timing) =>
  console.log(`| ${name} | ${threads} | ${s(t.wallMs)} | ${s(t.cpuMs)} | ${(t.cpuMs / torch1.cpuMs).toFixed(2)}× | ${(t.wallMs / torch2.wallMs).toFixed(2)}× |`);
row('PyTorch, cross-entropy + Adam', 1, torch1);
row('PyTorch, cross-entropy + Adam', 2, torch2);
row('nonadj (tfjs wasm), cross-entropy + Adam', 1, tfjs);
row('nonadj train step (CE + Dice + NonAdjLoss, λ = 1), tfjs wasm', 1, full);
row('nonadj train step (CE + Dice + NonAdjLoss, λ = 1), onnxruntime training graphs', 1, fullOnnx);
