import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { seededRandom } from '../numeric/seededRandom.js';
import { drawPatchOrigin } from './drawPatchOrigin.js';

test('drawPatchOrigin: a patch the size of the region is the region; a larger one is centred on it', () => {
  const rng = seededRandom(1);
  assert.deepEqual(drawPatchOrigin([10, 10, 10], [4, 4, 4], rng, { start: [2, 3, 5], size: [4, 4, 4] }), [2, 3, 5]);
  // region 4 wide, patch 8: (8 − 4) / 2 = 2 voxels on each side.
  assert.deepEqual(drawPatchOrigin([10, 10, 10], [8, 4, 4], rng, { start: [2, 3, 5], size: [4, 4, 4] }), [0, 3, 5]);
});

test('drawPatchOrigin: a patch that fits stays inside the region, and every position is reached', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.integer(), (start, n, s, seed) => {
      fc.pre(s <= n);
      const rng = seededRandom(seed);
      const seen = new Set<number>();
      for (let t = 0; t < 200; t++) {
        const [x, y, z] = drawPatchOrigin([12, 12, 12], [s, s, s], rng, { start: [start, start, start], size: [n, n, n] });
        for (const o of [x, y, z]) assert.ok(o >= start && o + s <= start + n, `origin ${o}, patch ${s}, region ${start}+${n}`);
        seen.add(x);
      }
      assert.equal(seen.size, n - s + 1);
    }),
  );
});

test('drawPatchOrigin: a region outside the grid is refused', () => {
  assert.throws(() => drawPatchOrigin([4, 4, 4], [2, 2, 2], seededRandom(1), { start: [3, 0, 0], size: [2, 4, 4] }), /drawPatchOrigin: region start \[3, 0, 0\] size \[2, 4, 4\] is not inside the grid \[4, 4, 4\]/);
});
