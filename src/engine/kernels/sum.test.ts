import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmKernels } from '../registerWasmKernels.js';
import { assertKernelParity, runKernelOn, setupParityBackends } from '../../../test/helpers/tfParity.js';

describe('Sum (stock cpu kernel as oracle)', () => {
  before(setupParityBackends);
  after(() => registerWasmKernels());

  it('golden: the bias gradient of a [2,1,2,3] map sums the four pixels per channel', async () => {
    // pixels (1,2,3), (4,5,6), (7,8,9), (10,11,12) → channel sums 22, 26, 30.
    const got = await runKernelOn(
      'wasm',
      'Sum',
      { x: { shape: [2, 1, 2, 3], values: Float32Array.from({ length: 12 }, (_, i) => i + 1) } },
      { axis: [0, 1, 2], keepDims: false },
    );
    assert.deepEqual(Array.from(got), [22, 26, 30]);
  });

  it('matches cpu over leading axes (odd row counts, keepDims, negative axes) and elsewhere', async () => {
    await assertKernelParity('Sum', { x: { shape: [3, 5, 7, 32] } }, { axis: [0, 1, 2], keepDims: false }, 'bias gradient', 1e-5);
    await assertKernelParity('Sum', { x: { shape: [2, 3, 117] } }, { axis: [1, 0], keepDims: true }, 'unsorted, keepDims', 1e-5);
    await assertKernelParity('Sum', { x: { shape: [5, 4] } }, { axis: -2, keepDims: false }, 'negative axis', 1e-5);
    await assertKernelParity('Sum', { x: { shape: [4, 6, 5] } }, { axis: [1], keepDims: false }, 'middle axis (stock)', 1e-5);
    await assertKernelParity('Sum', { x: { shape: [4, 6, 5] } }, { axis: [0, 1, 2], keepDims: false }, 'all axes (stock)', 1e-5);
    const ints = new Int32Array(Array.from({ length: 24 }, (_, i) => i * 3 - 20));
    await assertKernelParity('Sum', { x: { shape: [4, 6], values: ints, dtype: 'int32' } }, { axis: [0], keepDims: false }, 'int32 (stock)', 0);
  });
});
