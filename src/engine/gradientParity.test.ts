// Gradients of every op our models and losses use, through tf.grads, on wasm (with the project's
// kernels) against tfjs-backend-cpu. Each f reduces to a scalar with seeded weights (weightedSum), so
// every output element's gradient is checked.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { assertAllClose, assertGradParity, relativeError, runOn, seededUniform, setupParityBackends, weightedSum as W } from '../../test/helpers/tfParity.js';

type F = (...xs: tf.Tensor[]) => tf.Tensor;
const t4 = (t: tf.Tensor): tf.Tensor4D => t as tf.Tensor4D;
const t5 = (t: tf.Tensor): tf.Tensor5D => t as tf.Tensor5D;
const labels = (shape: number[], classes: number): tf.Tensor =>
  tf.oneHot(tf.tensor(Array.from(seededUniform(shape, 5), (v) => Math.floor((v + 0.5) * classes)), shape, 'int32'), classes);

const table: Array<[string, number[][], F]> = [
  ['conv2d 3×3 same', [[2, 6, 6, 3], [3, 3, 3, 4]], (x, w) => W(tf.conv2d(t4(x), t4(w), 1, 'same'))],
  ['conv2d 1×1', [[2, 6, 6, 3], [1, 1, 3, 4]], (x, w) => W(tf.conv2d(t4(x), t4(w), 1, 'same'))],
  ['conv2d 3×3 stride 2', [[2, 7, 7, 3], [3, 3, 3, 4]], (x, w) => W(tf.conv2d(t4(x), t4(w), 2, 'same'))],
  ['conv2dTranspose 2×2 stride 2', [[2, 3, 3, 4], [2, 2, 3, 4]], (x, w) => W(tf.conv2dTranspose(t4(x), t4(w), [2, 6, 6, 3], 2, 'valid'))],
  ['fused conv2d + bias + relu', [[2, 6, 6, 3], [3, 3, 3, 4], [4]], (x, w, b) => W(tf.fused.conv2d({ x: t4(x), filter: t4(w), strides: 1, pad: 'same', bias: b, activation: 'relu' }))],
  ['maxPool 2×2/2', [[2, 6, 6, 3]], (x) => W(tf.maxPool(t4(x), 2, 2, 'valid'))],
  ['maxPool 3×3/1 same', [[2, 6, 6, 3]], (x) => W(tf.maxPool(t4(x), 3, 1, 'same'))],
  ['maxPool after relu (ties)', [[2, 6, 6, 3]], (x) => W(tf.maxPool(t4(tf.relu(tf.sub(x, 0.2))), 2, 2, 'valid'))],
  ['avgPool 2×2/2', [[2, 6, 6, 3]], (x) => W(tf.avgPool(t4(x), 2, 2, 'valid'))],
  ['avgPool 3×3/1 same (box filter)', [[2, 6, 6, 3]], (x) => W(tf.avgPool(t4(x), 3, 1, 'same'))],
  ['depthwise 3×3 ones (box filter)', [[2, 6, 6, 3]], (x) => W(tf.depthwiseConv2d(t4(x), tf.ones([3, 3, 3, 1]) as tf.Tensor4D, 1, 'same'))],
  ['depthwise 3×3 trainable, stride 2', [[2, 7, 7, 3], [3, 3, 3, 2]], (x, w) => W(tf.depthwiseConv2d(t4(x), t4(w), 2, 'same'))],
  ['resizeNearestNeighbor ×2, batch 1', [[1, 4, 5, 3]], (x) => W(tf.image.resizeNearestNeighbor(t4(x), [8, 10]))],
  ['batchNorm', [[2, 4, 4, 3], [3], [3], [3], [3]], (x, m, v, o, s) => W(tf.batchNorm(x, m, tf.add(tf.abs(v), 0.5), o, s, 1e-3))],
  ['moments → normalise', [[2, 4, 4, 3]], (x) => {
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    return W(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))));
  }],
  ['relu', [[2, 5, 5, 3]], (x) => W(tf.relu(x))],
  ['softmax', [[2, 4, 4, 5]], (x) => W(tf.softmax(x))],
  ['logSoftmax', [[2, 4, 4, 5]], (x) => W(tf.logSoftmax(x))],
  ['softmax cross-entropy', [[2, 4, 4, 5]], (x) => tf.losses.softmaxCrossEntropy(labels([2, 4, 4], 5), x)],
  ['concat', [[2, 4, 4, 3], [2, 4, 4, 2]], (a, b) => W(tf.concat([a, b], 3))],
  ['slice', [[2, 6, 6, 3]], (x) => W(tf.slice(x, [0, 1, 2, 0], [2, 3, 3, 2]))],
  ['pad', [[2, 4, 4, 3]], (x) => W(tf.pad(x, [[0, 0], [1, 2], [2, 1], [0, 0]]))],
  ['gather axis 0', [[6, 3]], (x) => W(tf.gather(x, tf.tensor1d([0, 2, 2, 5, 1], 'int32')))],
  ['gather axis 1', [[2, 6, 3]], (x) => W(tf.gather(x, tf.tensor1d([0, 2, 2, 5], 'int32'), 1))],
  ['mean / sum', [[2, 4, 4, 3]], (x) => tf.add(tf.mean(tf.square(x)), W(tf.sum(x, [1, 2])))],
  ['matMul', [[5, 7], [7, 4]], (a, b) => W(tf.matMul(a, b))],
  ['matMul transposeA', [[7, 5], [7, 4]], (a, b) => W(tf.matMul(a, b, true, false))],
  ['matMul transposeB', [[5, 7], [4, 7]], (a, b) => W(tf.matMul(a, b, false, true))],
  ['batched matMul transposeA (Pᵀ·Q)', [[3, 7, 5], [3, 7, 4]], (a, b) => W(tf.matMul(a, b, true, false))],
  ['conv3d 3³ same', [[1, 5, 5, 5, 2], [3, 3, 3, 2, 3]], (x, w) => W(tf.conv3d(t5(x), t5(w), 1, 'same'))],
  ['conv3d 2³ stride 2', [[1, 4, 4, 4, 2], [2, 2, 2, 2, 3]], (x, w) => W(tf.conv3d(t5(x), t5(w), 2, 'valid'))],
  ['maxPool3d 2³/2', [[1, 4, 4, 4, 2]], (x) => W(tf.maxPool3d(t5(x), 2, 2, 'valid'))],
];

