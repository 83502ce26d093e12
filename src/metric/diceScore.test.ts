import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { makeVolume } from '../volume/Volume.js';
import { diceScore } from './diceScore.js';
import { evaluateSegmentation } from './evaluateSegmentation.js';

describe('diceScore: golden values', () => {
  test('per label and mean; background excluded; a label in either map counts', () => {
    // label 1: P = {0, 1}, T = {0} → 2·1/(2+1); label 2 only in the truth (missed) → 0.
    const r = diceScore([1, 1, 0, 0], [1, 0, 0, 2]);
    assert.deepEqual(r.labels.map((l) => [l.label, l.dice, l.predictionVoxels, l.truthVoxels, l.intersectionVoxels]), [
      [1, 2 / 3, 2, 1, 1],
      [2, 0, 0, 1, 0],
    ]);
    assert.equal(r.meanDice, 1 / 3);
  });
  test('a hallucinated structure (prediction only) scores 0 and counts in the mean', () => {
    const r = diceScore([1, 3, 0], [1, 0, 0]);
    assert.deepEqual(r.labels.map((l) => [l.label, l.dice]), [[1, 1], [3, 0]]);
    assert.equal(r.meanDice, 0.5);
  });
  test('a label absent from both maps is null and left out of the mean; none counted → null', () => {
    const r = diceScore([1, 0], [1, 0], { labels: [1, 5] });
    assert.deepEqual(r.labels.map((l) => l.dice), [1, null]);
    assert.equal(r.meanDice, 1);
    assert.equal(diceScore([0, 0], [0, 0]).meanDice, null);
    assert.deepEqual(diceScore([0, 0], [0, 0]).labels, []);
  });
  test('background on request, and another background code (a prior whose first label is not 0)', () => {
    // label 0: P = {1, 2}, T = {1} → 2/3.
    assert.deepEqual(diceScore([1, 0, 0], [1, 0, 1], { background: 'include' }).labels.map((l) => [l.label, l.dice]), [[0, 2 / 3], [1, 2 / 3]]);
    assert.deepEqual(diceScore([7, 0, 0], [7, 0, 0], { backgroundLabel: 7 }).labels.map((l) => l.label), [0]);
  });
  test('voxels whose truth is −1 are not evaluated in either map', () => {
    // Voxel 2 (truth −1) predicted 1 does not count: label 1 has P = T = {0} → 1.
    assert.deepEqual(diceScore([1, 0, 1], [1, 0, -1]).labels.map((l) => [l.label, l.dice, l.predictionVoxels]), [[1, 1, 1]]);
  });
  test('errors', () => {
    assert.throws(() => diceScore([1], [1, 2]), /prediction has 1 voxels and truth 2/);
    assert.throws(() => diceScore([0.5], [1]), /prediction: voxel 0 holds 0\.5/);
    assert.throws(() => diceScore([1], [1], { labels: [-1] }), /label -1 requested/);
  });
});

/** Independent oracle: sets of voxel indices per label, written without typed-array counting. */
function oracleMeanDice(pred: number[], truth: number[]): number | null {
  const evaluated = truth.map((t, v) => v).filter((v) => truth[v] !== -1);
  const labels = new Set(evaluated.flatMap((v) => [pred[v], truth[v]]).filter((c) => c > 0));
  if (labels.size === 0) return null;
  let sum = 0;
  for (const c of labels) {
    const P = new Set(evaluated.filter((v) => pred[v] === c));
    const T = new Set(evaluated.filter((v) => truth[v] === c));
    const both = [...P].filter((v) => T.has(v)).length;
    sum += (2 * both) / (P.size + T.size);
  }
  return sum / labels.size;
}

describe('diceScore: properties', () => {
  const pairs = fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: -1, max: 4 })), { minLength: 1, maxLength: 64 });
  test('mean Dice equals a set-based oracle', () => {
    fc.assert(
      fc.property(pairs, (ps) => {
        const pred = ps.map((p) => p[0]);
        const truth = ps.map((p) => p[1]);
        const got = diceScore(pred, truth).meanDice;
        const want = oracleMeanDice(pred, truth);
        if (want === null) assert.equal(got, null);
        else assert.ok(Math.abs(got! - want) < 1e-12);
      }),
      { seed: 3, numRuns: 300 },
    );
  });
  test('symmetric in prediction and truth (without ignored voxels)', () => {
    fc.assert(
      fc.property(pairs, (ps) => {
        const a = ps.map((p) => p[0]);
        const b = ps.map((p) => Math.max(0, p[1]));
        assert.equal(diceScore(a, b).meanDice, diceScore(b, a).meanDice);
      }),
      { seed: 4, numRuns: 200 },
    );
  });
  test('evaluateSegmentation reports the same Dice, per label and mean', () => {
    fc.assert(
      fc.property(pairs, (ps) => {
        const n = ps.length;
        const pred = Int8Array.from(ps, (p) => p[0]);
        const truth = Int8Array.from(ps, (p) => p[1]);
        const d = diceScore(pred, truth);
        const e = evaluateSegmentation(makeVolume([n, 1, 1], pred), makeVolume([n, 1, 1], truth));
        assert.deepEqual(e.labels.map((l) => [l.label, l.dice, l.predictionVoxels, l.truthVoxels]), d.labels.map((l) => [l.label, l.dice, l.predictionVoxels, l.truthVoxels]));
        assert.equal(e.meanDice, d.meanDice);
      }),
      { seed: 5, numRuns: 200 },
    );
  });
});
