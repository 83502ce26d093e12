import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AdjacencyPrior } from './AdjacencyPrior.js';
import { countAdjacency } from './countAdjacency.js';
import { compareToPrior } from './compareToPrior.js';

describe('compareToPrior', () => {
  // Prior map (a row of 4 voxels): 0 1 1 2 → pairs 0–1 and 1–2 allowed, 0–2 forbidden, label 3 never seen.
  const prior = AdjacencyPrior.fromCounts(countAdjacency(new Int32Array([0, 1, 1, 2]), [4, 1, 1], { connectivity: 6, numLabels: 4 }).counts);

  test('golden values on a tiny map: one extra pair with its contacts, the missing ones with the prior counts', () => {
    // Subject (2×2×1, x fastest): row 0 = 0 2, row 1 = 0 3. Contacts (6-connectivity): 0–2 once (x), 0–3 once (x),
    // 2–3 once (y), 0–0 once (y). Extra: 0–2, 0–3, 2–3 (each 1 contact). Missing: 0–1 and 1–2 (prior counts 1 each).
    const subject = countAdjacency(new Int32Array([0, 2, 0, 3]), [2, 2, 1], { connectivity: 6, numLabels: 4 }).counts;
    const r = compareToPrior(subject, prior);
    assert.deepEqual(r.extra, [{ i: 0, j: 2, count: 1 }, { i: 0, j: 3, count: 1 }, { i: 2, j: 3, count: 1 }]);
    assert.deepEqual(r.missing, [{ i: 0, j: 1, count: 1 }, { i: 1, j: 2, count: 1 }]);
    assert.equal(r.extraContacts, 3);
  });

  test('extra pairs sorted by contacts; a map compared to its own prior has nothing extra or missing', () => {
    // 3×2×2, z = 0: 0 2 2 / 0 2 2, z = 1: 1 3 3 / 1 3 3. Contacts: 0–2 = 2 and 1–3 = 2 (x, one per row),
    // 0–1 = 2 and 2–3 = 4 (z). Against the prior: extra 2–3 (4), 0–2 (2), 1–3 (2); missing 1–2 (prior count 1).
    const subject = countAdjacency(new Int32Array([0, 2, 2, 0, 2, 2, 1, 3, 3, 1, 3, 3]), [3, 2, 2], { connectivity: 6, numLabels: 4 }).counts;
    const r = compareToPrior(subject, prior);
    assert.deepEqual(r.extra, [{ i: 2, j: 3, count: 4 }, { i: 0, j: 2, count: 2 }, { i: 1, j: 3, count: 2 }]);
    assert.deepEqual(r.missing, [{ i: 1, j: 2, count: 1 }]);
    assert.equal(r.extraContacts, 8);
    assert.deepEqual(compareToPrior(subject, AdjacencyPrior.fromCounts(subject)), { extra: [], missing: [], extraContacts: 0 });
  });

  test('bad input names the function and the sizes', () => {
    assert.throws(() => compareToPrior(new Float64Array(9), prior), /compareToPrior: 9 counts, expected 4×4 = 16/);
  });
});
