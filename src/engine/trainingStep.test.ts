// End to end: a few Adam steps of a tiny U-Net-like net (conv-relu-maxpool-conv-conv2dTranspose-
// concat-conv, softmax cross-entropy plus an adjacency-style term: depthwise 3×3 box filter of the
// probabilities and Pᵀ·box(P)) give the same losses on wasm and cpu, and leak nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmKernels } from './registerWasmKernels.js';
import { registerBaselineKernels } from '../../bench/baselineKernels.js';
import { assertAllClose, backendDataIds, seededUniform, setupParityBackends } from '../../test/helpers/tfParity.js';

const B = 2;
const S = 8;
const C = 3;
const weightShapes: Record<string, number[]> = {
  w1: [3, 3, 1, 4],
  b1: [4],
  w2: [3, 3, 4, 8],
  w3: [2, 2, 4, 8],
  w4: [1, 1, 8, C],
};

function makeNet() {
  const vars: Record<string, tf.Variable> = {};
  Object.entries(weightShapes).forEach(([k, shape], i) => {
    vars[k] = tf.variable(tf.mul(tf.tensor(seededUniform(shape, 100 + i), shape), 0.8), true, `${k}-${Math.random()}`);
  });
  const x = tf.tensor4d(seededUniform([B, S, S, 1], 7), [B, S, S, 1]);
  const cls = tf.tensor3d(Array.from(seededUniform([B, S, S], 8), (v) => Math.floor((v + 0.5) * C)), [B, S, S], 'int32');
  const target = tf.oneHot(cls, C);
  const forbidden = tf.tensor2d([0, 0, 1, 0, 0, 0, 1, 0, 0], [C, C]); // classes 0 and 2 must not touch
  const box = tf.ones([3, 3, C, 1]) as tf.Tensor4D;
  const loss = (): tf.Scalar => {
    const c1 = tf.relu(tf.add(tf.conv2d(x, vars.w1 as tf.Tensor4D, 1, 'same'), vars.b1));
    const p = tf.maxPool(c1 as tf.Tensor4D, 2, 2, 'valid');
    const c2 = tf.relu(tf.conv2d(p, vars.w2 as tf.Tensor4D, 1, 'same'));
    const u = tf.conv2dTranspose(c2, vars.w3 as tf.Tensor4D, [B, S, S, 4], 2, 'valid');
    const logits = tf.conv2d(tf.concat([c1, u], 3) as tf.Tensor4D, vars.w4 as tf.Tensor4D, 1, 'same');
    const ce = tf.losses.softmaxCrossEntropy(target, logits);
    const probs = tf.softmax(logits);
    const near = tf.depthwiseConv2d(probs, box, 1, 'same');
    const adjacency = tf.matMul(tf.reshape(probs, [B, S * S, C]), tf.reshape(near, [B, S * S, C]), true, false);
    return tf.add(ce, tf.mul(tf.mean(tf.mul(adjacency, forbidden)), 0.1)) as tf.Scalar;
  };
  const dispose = (): void => tf.dispose([...Object.values(vars), x, cls, target, forbidden, box]);
  return { loss, dispose };
}

/** Losses of `steps` Adam steps on `backend`; asserts tensors and data buffers stay flat across steps. */
async function train(backend: 'wasm' | 'cpu', steps: number): Promise<Float32Array> {
  await tf.setBackend(backend);
  const net = makeNet();
  const opt = tf.train.adam(0.02);
  const losses = new Float32Array(steps);
  const counts: Array<[number, number]> = [];
  for (let i = 0; i < steps; i++) {
    const cost = opt.minimize(net.loss, true) as tf.Scalar;
    losses[i] = cost.dataSync()[0];
    cost.dispose();
    counts.push([tf.memory().numTensors, backendDataIds()]);
  }
  // Adam creates its moment variables on the first step; from then on nothing may accumulate.
  for (let i = 2; i < steps; i++) assert.deepEqual(counts[i], counts[1], `${backend}: step ${i} leaked (tensors, buffers) ${counts[i]} vs ${counts[1]}`);
  opt.dispose();
  net.dispose();
  return losses;
}

describe('training steps of a tiny conv net', () => {
  before(setupParityBackends);
  after(() => registerWasmKernels());

  it('losses agree on wasm (the registered kernels and the two baseline sets of the benchmarks) and cpu, and decrease', async () => {
    const cpu = await train('cpu', 5);
    registerWasmKernels();
    const fast = await train('wasm', 5);
    registerBaselineKernels('fixesOnly');
    const fixes = await train('wasm', 5);
    registerBaselineKernels('convBackprop');
    const previous = await train('wasm', 5);
    assertAllClose([fast], [cpu], 1e-4, 'wasm fast vs cpu');
    assertAllClose([fixes], [cpu], 1e-4, 'wasm fixesOnly vs cpu');
    assertAllClose([previous], [cpu], 1e-4, 'wasm convBackprop vs cpu');
    assert.ok(cpu[4] < cpu[0], `loss should decrease: ${Array.from(cpu)}`);
  });

  it('a whole forward + backward pass leaves no tensor or wasm buffer behind', async () => {
    // (Checked without an optimizer: tfjs 4.22's optimizers themselves leak 1–2 tensors per
    // optimizer instance, once, on every backend.)
    registerWasmKernels();
    await tf.setBackend('wasm');
    const net = makeNet();
    const before = [tf.memory().numTensors, backendDataIds()];
    for (let i = 0; i < 2; i++) {
      const { value, grads } = tf.variableGrads(net.loss);
      tf.dispose([value, ...Object.values(grads)]);
    }
    assert.deepEqual([tf.memory().numTensors, backendDataIds()], before);
    net.dispose();
  });
});
