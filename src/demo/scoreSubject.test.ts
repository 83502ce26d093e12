import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import { makeVolume } from '../volume/Volume.js';
import { scoreSubject } from './scoreSubject.js';

// A 4×4×1 label map is written as 4 rows of 4 voxels, row y = 0 first (x fastest, as the Volume layout).
const volume = (rows: number[][]) => makeVolume([4, rows.length, 1], Int32Array.from(rows.flat()));

/** Background touches both; 1 and 2 never touch (the forbidden pair). */
const prior = AdjacencyPrior.fromCounts(
  [
    [10, 3, 3],
    [3, 5, 0],
    [3, 0, 5],
  ],
  { names: ['Background', 'left', 'right'] },
);

const TRUTH = volume([
  [0, 0, 0, 0],
  [1, 1, 2, 2],
  [1, 1, 2, 2],
  [0, 0, 0, 0],
]);

describe('scoreSubject', () => {
  test('a prediction equal to the truth: Dice 1, HD95 0, and the truth\'s own forbidden contacts', () => {
    const s = scoreSubject('test', 's1', null, TRUTH, TRUTH, prior);
    assert.equal(s.set, 'test');
    assert.equal(s.id, 's1');
    assert.equal(s.meanDice, 1);
    assert.equal(s.seed, null);
    assert.equal(s.meanHausdorff95Mm, 0);
    assert.equal(s.meanHausdorffMaxMm, 0);
    assert.equal(s.extraComponents, 0);
    // 1 (x = 1) touches 2 (x = 2) on rows 1 and 2: 2 face + 2 diagonal neighbour pairs (26-neighbourhood) = 4.
    assert.equal(s.forbiddenPairs, 1);
    assert.equal(s.forbiddenContacts, 4);
    assert.deepEqual(s.structures, [
      { label: 1, name: 'left', dice: 1, predictionVoxels: 4, truthVoxels: 4 },
      { label: 2, name: 'right', dice: 1, predictionVoxels: 4, truthVoxels: 4 },
    ]);
    assert.deepEqual(s.collapsed, []);
  });

  test('Dice per structure, forbidden pairs and the collapse rule by hand', () => {
    const pred = volume([
      [0, 0, 0, 0],
      [1, 0, 0, 0],
      [1, 2, 0, 0],
      [0, 0, 0, 0],
    ]);
    const s = scoreSubject('unseen-test', 's2', 4, pred, TRUTH, prior);
    // left: 2 predicted voxels, both in the truth's 4 → Dice 2·2 / (2 + 4) = 2/3; exactly half the truth's volume.
    // right: 1 predicted voxel at (1, 2), outside the truth → Dice 0; 1 < 4 / 2 → collapsed.
    assert.equal(s.structures.length, 2);
    assert.deepEqual(s.structures.map((t) => [t.name, t.predictionVoxels, t.truthVoxels]), [['left', 2, 4], ['right', 1, 4]]);
    assert.ok(Math.abs(s.structures[0].dice! - 2 / 3) < 1e-12);
    assert.equal(s.structures[1].dice, 0);
    assert.ok(Math.abs(s.meanDice! - 1 / 3) < 1e-12); // (2/3 + 0) / 2
    // right (1, 2) touches left (0, 1) diagonally and (0, 2) by a face: one forbidden pair, 2 contacts.
    assert.equal(s.forbiddenPairs, 1);
    assert.equal(s.forbiddenContacts, 2);
    assert.deepEqual(s.collapsed, ['right']);
  });

  test('collapse threshold: exactly half is kept, one voxel less is collapsed; a structure absent from the truth never is', () => {
    const at = (n: number) =>
      volume([
        [0, 0, 0, 0],
        [n > 0 ? 1 : 0, n > 1 ? 1 : 0, 2, 2],
        [0, 0, 2, 2],
        [0, 0, 0, 0],
      ]);
    // Truth: left 4 voxels. n = 2 → 2 = 4/2, not below half; n = 1 → 1 < 2, collapsed; n = 0 → missing, collapsed.
    assert.deepEqual(scoreSubject('test', 'a', null, at(2), TRUTH, prior).collapsed, []);
    assert.deepEqual(scoreSubject('test', 'b', null, at(1), TRUTH, prior).collapsed, ['left']);
    const missing = scoreSubject('test', 'c', null, at(0), TRUTH, prior);
    assert.deepEqual(missing.collapsed, ['left']);
    assert.deepEqual(missing.structures[0], { label: 1, name: 'left', dice: 0, predictionVoxels: 0, truthVoxels: 4 });
    // Odd truth volume: 3 voxels → half is 1.5; 2 predicted is kept, 1 is collapsed.
    const truth3 = volume([[1, 1, 1, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 2]]);
    assert.deepEqual(scoreSubject('test', 'd', null, volume([[1, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 2]]), truth3, prior).collapsed, []);
    assert.deepEqual(scoreSubject('test', 'e', null, volume([[1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 2]]), truth3, prior).collapsed, ['left']);
    // A structure only in the prediction (truth 0 voxels) is scored (Dice 0) but is not a collapse.
    const extra = scoreSubject('test', 'f', null, volume([[1, 1, 1, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 2, 0, 2]]), volume([[1, 1, 1, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]), prior);
    assert.deepEqual(extra.structures.map((t) => [t.name, t.dice, t.truthVoxels]), [['left', 1, 3], ['right', 0, 0]]);
    assert.deepEqual(extra.collapsed, []);
  });

  test('property: matches a brute-force Dice, 26-neighbour contact count and collapse rule on random 4×3×2 maps', () => {
    const dims = [4, 3, 2] as const;
    const n = dims[0] * dims[1] * dims[2];
    const L = 4;
    const labelMap = fc.array(fc.integer({ min: 0, max: L - 1 }), { minLength: n, maxLength: n });
    // Allowed flags of the 6 off-diagonal unordered pairs of 4 labels.
    const allowed = fc.array(fc.boolean(), { minLength: 6, maxLength: 6 });
    fc.assert(
      fc.property(labelMap, labelMap, allowed, (p, t, ok) => {
        const counts: number[][] = Array.from({ length: L }, (_, i) => Array.from({ length: L }, (_, j) => (i === j ? 1 : 0)));
        let k = 0;
        for (let i = 0; i < L; i++) for (let j = i + 1; j < L; j++, k++) counts[i][j] = counts[j][i] = ok[k] ? 2 : 0;
        const names = ['bg', 'a', 'b', 'c'];
        const pr = AdjacencyPrior.fromCounts(counts, { names });
        const s = scoreSubject('test', 'x', null, makeVolume(dims, Int32Array.from(p)), makeVolume(dims, Int32Array.from(t)), pr);

        // Dice and collapse over the labels present in either map, background excluded.
        const want: Array<{ name: string; dice: number; pv: number; tv: number }> = [];
        for (let l = 1; l < L; l++) {
          const pv = p.filter((v) => v === l).length;
          const tv = t.filter((v) => v === l).length;
          if (pv + tv === 0) continue;
          const both = p.filter((v, i) => v === l && t[i] === l).length;
          want.push({ name: names[l], dice: (2 * both) / (pv + tv), pv, tv });
        }
        assert.deepEqual(s.structures.map((x) => [x.name, x.predictionVoxels, x.truthVoxels]), want.map((w) => [w.name, w.pv, w.tv]));
        s.structures.forEach((x, i) => assert.ok(Math.abs(x.dice! - want[i].dice) < 1e-12));
        if (want.length === 0) assert.equal(s.meanDice, null);
        else assert.ok(Math.abs(s.meanDice! - want.reduce((a, w) => a + w.dice, 0) / want.length) < 1e-12);
        assert.deepEqual(s.collapsed, want.filter((w) => w.tv > 0 && 2 * w.pv < w.tv).map((w) => w.name));

        // Every unordered pair of distinct voxels within Chebyshev distance 1, once.
        const pairs = new Set<string>();
        let contacts = 0;
        const at = (x: number, y: number, z: number) => x + dims[0] * (y + dims[1] * z);
        for (let a = 0; a < n; a++) {
          for (let b = a + 1; b < n; b++) {
            const [ax, ay, az] = [a % dims[0], Math.floor(a / dims[0]) % dims[1], Math.floor(a / (dims[0] * dims[1]))];
            const [bx, by, bz] = [b % dims[0], Math.floor(b / dims[0]) % dims[1], Math.floor(b / (dims[0] * dims[1]))];
            assert.equal(at(bx, by, bz), b);
            if (Math.max(Math.abs(ax - bx), Math.abs(ay - by), Math.abs(az - bz)) > 1) continue;
            const [la, lb] = [p[a], p[b]];
            if (la !== lb && counts[la][lb] === 0) {
              contacts++;
              pairs.add(`${Math.min(la, lb)}-${Math.max(la, lb)}`);
            }
          }
        }
        assert.equal(s.forbiddenContacts, contacts);
        assert.equal(s.forbiddenPairs, pairs.size);
      }),
      { numRuns: 150, seed: 7 },
    );
  });

  test('grids that differ are refused, naming the subject', () => {
    const other = makeVolume([4, 4, 1], new Int32Array(16), { spacingMm: [2, 2, 2] });
    assert.throws(() => scoreSubject('test', 's9', null, other, TRUTH, prior), /test\/s9/);
  });
});
