import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmKernels } from '../registerWasmKernels.js';
import { backendDataIds, setupParityBackends } from '../../../test/helpers/tfParity.js';

describe('Cast (same dtype aliases)', () => {
  before(setupParityBackends);
  after(() => registerWasmKernels());

  it('a same-dtype cast shares the buffer, and the alias outlives its source', async () => {
    await tf.setBackend('wasm');
    const before = backendDataIds();
    const x = tf.tensor([1.5, -2, 3, 4], [2, 2]);
    const y = tf.cast(x, 'float32');
    assert.equal(backendDataIds(), before + 1, 'one buffer for both');
    x.dispose();
    assert.deepEqual(Array.from(y.dataSync()), [1.5, -2, 3, 4]);
    y.dispose();
    assert.equal(backendDataIds(), before, 'freed with the last reference');
  });

  it('a real conversion still converts (float32 → int32 → bool → float32), in a new buffer; to bool any non-zero is 1 (the stock kernel stored −2 as 254)', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor([1.7, -2.2, 0, 4], [4]);
    const before = backendDataIds();
    const i = tf.cast(x, 'int32');
    assert.equal(backendDataIds(), before + 1);
    assert.equal(i.dtype, 'int32');
    assert.deepEqual(Array.from(i.dataSync()), [1, -2, 0, 4]);
    const b = tf.cast(i, 'bool');
    assert.deepEqual(Array.from(b.dataSync()), [1, 1, 0, 1]);
    assert.deepEqual(Array.from(tf.cast(b, 'float32').dataSync()), [1, 1, 0, 1]);
  });

  it("ReLU's gradient (dy · cast(step(x))) is unchanged", async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor([-1, 0.5, 2, -3, 0, 4], [2, 3]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.relu(t), tf.tensor([1, 2, 3, 4, 5, 6], [2, 3]))))(x);
    assert.deepEqual(Array.from(g.dataSync()), [0, 2, 3, 0, 0, 6]);
  });
});
