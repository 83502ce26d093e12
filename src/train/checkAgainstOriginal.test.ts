import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import { makeVolume, type Volume } from '../volume/Volume.js';
import { checkAgainstOriginal, GUARD_MIN_DICE } from './checkAgainstOriginal.js';

/** A 4×1×1 label map. */
const row = (labels: number[]): Volume => makeVolume([labels.length, 1, 1], Int32Array.from(labels), { spacingMm: [1, 1, 1] });
/** Labels 0, 1, 2, 3; 0–2 and 0–3 forbidden (the rest allowed). */
const prior = AdjacencyPrior.fromCounts([
  [5, 5, 0, 0],
  [5, 5, 5, 5],
  [0, 5, 5, 5],
  [0, 5, 5, 5],
]);

describe('checkAgainstOriginal', () => {
  test('golden: the worst label and the forbidden contacts of a 1×1×4 row', () => {
    const original = row([0, 1, 1, 2]);
    // Adapted [0, 1, 2, 2]: label 1 {1} vs {1, 2}: 2·1/(1+2) = 0.667; label 2 {2, 3} vs {3}: 0.667; the first is kept on a tie.
    // No forbidden contact: 0–1, 1–2, 2–2 are allowed.
    const r = checkAgainstOriginal([row([0, 1, 2, 2])], [original], prior, 0.9);
    assert.equal(r.worst!.label, 1);
    assert.ok(Math.abs(r.worst!.dice - 2 / 3) < 1e-12);
    assert.deepEqual([r.worst!.scan, r.forbiddenContacts, r.forbiddenPairs, r.passed], [0, 0, 0, false]);
    assert.equal(checkAgainstOriginal([row([0, 1, 2, 2])], [original], prior, 0.6).passed, true);
    // [0, 2, 1, 2]: 0–2 touch (1 contact, forbidden); label 1 {2} vs {1, 2}: 0.667; label 2 {1, 3} vs {3}: 0.667.
    const bad = checkAgainstOriginal([row([0, 2, 1, 2])], [original], prior);
    assert.deepEqual([bad.forbiddenContacts, bad.forbiddenPairs], [1, 1]);
  });

  test('the original against itself: Dice 1 for every label, passed at any tolerance; a label only the adapted one has does not count', () => {
    const original = row([0, 1, 1, 2]);
    const r = checkAgainstOriginal([original], [original], prior, 1);
    assert.deepEqual(r.worst, { label: 1, dice: 1, scan: 0 });
    assert.equal(r.passed, true);
    // Label 3 appears in place of a background voxel (the background is not scored): labels 1 and 2 keep Dice 1.
    const added = checkAgainstOriginal([row([3, 1, 1, 2])], [row([0, 1, 1, 2])], prior, 1);
    assert.deepEqual([added.passed, added.forbiddenContacts], [true, 0]);
  });

  test('a label that vanishes scores 0; the scans are summed and the worst is named with its scan', () => {
    const originals = [row([0, 1, 1, 2]), row([0, 1, 2, 2])];
    const r = checkAgainstOriginal([row([0, 1, 1, 2]), row([0, 1, 1, 1])], originals, prior);
    assert.deepEqual(r.worst, { label: 2, dice: 0, scan: 1 });
    assert.equal(r.passed, false);
    const contacts = checkAgainstOriginal([row([0, 2, 1, 2]), row([0, 2, 1, 2])], originals, prior);
    assert.equal(contacts.forbiddenContacts, 2);
  });

  test('a background-only original has no worst label and passes', () => {
    const r = checkAgainstOriginal([row([0, 1, 0, 0])], [row([0, 0, 0, 0])], prior);
    assert.deepEqual([r.worst, r.passed], [null, true]);
  });

  test('the default tolerance is 0.9', () => {
    assert.equal(GUARD_MIN_DICE, 0.9);
    assert.equal(checkAgainstOriginal([row([0, 1, 2, 2])], [row([0, 1, 1, 2])], prior).passed, false);
  });

  test('bad input names the value', () => {
    assert.throws(() => checkAgainstOriginal([row([0])], [row([0])], prior, 1.5), /checkAgainstOriginal: minDice is 1.5/);
    assert.throws(() => checkAgainstOriginal([row([0])], [], prior), /checkAgainstOriginal: 1 segmentations and 0 originals/);
    assert.throws(() => checkAgainstOriginal([row([0, 0])], [row([0])], prior), /checkAgainstOriginal: scan 0 has 2 voxels and its original 1/);
  });
});
