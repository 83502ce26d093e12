import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { RELU_GRAD } from './reluGrad.js';
import { runOn, seededUniform, setupParityBackends } from '../../../test/helpers/tfParity.js';

describe('NonadjReluGrad (tfjs\'s dy · cast(step(x)) as oracle)', () => {
  before(setupParityBackends);

  it('golden: dy where x > 0, 0 at x ≤ 0 (−0 included), NaN at NaN, −0 for a negative dy; 7 values (SIMD lanes and the tail)', async () => {
    const x = [1, -2, 0, -0, NaN, 3, 0.5];
    const dy = [10, 20, -30, 40, 50, 60, 70];
    for (const backend of ['wasm', 'cpu'] as const) {
      const [got] = await runOn(backend, () => tf.engine().runKernel(RELU_GRAD, { dy: tf.tensor(dy), x: tf.tensor(x) }, {}) as tf.Tensor);
      assert.deepEqual(Array.from(got), [10, 0, -0, 0, NaN, 60, 70], backend);
    }
  });

  it('matches the stock rule on a random map on both backends, and tf.grad of relu uses it', async () => {
    const shape = [2, 5, 7, 3];
    const x = seededUniform(shape, 5).map((v) => v - 0.5);
    const dy = seededUniform(shape, 6);
    for (const backend of ['wasm', 'cpu'] as const) {
      const [fused, stock, viaGrad] = await runOn(backend, () => {
        const [tx, tdy] = [tf.tensor(x, shape), tf.tensor(dy, shape)];
        return [
          tf.engine().runKernel(RELU_GRAD, { dy: tdy, x: tx }, {}) as tf.Tensor,
          tf.mul(tdy, tf.cast(tf.step(tx), 'float32')),
          tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.relu(t), tdy)))(tx),
        ];
      });
      assert.deepEqual(Array.from(fused), Array.from(stock), backend);
      assert.deepEqual(Array.from(viaGrad), Array.from(stock), `${backend}: tf.grad`);
    }
  });

  it('is what tf.grad of relu runs (registerReluGradient, via initEngine), instead of Step, Cast and Multiply', async () => {
    for (const backend of ['wasm', 'cpu'] as const) {
      await tf.setBackend(backend);
      const x = tf.tensor([1, -1, 2, -2]);
      const info = await tf.profile(() => tf.grad((t: tf.Tensor) => tf.sum(tf.relu(t)))(x));
      assert.ok(info.kernelNames.includes(RELU_GRAD), `${backend}: ${info.kernelNames.join(', ')}`);
      assert.ok(!info.kernelNames.includes('Step'), `${backend}: ${info.kernelNames.join(', ')}`);
    }
  });

  it('rejects inputs of different shapes', async () => {
    await tf.setBackend('wasm');
    assert.throws(() => tf.engine().runKernel(RELU_GRAD, { dy: tf.ones([2, 3]), x: tf.ones([3, 2]) }, {}), /NonadjReluGrad: dy is float32 \[2, 3\] and x float32 \[3, 2\]/);
  });
});
