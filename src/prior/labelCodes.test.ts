import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { labelCodes } from './labelCodes.js';

describe('labelCodes', () => {
  // Every array type a label map may come in: the unsigned fast path and the checked loop must agree.
  const values = [0, 3, 3, 14175, 0, 7, 65535];
  for (const make of [Uint16Array, Int32Array, Float32Array, Float64Array] as const) {
    test(`${make.name}: the distinct codes ascending, each code's index`, () => {
      const { codes, indexOf, ignoredVoxels } = labelCodes(make.from(values));
      assert.deepEqual(codes, [0, 3, 7, 14175, 65535]);
      assert.deepEqual([14175, 3, 8].map(indexOf), [3, 1, -1]);
      assert.equal(ignoredVoxels, 0);
    });
  }

  test('Uint8Array: codes 0 … 255', () => {
    assert.deepEqual(labelCodes(Uint8Array.from([255, 0, 9, 9])).codes, [0, 9, 255]);
  });

  test('−1 is ignored and counted; a signed map keeps its checks', () => {
    const r = labelCodes(Int16Array.from([-1, -1, 2, -1, 0]));
    assert.deepEqual(r.codes, [0, 2]);
    assert.equal(r.ignoredVoxels, 3);
    assert.throws(() => labelCodes(Float32Array.from([0, 1.5]), { source: 'f.nii' }), /f\.nii: voxel 1 holds 1\.5, expected an integer label/);
  });

  test('too many distinct labels: the error names the voxel and the limit, on the unsigned fast path too', () => {
    for (const make of [Uint8Array, Uint16Array, Int16Array] as const) {
      assert.throws(() => labelCodes(make.from([0, 1, 2, 3, 4]), { source: 'm.nii', maxLabels: 3 }), /m\.nii: label 3 \(voxel 3\) is distinct label number 4, over the limit of 3 distinct labels/);
    }
  });
});
