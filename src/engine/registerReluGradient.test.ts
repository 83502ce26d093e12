import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { RELU_GRAD } from './kernels/reluGrad.js';
import { registerReluGradient } from './registerReluGradient.js';
import { setupParityBackends } from '../../test/helpers/tfParity.js';

describe('registerReluGradient', () => {
  before(setupParityBackends);

  it('is idempotent, and falls back to the stock rule (Step) on a backend without the kernel', async () => {
    const installed = tf.getGradient('Relu')!.gradFunc;
    registerReluGradient();
    assert.equal(tf.getGradient('Relu')!.gradFunc, installed, 'a second call changes nothing');
    await tf.setBackend('cpu');
    const kernel = tf.getKernel(RELU_GRAD, 'cpu')!;
    tf.unregisterKernel(RELU_GRAD, 'cpu');
    try {
      const x = tf.tensor([1, -1, 2, -2]);
      let g: tf.Tensor | undefined;
      const info = await tf.profile(() => (g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.relu(t), 3)))(x)));
      assert.ok(info.kernelNames.includes('Step') && !info.kernelNames.includes(RELU_GRAD), info.kernelNames.join(', '));
      assert.deepEqual(Array.from(g!.dataSync()), [3, 0, 3, 0]);
    } finally {
      tf.registerKernel(kernel);
    }
  });
});