describe('gradients through tf.grads: wasm vs cpu', () => {
  before(setupParityBackends);

  for (const [name, shapes, f] of table) {
    it(name, async () => {
      await assertGradParity(shapes, f, name);
    });
  }

  it('resizeNearestNeighbor ×2 with batch 2: wasm is the adjoint (the stock cpu gradient is wrong here)', async () => {
    // Upsampling by 2 makes the gradient a 2×2 block sum of dy; compute it by hand as the oracle.
    const dy = seededUniform([2, 8, 10, 3], 4);
    const [g] = await runOn('wasm', () =>
      tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(t4(x), [8, 10]), tf.tensor(dy, [2, 8, 10, 3]))))(tf.zeros([2, 4, 5, 3])),
    );
    const expected = new Float32Array(2 * 4 * 5 * 3);
    for (let n = 0; n < 2; n++)
      for (let r = 0; r < 8; r++)
        for (let c = 0; c < 10; c++)
          for (let k = 0; k < 3; k++) expected[((n * 4 + (r >> 1)) * 5 + (c >> 1)) * 3 + k] += dy[((n * 8 + r) * 10 + c) * 3 + k];
    assert.ok(relativeError(g, expected) < 1e-5);
  });

  for (const [name, make] of [
    ['Adam', () => tf.train.adam(0.01)],
    ['SGD with momentum', () => tf.train.momentum(0.1, 0.9)],
  ] as Array<[string, () => tf.Optimizer]>) {
    it(`${name}: 5 updates give the same weights`, async () => {
      const weightsAfter = async (backend: 'wasm' | 'cpu'): Promise<Float32Array[]> => {
        await tf.setBackend(backend);
        const w = tf.variable(tf.tensor(seededUniform([4, 3], 5), [4, 3]));
        const opt = make();
        for (let i = 0; i < 5; i++) {
          const x = tf.tensor(seededUniform([2, 4], 9 + i), [2, 4]);
          opt.minimize(() => tf.sum(tf.square(tf.sub(tf.matMul(x, w), 0.3))) as tf.Scalar);
          x.dispose();
        }
        const out = Float32Array.from(w.dataSync());
        w.dispose();
        opt.dispose();
        return [out];
      };
      assertAllClose(await weightsAfter('wasm'), await weightsAfter('cpu'), 1e-5, name);
    });
  }
});
