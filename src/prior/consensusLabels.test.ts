import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { consensusLabels } from './consensusLabels.js';

describe('consensusLabels: golden values', () => {
  test('three maps, two of three must agree', () => {
    const r = consensusLabels([Int32Array.of(1, 2, 0, -1), Int32Array.of(1, 3, 1, -1), Int32Array.of(1, 2, 2, -1)], 4, 2);
    // voxel 0: 1,1,1 → 1; voxel 1: 2,3,2 → 2; voxel 2: 0,1,2 → none; voxel 3: no vote.
    assert.deepEqual([...r.labels], [1, 2, -1, -1]);
    assert.equal(r.agreed, 2);
    assert.equal(r.disputed, 1);
  });

  test('a map without a vote (−1) does not count against the others', () => {
    const r = consensusLabels([Int32Array.of(5), Int32Array.of(-1), Int32Array.of(5)], 6, 2);
    assert.deepEqual([...r.labels], [5]);
    assert.deepEqual([...consensusLabels([Int32Array.of(5), Int32Array.of(-1), Int32Array.of(4)], 6, 2).labels], [-1]);
  });

  test('below a majority, the label with more votes wins, ties to the smaller label', () => {
    assert.deepEqual([...consensusLabels([[3], [3], [1], [1], [2]], 4, 2).labels], [1]);
    assert.deepEqual([...consensusLabels([[3], [3], [3], [1], [1]], 4, 2).labels], [3]);
  });
});

describe('consensusLabels: properties', () => {
  test('minVotes 1 with one map returns the map; minVotes K keeps exactly the voxels where all K agree', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 40 }), fc.integer(), (K, base, seed) => {
        const maps = Array.from({ length: K }, (_, k) => Int32Array.from(base, (l, v) => ((seed + v * 7 + k) % 5 === 0 ? (l + 1) % 4 : l)));
        assert.deepEqual([...consensusLabels([maps[0]], 4, 1).labels], [...maps[0]]);
        const all = consensusLabels(maps, 4, K).labels;
        for (let v = 0; v < base.length; v++) {
          const same = maps.every((m) => m[v] === maps[0][v]);
          assert.equal(all[v], same ? maps[0][v] : -1);
        }
      }),
    );
  });

  test('raising minVotes only removes voxels, never changes a kept label', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.integer({ min: -1, max: 2 }), { minLength: 12, maxLength: 12 }), { minLength: 3, maxLength: 5 }), (rows) => {
        const lower = consensusLabels(rows, 3, Math.floor(rows.length / 2) + 1).labels;
        const higher = consensusLabels(rows, 3, rows.length).labels;
        for (let v = 0; v < 12; v++) if (higher[v] !== -1) assert.equal(lower[v], higher[v]);
      }),
    );
  });
});

describe('consensusLabels: errors', () => {
  test('names the value at fault', () => {
    assert.throws(() => consensusLabels([], 2, 1), /no label map/);
    assert.throws(() => consensusLabels([[0]], 2, 2), /minVotes is 2, expected an integer in \[1, 1\]/);
    assert.throws(() => consensusLabels([[0], [0, 1]], 2, 1), /map 1 has 2 voxels, expected 1/);
    assert.throws(() => consensusLabels([[0, 7]], 2, 1), /map 0 has label 7 at voxel 1/);
  });
});
