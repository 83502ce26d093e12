import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertKernelParity, runKernelOn, setupParityBackends } from '../../../test/helpers/tfParity.js';

describe('UnsortedSegmentSum', () => {
  before(setupParityBackends);

  it('golden: rows with the same id add up; ids out of range are dropped', async () => {
    // ids [1, 1, 0, 2(dropped: numSegments 2), -1(dropped)] → seg0 = [5,6], seg1 = [1+3, 2+4] = [4,6].
    const got = await runKernelOn(
      'wasm',
      'UnsortedSegmentSum',
      {
        x: { shape: [5, 2], values: new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) },
        segmentIds: { shape: [5], values: new Int32Array([1, 1, 0, 2, -1]), dtype: 'int32' },
      },
      { numSegments: 2 },
    );
    assert.deepEqual(Array.from(got), [5, 6, 4, 6]);
  });

  it('matches cpu for 1-D ids over random values', async () => {
    await assertKernelParity(
      'UnsortedSegmentSum',
      { x: { shape: [7, 3, 2] }, segmentIds: { shape: [7], values: new Int32Array([0, 3, 3, 1, 0, 4, 3]), dtype: 'int32' } },
      { numSegments: 5 },
      '1-D ids',
    );
  });

  it('golden: 2-D ids index the two leading axes of x', async () => {
    // ids [[1,0],[1,1]] over x rows 10, 20, 30, 40 (one column): seg0 = 20, seg1 = 10+30+40 = 80.
    const got = await runKernelOn(
      'wasm',
      'UnsortedSegmentSum',
      {
        x: { shape: [2, 2, 1], values: new Float32Array([10, 20, 30, 40]) },
        segmentIds: { shape: [2, 2], values: new Int32Array([1, 0, 1, 1]), dtype: 'int32' },
      },
      { numSegments: 2 },
    );
    assert.deepEqual(Array.from(got), [20, 80]);
  });
});
