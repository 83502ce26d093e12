import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { volumeFrom } from '../../test/helpers/trainingDataFixtures.js';
import { make25dSample } from './make25dSample.js';

// 4×3×2 volume with v = i + 10j + 100k; labels = j (so the label slice says which slice it came from).
const vol = volumeFrom([4, 3, 2], (i, j, k) => i + 10 * j + 100 * k);
const labels = volumeFrom([4, 3, 2], (_i, j) => j, Int16Array);

/** Channel c of an [H, W, k] sample as an [H, W] row-major list. */
function channel(image: Float32Array, k: number, c: number): number[] {
  return Array.from(image).filter((_, i) => i % k === c);
}

describe('make25dSample', () => {
  test('coronal k = 3 at index 1: channels are slices 0, 1, 2 (channels-last), label = centre slice', () => {
    const s = make25dSample(vol, labels, { axis: 1, index: 1, k: 3 });
    assert.equal(s.height, 2);
    assert.equal(s.width, 4);
    // Pixel (row 0, col 0) holds voxels (0, j, 0) for j = 0, 1, 2 → 0, 10, 20, then pixel (0, 1) → 1, 11, 21.
    assert.deepEqual(Array.from(s.image.subarray(0, 6)), [0, 10, 20, 1, 11, 21]);
    assert.deepEqual(channel(s.image, 3, 1), [10, 11, 12, 13, 110, 111, 112, 113]);
    assert.deepEqual(Array.from(s.label as Int32Array), [1, 1, 1, 1, 1, 1, 1, 1]);
  });

  test('reflect padding at both ends (numpy reflect: the edge slice is not repeated)', () => {
    // ny = 3, k = 5: index 0 reads slices −2..2 → 2, 1, 0, 1, 2; index 2 reads 0..4 → 0, 1, 2, 1, 0.
    const first = make25dSample(vol, null, { axis: 1, index: 0, k: 5 });
    assert.deepEqual([0, 1, 2, 3, 4].map((c) => channel(first.image, 5, c)[0] / 10), [2, 1, 0, 1, 2]);
    const last = make25dSample(vol, null, { axis: 1, index: 2, k: 5 });
    assert.deepEqual([0, 1, 2, 3, 4].map((c) => channel(last.image, 5, c)[0] / 10), [0, 1, 2, 1, 0]);
    assert.equal(first.label, null);
  });

  test('k = 7 on the axial axis (nz = 2) keeps bouncing between the two slices', () => {
    const s = make25dSample(vol, null, { axis: 2, index: 0, k: 7 });
    // slices −3..3 with n = 2 (period 2) → 1, 0, 1, 0, 1, 0, 1
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map((c) => channel(s.image, 7, c)[0] / 100), [1, 0, 1, 0, 1, 0, 1]);
  });

  test('padTo pads centred (extra at the end) with imagePad and labelPad', () => {
    const s = make25dSample(vol, labels, { axis: 1, index: 2, k: 1, padTo: [3, 7], imagePad: -5 });
    // H 2 → 3: 0 rows before, 1 after; W 4 → 7: 1 column before, 2 after.
    assert.deepEqual(Array.from(s.image), [-5, 20, 21, 22, 23, -5, -5, -5, 120, 121, 122, 123, -5, -5, -5, -5, -5, -5, -5, -5, -5]);
    assert.deepEqual(Array.from(s.label as Int32Array), [-1, 2, 2, 2, 2, -1, -1, -1, 2, 2, 2, 2, -1, -1, -1, -1, -1, -1, -1, -1, -1]);
    const zero = make25dSample(vol, labels, { axis: 1, index: 2, k: 1, padTo: [3, 4], labelPad: 0 });
    assert.deepEqual(Array.from(zero.label as Int32Array).slice(8), [0, 0, 0, 0]);
  });

  test('padTo crops centred (the extra column is dropped at the end)', () => {
    const s = make25dSample(vol, null, { axis: 1, index: 0, k: 1, padTo: [1, 3] });
    // H 2 → 1 keeps row 0 (offset ⌊1/2⌋ = 0); W 4 → 3 keeps columns 0..2.
    assert.deepEqual(Array.from(s.image), [0, 1, 2]);
    const t = make25dSample(vol, null, { axis: 1, index: 0, k: 1, padTo: [2, 2] });
    // W 4 → 2 keeps columns 1..2 (offset 1).
    assert.deepEqual(Array.from(t.image), [1, 2, 101, 102]);
  });

  test('bad input', () => {
    assert.throws(() => make25dSample(vol, null, { axis: 1, index: 0, k: 4 }), /k is 4, expected a positive odd number/);
    assert.throws(() => make25dSample(vol, null, { axis: 1, index: 3, k: 3 }), /index 3 is outside the volume, expected an integer in 0\.\.2 along axis 1/);
    const other = volumeFrom([4, 3, 3], () => 0);
    assert.throws(() => make25dSample(vol, other, { axis: 1, index: 0, k: 3 }), /label grid 4×3×3 differs from image grid 4×3×2/);
    assert.throws(() => make25dSample(vol, null, { axis: 1, index: 0, k: 3, padTo: [0, 4] }), /padTo is \[0,4\]/);
  });
});
