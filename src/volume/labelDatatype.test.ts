import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { labelDatatype } from './labelDatatype.js';
import { makeVolume } from './Volume.js';

describe('labelDatatype', () => {
  const nifti = { writer: 'writeNifti', candidates: ['uint8', 'int16', 'uint16', 'int32'] } as const;

  test('the smallest candidate holding the range; a preferred type when allowed and it fits', () => {
    assert.equal(labelDatatype(makeVolume([3, 1, 1], Float32Array.from([0, 1, 300])), nifti), 'int16');
    assert.equal(labelDatatype(makeVolume([3, 1, 1], Float32Array.from([0, 1, 300])), { ...nifti, prefer: 'int32' }), 'int32');
    // Preferred but too small: the smallest that fits instead.
    assert.equal(labelDatatype(makeVolume([3, 1, 1], Float32Array.from([0, 1, 300])), { ...nifti, prefer: 'uint8' }), 'int16');
    // Preferred but not one the format may write (allowed defaults to the candidates).
    assert.equal(labelDatatype(makeVolume([2, 1, 1], Float32Array.from([0, 5])), { ...nifti, prefer: 'int8' }), 'uint8');
    assert.equal(labelDatatype(makeVolume([2, 1, 1], Float32Array.from([0, 5])), { ...nifti, prefer: 'int8', allowed: ['int8'] }), 'int8');
  });

  test('a label that is not an integer is refused, naming the writer, the voxel and its frame', () => {
    const data = new Float32Array(2 * 2 * 1 * 2);
    data[7] = 2.5; // i = 1, j = 1, k = 0 of frame 1
    assert.throws(
      () => labelDatatype(makeVolume([2, 2, 1], data), { writer: 'writeMgh', candidates: ['uint8'] }),
      /^RangeError: writeMgh: label value 2\.5 at voxel 7 \(i=1, j=1, k=0, frame 1\) is not an integer/,
    );
  });

  test('a range no candidate holds is refused, naming the writer and the range', () => {
    assert.throws(() => labelDatatype(makeVolume([2, 1, 1], Float64Array.from([0, 2 ** 31])), nifti), /^RangeError: writeNifti: labels span 0\.\.2147483648, which does not fit in int32/);
  });
});
