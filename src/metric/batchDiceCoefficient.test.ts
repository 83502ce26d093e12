import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { batchDiceCoefficient } from './batchDiceCoefficient.js';

test('batchDiceCoefficient: a 3-item batch of 2×3 slices by hand', () => {
  const labels = Int32Array.from([
    0, 1, 1, 2, 2, -1, // item 0
    0, 0, 0, 0, 0, 0, // item 1
    0, 0, 0, 0, 0, 0, // item 2
  ]);
  const prediction = Int32Array.from([
    0, 1, 2, 2, 2, 1, // class 1: P = {1}, T = {1, 2} → 2/3; class 2: P = {2, 3, 4}, T = {3, 4} → 4/5; voxel 5 ignored
    0, 0, 3, 0, 0, 0, // class 3 predicted but absent: 0
    0, 0, 0, 0, 0, 0, // nothing but background: no value, left out
  ]);
  const r = batchDiceCoefficient(labels, prediction, { batchSize: 3 });
  assert.deepEqual(r.perItem, [(2 / 3 + 4 / 5) / 2, 0, null]);
  assert.equal(r.itemsCounted, 2);
  assert.equal(r.meanDice, ((2 / 3 + 4 / 5) / 2 + 0) / 2); // 11/30
  assert.equal(batchDiceCoefficient(labels.subarray(12), prediction.subarray(12), { batchSize: 1 }).meanDice, null);
});

test('batchDiceCoefficient: perfect predictions score 1; errors', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 8, maxLength: 8 }), (xs) => {
      const labels = Int32Array.from(xs);
      const r = batchDiceCoefficient(labels, labels, { batchSize: 2 });
      for (const d of r.perItem) assert.ok(d === null || d === 1);
    }),
    { seed: 1, numRuns: 50 },
  );
  assert.throws(() => batchDiceCoefficient(new Int32Array(6), new Int32Array(6), { batchSize: 4 }), /6 labels do not split into 4 equal items/);
  assert.throws(() => batchDiceCoefficient(new Int32Array(6), new Int32Array(5), { batchSize: 1 }), /prediction has 5 values and labels 6/);
  assert.throws(() => batchDiceCoefficient(Int32Array.from([-2]), Int32Array.from([0]), { batchSize: 1 }), /item 0: truth/);
});
