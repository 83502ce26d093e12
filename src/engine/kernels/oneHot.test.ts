import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { backendDataIds, runOn, setupParityBackends } from '../../../test/helpers/tfParity.js';

describe('OneHot', () => {
  before(setupParityBackends);

  it('golden float32 with on/off values (the label-smoothing form the stock wasm kernel zeroes)', async () => {
    // indices [1, 0, 3(out of range)] depth 3, on 0.9, off 0.05.
    const [got] = await runOn('wasm', () => tf.oneHot(tf.tensor1d([1, 0, 3], 'int32'), 3, 0.9, 0.05, 'float32'));
    assert.deepEqual(Array.from(got), [0.05, 0.9, 0.05, 0.9, 0.05, 0.05, 0.05, 0.05, 0.05].map(Math.fround));
  });

  it('matches cpu for float32 and int32, 2-D indices, and leaks nothing', async () => {
    const f = (dtype: 'float32' | 'int32') => () =>
      tf.cast(tf.oneHot(tf.tensor2d([[0, 2], [4, -1]], [2, 2], 'int32'), 5, 1, 0, dtype), 'float32');
    for (const dtype of ['float32', 'int32'] as const) {
      const [cpu] = await runOn('cpu', f(dtype));
      await tf.setBackend('wasm');
      const ids = backendDataIds();
      const [wasm] = await runOn('wasm', f(dtype));
      assert.equal(backendDataIds(), ids);
      assert.deepEqual(Array.from(wasm), Array.from(cpu), dtype);
    }
    const [t] = await runOn('wasm', () => tf.oneHot(tf.tensor1d([2], 'int32'), 3, 1, 0, 'float32'));
    assert.deepEqual(Array.from(t), [0, 0, 1]);
  });
});
