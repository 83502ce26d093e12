import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { volumeFrom } from '../../test/helpers/trainingDataFixtures.js';
import { extractSlice } from '../../test/helpers/extractSlice.js';
import { insertSlice } from '../../test/helpers/insertSlice.js';
import { sliceAxis } from './sliceAxis.js';

// 4×3×2 volume with v = i + 10j + 100k, so each value spells its own coordinates.
const vol = volumeFrom([4, 3, 2], (i, j, k) => i + 10 * j + 100 * k);

describe('sliceAxis / extractSlice / insertSlice', () => {
  test('coronal slice 1 of the 4×3×2 volume: H = z, W = x', () => {
    assert.deepEqual(sliceAxis(vol.dims, 1), { axis: 1, depth: 3, height: 2, width: 4, sliceStride: 4, rowStride: 12, colStride: 1 });
    assert.deepEqual(Array.from(extractSlice(vol.data, vol.dims, { axis: 1, index: 1 })), [10, 11, 12, 13, 110, 111, 112, 113]);
  });

  test('sagittal (H = z, W = y) and axial (H = y, W = x) slices', () => {
    assert.deepEqual(Array.from(extractSlice(vol.data, vol.dims, { axis: 0, index: 2 })), [2, 12, 22, 102, 112, 122]);
    assert.deepEqual(Array.from(extractSlice(vol.data, vol.dims, { axis: 2, index: 1 })), [100, 101, 102, 103, 110, 111, 112, 113, 120, 121, 122, 123]);
  });

  test('inserting every extracted slice rebuilds the volume, on every axis', () => {
    fc.assert(
      fc.property(fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 })), fc.constantFrom(0, 1, 2), (dims, axis) => {
        const v = volumeFrom(dims, () => Math.random());
        const out = new Float32Array(v.data.length);
        const depth = sliceAxis(dims, axis).depth;
        for (let s = 0; s < depth; s++) insertSlice(out, dims, extractSlice(v.data, dims, { axis: axis as 0 | 1 | 2, index: s }), { axis: axis as 0 | 1 | 2, index: s });
        assert.deepEqual(out, v.data);
      }),
    );
  });

  test('errors name the bad value', () => {
    assert.throws(() => sliceAxis([2, 2, 2], 3), /axis is 3, expected 0 \(x, sagittal\), 1 \(y, coronal\) or 2/);
    assert.throws(() => extractSlice(vol.data, vol.dims, { axis: 1, index: 3 }), /index 3 is outside the volume, expected an integer in 0\.\.2/);
    assert.throws(() => insertSlice(vol.data, vol.dims, [1, 2], { axis: 1, index: 0 }), /slice has 2 values, expected 2×4/);
  });
});
