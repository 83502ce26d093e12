import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { boxVolume } from '../../test/helpers/metricOracles.js';
import { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import { countAdjacency } from '../prior/countAdjacency.js';
import { readNiftiFile } from '../volume/niftiFile.js';
import { makeVolume, type Volume } from '../volume/Volume.js';
import { checkSegmentation } from '../metric/checkSegmentation.js';
import { evaluateSegmentation } from '../metric/evaluateSegmentation.js';
import { pasteIslands } from '../synth/pasteIslands.js';
import { repairSegmentation } from './repairSegmentation.js';

const at = (i: number, j: number, k: number) => i + 10 * (j + 6 * k);

/**
 * A clean 10×6×6 map: Left (1) for x < 5, Right (2) for x ≥ 5, with a 3×3×3 block of Odd (3) inside Right at
 * [6..8] × [1..3] × [1..3]. The prior allows Left–Right and Right–Odd; Odd–Left and everything with Bg (0) are forbidden.
 */
function clean(): Uint8Array {
  const out = new Uint8Array(360);
  for (let v = 0; v < 360; v++) out[v] = v % 10 < 5 ? 1 : 2;
  for (let k = 1; k <= 3; k++) for (let j = 1; j <= 3; j++) for (let i = 6; i <= 8; i++) out[at(i, j, k)] = 3;
  return out;
}
const prior = AdjacencyPrior.fromCounts(
  [
    [1, 0, 0, 0],
    [0, 1, 1, 0],
    [0, 1, 1, 1],
    [0, 0, 1, 1],
  ],
  { names: ['Bg', 'Left', 'Right', 'Odd'] },
);

describe('repairSegmentation: small cases', () => {
  test('an island of a forbidden label goes back to its host; the report says what changed', () => {
    const data = clean();
    data[at(1, 2, 2)] = 3;
    const volume = makeVolume([10, 6, 6], data, { spacingMm: [2, 1, 1] });
    const r = repairSegmentation(volume, prior);
    assert.deepEqual(r.volume.data, clean());
    assert.equal(r.changes.length, 1);
    const [c] = r.changes;
    assert.deepEqual([c.from, c.fromName, c.to, c.toName, c.voxels, c.volumeMm3], [3, 'Odd', 1, 'Left', 1, 2]);
    // 26 neighbours, all Left: 26 forbidden contacts before, none after.
    assert.deepEqual([c.forbiddenContactsBefore, c.forbiddenContactsAfter], [26, 0]);
    assert.deepEqual(c.centroidVoxel, [1, 2, 2]);
    assert.deepEqual(c.centroidMm, [2, 2, 2]);
    assert.deepEqual([r.voxelsChanged, r.iterations, r.stable], [1, 2, true]);
    assert.equal(volume.data[at(1, 2, 2)], 3, 'the input is untouched');
  });

  test('a stray piece of Right inside Left is allowed (Left–Right), so it stays', () => {
    const data = clean();
    data[at(1, 2, 2)] = 2;
    assert.equal(repairSegmentation(makeVolume([10, 6, 6], data), prior).changes.length, 0);
  });

  test('the largest component of a label is never touched, however small', () => {
    const data = clean().map((l) => (l === 3 ? 2 : l));
    data[at(1, 2, 2)] = 3;
    data[at(3, 2, 2)] = 3;
    data[at(3, 3, 2)] = 3; // a 2-voxel island: now the largest Odd component, kept
    const r = repairSegmentation(makeVolume([10, 6, 6], data), prior);
    assert.deepEqual(r.changes.map((c) => [c.from, c.to, c.voxels]), [[3, 1, 1]]);
    // What remains: the domino's contacts with Left, 2 voxels × (26 − 1 neighbour inside the domino) = 50.
    assert.equal(checkSegmentation(r.volume, prior).forbiddenContacts, 50);
  });

  test('components above the size limit are left alone', () => {
    const data = clean();
    data[at(1, 2, 2)] = 3;
    assert.equal(repairSegmentation(makeVolume([10, 6, 6], data), prior, { maxComponentMm3: 0.5 }).changes.length, 0);
    assert.equal(repairSegmentation(makeVolume([10, 6, 6], data), prior, { maxComponentMm3: 1 }).changes.length, 1);
  });

  test('two touching islands are not relabelled in the same round, and the result is stable', () => {
    // An Odd voxel and a Bg voxel side by side in Left; Bg's bulk (largest component) sits in Right.
    const data = clean();
    for (let k = 1; k <= 2; k++) for (let j = 4; j <= 5; j++) data[at(8, j, k)] = 0;
    data[at(1, 2, 2)] = 3;
    data[at(2, 2, 2)] = 0;
    const r = repairSegmentation(makeVolume([10, 6, 6], data), prior);
    assert.deepEqual(r.changes.map((c) => [c.iteration, c.from, c.to]), [[1, 3, 1], [2, 0, 1]]);
    assert.deepEqual([r.volume.data[at(1, 2, 2)], r.volume.data[at(2, 2, 2)]], [1, 1]);
    assert.deepEqual([r.iterations, r.stable], [3, true]);
  });

  test('errors', () => {
    assert.throws(() => repairSegmentation(makeVolume([10, 6, 6], clean()), prior, { maxComponentMm3: 0 }), /maxComponentMm3 is 0/);
  });
});

describe('repairSegmentation: the bundled AAL atlas', () => {
  let aal: Volume;
  let aalPrior: AdjacencyPrior;
  before(async () => {
    aal = await readNiftiFile(new URL('../../data/aal.nii.gz', import.meta.url).pathname);
    aalPrior = AdjacencyPrior.fromCounts(countAdjacency(aal.data, aal.dims).counts);
  });

  test('a clean atlas is left unchanged', () => {
    const r = repairSegmentation(aal, aalPrior);
    assert.equal(r.changes.length, 0);
    assert.deepEqual(r.volume.data, aal.data);
  });

  test('pasted islands are removed exactly: Dice back to 1, no forbidden contact', () => {
    const hosts = Array.from({ length: 116 }, (_, i) => i + 1);
    const { volume, islands } = pasteIslands(aal, { count: 8, prior: aalPrior, seed: 7, hosts });
    assert.equal(checkSegmentation(volume, aalPrior).forbiddenContacts, 8 * 386);
    const r = repairSegmentation(volume, aalPrior);
    assert.deepEqual(
      r.changes.map((c) => [c.from, c.to, c.voxels]).sort(),
      islands.map((i) => [i.label, i.host, 27]).sort(),
    );
    assert.equal(checkSegmentation(r.volume, aalPrior).forbiddenContacts, 0);
    assert.equal(evaluateSegmentation(r.volume, aal).meanDice, 1);
  });
});
