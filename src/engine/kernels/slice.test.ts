import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmKernels } from '../registerWasmKernels.js';
import { assertKernelParity, backendDataIds, runOn, setupParityBackends } from '../../../test/helpers/tfParity.js';

describe('Slice and SplitV (stock cpu kernels as oracle)', () => {
  before(setupParityBackends);
  after(() => registerWasmKernels());

  it('golden: the ModSegNet skip-gradient split, channels of [1,1,2,4]', async () => {
    // x = 0…7 as [1,1,2,4]; split 2+2 on the channels: [0,1,4,5] and [2,3,6,7].
    const [a, b] = await runOn('wasm', () => tf.split(tf.tensor(Array.from({ length: 8 }, (_, i) => i), [1, 1, 2, 4]), 2, 3));
    assert.deepEqual(Array.from(a), [0, 1, 4, 5]);
    assert.deepEqual(Array.from(b), [2, 3, 6, 7]);
  });

  it('matches cpu on ModSegNet and 3D U-Net shapes (channel halves of rank 4 and rank 5), −1 sizes', async () => {
    await assertKernelParity('Slice', { x: { shape: [2, 6, 6, 64] } }, { begin: [0, 0, 0, 32], size: [2, 6, 6, 32] }, 'rank 4 channel half');
    await assertKernelParity('Slice', { x: { shape: [1, 4, 6, 6, 16] } }, { begin: [0, 0, 0, 0, 8], size: [1, 4, 6, 6, 8] }, 'rank 5 channel half');
    await assertKernelParity('Slice', { x: { shape: [2, 3, 4, 5, 6, 7] } }, { begin: [1, 0, 1, 2, 0, 3], size: [1, -1, 2, 2, 6, -1] }, 'rank 6 with −1');
    await assertKernelParity('SplitV', { x: { shape: [2, 6, 6, 64] } }, { numOrSizeSplits: [32, 32], axis: 3 }, 'split rank 4');
    await assertKernelParity('SplitV', { x: { shape: [1, 4, 6, 6, 24] } }, { numOrSizeSplits: [8, -1], axis: -1 }, 'split rank 5');
    await assertKernelParity('SplitV', { x: { shape: [3, 10, 2] } }, { numOrSizeSplits: [3, 0, 7], axis: 1 }, 'split with an empty part');
  });

  it('int32 and bool slices, and empty boxes', async () => {
    const ints = new Int32Array(Array.from({ length: 60 }, (_, i) => i - 30));
    await assertKernelParity('Slice', { x: { shape: [3, 4, 5], values: ints, dtype: 'int32' } }, { begin: [1, 1, 1], size: [2, 3, 3] }, 'int32');
    const [bools] = await runOn('wasm', () => tf.slice(tf.tensor([true, false, true, true, false, false], [2, 3], 'bool'), [0, 1], [2, 2]));
    assert.deepEqual(Array.from(bools), [0, 1, 0, 0]); // [[T,F,T],[T,F,F]] columns 1–2: [F,T],[F,F]
    const [empty] = await runOn('wasm', () => tf.slice(tf.ones([2, 3, 4]), [0, 1, 0], [2, 0, 4]));
    assert.equal(empty.length, 0);
  });

  it('a split leaves no data buffer behind once its parts are disposed', async () => {
    await tf.setBackend('wasm');
    const x = tf.ones([2, 4, 4, 8]);
    const before = backendDataIds();
    tf.dispose(tf.split(x, [3, 5], 3));
    assert.equal(backendDataIds(), before);
    x.dispose();
  });

  it('property: random boxes of rank 1–6 match cpu', async () => {
    const box = fc
      .array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 6 })
      .chain((shape) =>
        fc.tuple(
          fc.constant(shape),
          fc.tuple(...shape.map((d) => fc.integer({ min: 0, max: d - 1 }).chain((b) => fc.tuple(fc.constant(b), fc.integer({ min: 1, max: d - b }))))),
        ),
      );
    await fc.assert(
      fc.asyncProperty(box, async ([shape, ranges]) => {
        const begin = ranges.map(([b]) => b);
        const size = ranges.map(([, n]) => n);
        await assertKernelParity('Slice', { x: { shape } }, { begin, size }, `x ${shape} begin ${begin} size ${size}`, 0);
      }),
      { numRuns: 40, seed: 3 },
    );
  });
});
