import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { undoFlipShift } from './undoFlipShift.js';

describe('undoFlipShift', () => {
  test('a flip and a shift along x: original x sits at (3 − x) + 1 = 4 − x in the copy', () => {
    // x = 0 → 4 (off the grid: fill), x = 1 → 3 (40), x = 2 → 2 (30), x = 3 → 1 (20).
    assert.deepEqual(undoFlipShift([10, 20, 30, 40], [4, 1, 1], { flip: true, shift: [1, 0, 0] }), Int32Array.from([0, 40, 30, 20]));
    assert.deepEqual(undoFlipShift([10, 20, 30, 40], [4, 1, 1], { flip: true, shift: [1, 0, 0] }, { fill: -1 }), Int32Array.from([-1, 40, 30, 20]));
  });

  test('shifts along y and z: on a 2×2×2 grid only (x, 0, 1) comes from the copy, at (x, 1, 0)', () => {
    const copy = [1, 2, 3, 4, 5, 6, 7, 8]; // index x + 2y + 4z
    assert.deepEqual(undoFlipShift(copy, [2, 2, 2], { flip: false, shift: [0, 1, -1] }), Int32Array.from([0, 0, 0, 0, 3, 4, 0, 0]));
  });

  test('the identity leaves the grid as it is', () => {
    assert.deepEqual(undoFlipShift([5, 6, 7], [3, 1, 1], { flip: false, shift: [0, 0, 0] }), Int32Array.from([5, 6, 7]));
  });

  test('undoes the forward move (copy[flip(x) + shift] = original[x]) wherever the voxel stays on the grid', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })),
        fc.boolean(),
        fc.tuple(fc.integer({ min: -5, max: 5 }), fc.integer({ min: -4, max: 4 }), fc.integer({ min: -4, max: 4 })),
        (dims, flip, shift) => {
          const n = dims[0] * dims[1] * dims[2];
          const original = Int32Array.from({ length: n }, (_, v) => v + 1);
          // Forward by coordinates of each voxel, as the copy was made: x' = flip(x) + shift, zeros shifted in.
          const copy = new Int32Array(n);
          const coords = (v: number) => [v % dims[0], Math.floor(v / dims[0]) % dims[1], Math.floor(v / (dims[0] * dims[1]))];
          const moved = (v: number) => coords(v).map((c, a) => (a === 0 && flip ? dims[0] - 1 - c : c) + shift[a]);
          const inside = (p: number[]) => p.every((c, a) => c >= 0 && c < dims[a]);
          for (let v = 0; v < n; v++) {
            const p = moved(v);
            if (inside(p)) copy[p[0] + dims[0] * (p[1] + dims[1] * p[2])] = original[v];
          }
          const back = undoFlipShift(copy, dims, { flip, shift }, { fill: -1 });
          for (let v = 0; v < n; v++) assert.equal(back[v], inside(moved(v)) ? original[v] : -1);
        },
      ),
    );
  });

  test('refuses a grid of the wrong size and a fractional shift', () => {
    assert.throws(() => undoFlipShift([1, 2, 3], [2, 2, 1], { flip: false, shift: [0, 0, 0] }), /undoFlipShift: 3 voxels, expected 2·2·1 = 4/);
    assert.throws(() => undoFlipShift([1, 2], [2, 1, 1], { flip: false, shift: [0.5, 0, 0] }), /whole voxels/);
  });
});
