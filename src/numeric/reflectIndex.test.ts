import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { reflectIndex } from './reflectIndex.js';

test('reflectIndex mirrors like numpy pad mode reflect', () => {
  // np.pad([0, 1, 2], 3, 'reflect') = [1, 2, 1, 0, 1, 2, 1, 0, 1]
  assert.deepEqual([-3, -2, -1, 0, 1, 2, 3, 4, 5].map((i) => reflectIndex(i, 3)), [1, 2, 1, 0, 1, 2, 1, 0, 1]);
  // np.pad([0, 1, 2, 3], 2, 'reflect') = [2, 1, 0, 1, 2, 3, 2, 1]: the edge sample is not repeated
  assert.deepEqual([-2, -1, 0, 1, 2, 3, 4, 5].map((i) => reflectIndex(i, 4)), [2, 1, 0, 1, 2, 3, 2, 1]);
  assert.deepEqual([-2, 0, 3].map((i) => reflectIndex(i, 1)), [0, 0, 0]);
});

test('reflectIndex agrees with repeated one-step mirroring (numpy pads that way)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 2, max: 12 }), fc.integer({ min: -60, max: 60 }), (n, i) => {
      let t = i;
      while (t < 0 || t >= n) t = t < 0 ? -t : 2 * (n - 1) - t;
      assert.equal(reflectIndex(i, n), t);
    }),
  );
});
