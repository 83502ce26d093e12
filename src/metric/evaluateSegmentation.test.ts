import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ballMask, boxVolume } from '../../test/helpers/metricOracles.js';
import { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import { makeVolume } from '../volume/Volume.js';
import { averageSurfaceDistance } from './averageSurfaceDistance.js';
import { diceScore } from './diceScore.js';
import { evaluateSegmentation } from './evaluateSegmentation.js';
import { hausdorff95 } from './hausdorff95.js';
import { summarizeEvaluations, summaryStats } from './summarizeEvaluations.js';
import { surfaceDistances } from './surfaceDistances.js';

describe('diceScore', () => {
  test('golden values', () => {
    assert.equal(diceScore([1, 1, 0, 0], [1, 0, 0, 0], 1), 2 / 3); // 2·1 / (2 + 1)
    assert.equal(diceScore([1, 1], [2, 2], 1), 0);
    assert.equal(diceScore([0, 0], [0, 0], 1), null);
    assert.throws(() => diceScore([1], [1, 2], 1), /prediction has 1 voxels and truth 2/);
  });
});

describe('evaluateSegmentation: known shapes', () => {
  test('two 4³ cubes shifted by 2 voxels: Dice 1/2, HD95 2 voxels in mm with anisotropic spacing', () => {
    const dims = [12, 8, 8] as const;
    const pred = makeVolume(dims, boxVolume(dims, [2, 2, 2], [5, 5, 5], 3), { spacingMm: [1.5, 1, 1] });
    const truth = makeVolume(dims, boxVolume(dims, [4, 2, 2], [7, 5, 5], 3), { spacingMm: [1.5, 1, 1] });
    const r = evaluateSegmentation(pred, truth);
    assert.equal(r.labels.length, 1); // background excluded by default
    const [l] = r.labels;
    // Overlap x ∈ {4, 5}: 2·4·4 = 32 of 64 voxels each → 2·32 / 128.
    assert.equal(l.dice, 0.5);
    assert.equal(l.hausdorff95Mm, 3); // 2 voxels × 1.5 mm (see surfaceDistances.test.ts)
    assert.ok(Math.abs(l.assdMm! - 140 / 112) < 1e-12);
    assert.equal(l.status, 'ok');
    assert.equal(r.meanDice, 0.5);
    assert.equal(r.check, null);
  });

  test('background included on request', () => {
    const dims = [6, 6, 6] as const;
    const v = makeVolume(dims, boxVolume(dims, [1, 1, 1], [3, 3, 3], 1));
    const r = evaluateSegmentation(v, v, { background: 'include' });
    assert.deepEqual(r.labels.map((l) => [l.label, l.dice, l.hausdorff95Mm]), [[0, 1, 0], [1, 1, 0]]);
  });

  test('a structure missing from the prediction: Dice 0, distances null, left out of the distance means', () => {
    const dims = [10, 10, 10] as const;
    const truthData = boxVolume(dims, [1, 1, 1], [3, 3, 3], 1);
    truthData.set(boxVolume(dims, [6, 6, 6], [8, 8, 8], 2).map((x, v) => x || truthData[v]));
    const predData = boxVolume(dims, [1, 1, 1], [3, 3, 3], 1);
    const r = evaluateSegmentation(makeVolume(dims, predData), makeVolume(dims, truthData), { names: new Map([[2, 'Two']]) });
    assert.deepEqual(
      r.labels.map((l) => [l.label, l.name, l.dice, l.hausdorff95Mm, l.assdMm, l.status]),
      [
        [1, 'label 1', 1, 0, 0, 'ok'],
        [2, 'Two', 0, null, null, 'missing-in-prediction'],
      ],
    );
    assert.equal(r.meanDice, 0.5);
    assert.equal(r.meanHausdorff95Mm, 0);
    // A requested label in neither map: Dice null.
    const absent = evaluateSegmentation(makeVolume(dims, predData), makeVolume(dims, truthData), { labels: [7] });
    assert.deepEqual(absent.labels.map((l) => [l.dice, l.status]), [[null, 'absent']]);
  });

  test('with a prior, the prediction is checked too', () => {
    const dims = [7, 7, 7] as const;
    const pred = makeVolume(dims, boxVolume(dims, [2, 2, 2], [4, 4, 4], 2, 1));
    const truth = makeVolume(dims, new Uint8Array(343).fill(1));
    const prior = AdjacencyPrior.fromCounts([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    const r = evaluateSegmentation(pred, truth, { prior });
    assert.equal(r.check?.forbiddenContacts, 386);
    assert.deepEqual(r.labels.map((l) => [l.label, l.status]), [[1, 'ok'], [2, 'missing-in-truth']]);
  });
});

describe('evaluateSegmentation: the bounding-box crop changes nothing', () => {
  test('random balls on a 20³ grid: same HD95 and ASSD as surfaceDistances on the full grid', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.integer({ min: 3, max: 16 }), fc.integer({ min: 3, max: 16 }), fc.integer({ min: 3, max: 16 }), fc.integer({ min: 1, max: 5 })),
        fc.tuple(fc.integer({ min: 3, max: 16 }), fc.integer({ min: 3, max: 16 }), fc.integer({ min: 3, max: 16 }), fc.integer({ min: 1, max: 5 })),
        fc.tuple(fc.double({ min: 0.5, max: 2, noNaN: true }), fc.double({ min: 0.5, max: 2, noNaN: true }), fc.double({ min: 0.5, max: 2, noNaN: true })),
        ([ax, ay, az, ar], [bx, by, bz, br], spacing) => {
          const dims = [20, 20, 20] as const;
          const a = ballMask(dims, [ax, ay, az], ar);
          const b = ballMask(dims, [bx, by, bz], br);
          const r = evaluateSegmentation(makeVolume(dims, a, { spacingMm: spacing }), makeVolume(dims, b, { spacingMm: spacing }));
          const full = surfaceDistances(a, b, dims, { spacingMm: spacing });
          assert.ok(Math.abs(r.labels[0].hausdorff95Mm! - hausdorff95(full)) < 1e-9);
          assert.ok(Math.abs(r.labels[0].assdMm! - averageSurfaceDistance(full)) < 1e-9);
          assert.equal(r.labels[0].dice, diceScore(a, b, 1));
        },
      ),
      { numRuns: 40, seed: 9 },
    );
  });
});

describe('evaluateSegmentation: errors', () => {
  const a = makeVolume([2, 2, 2], new Uint8Array(8));
  test('different grids', () => {
    const b = makeVolume([2, 2, 1], new Uint8Array(4));
    assert.throws(() => evaluateSegmentation(a, b, { source: { prediction: 'p.nii.gz', truth: 't.nii.gz' } }), /p\.nii\.gz is 2×2×2 voxels but t\.nii\.gz is 2×2×1, expected the same grid/);
  });
  test('different affines', () => {
    const b = makeVolume([2, 2, 2], new Uint8Array(8), { spacingMm: [1, 1, 1.2] });
    assert.throws(() => evaluateSegmentation(a, b), /different affines/);
  });
  test('non-integer labels', () => {
    const b = makeVolume([2, 2, 2], new Float32Array(8).fill(0.5));
    assert.throws(() => evaluateSegmentation(a, b), /truth: voxel 0 holds 0\.5/);
  });
});

describe('summarizeEvaluations', () => {
  test('per label, per case and pooled; nulls are counted as missing', () => {
    const label = (l: number, dice: number | null, hd: number | null) => ({
      label: l, name: `label ${l}`, predictionVoxels: 1, truthVoxels: 1, dice, hausdorff95Mm: hd, assdMm: hd, status: 'ok' as const,
    });
    const result = (labels: ReturnType<typeof label>[]) => ({ labels, meanDice: null, meanHausdorff95Mm: null, meanAssdMm: null, check: null });
    const s = summarizeEvaluations([
      { case: 'a', result: result([label(1, 1, 0), label(2, 0, null)]) },
      { case: 'b', result: result([label(1, 0.5, 2), label(2, null, null)]) },
    ]);
    assert.deepEqual(s.perLabel[0].dice, { n: 2, missing: 0, mean: 0.75, std: 0.25, median: 0.75 });
    assert.deepEqual(s.perLabel[1].dice, { n: 1, missing: 0, mean: 0, std: 0, median: 0 }); // case b: absent, not counted
    assert.deepEqual(s.perLabel[1].hausdorff95Mm, { n: 0, missing: 1, mean: null, std: null, median: null });
    assert.deepEqual(s.overall.dice, { n: 3, missing: 0, mean: 0.5, std: Math.sqrt(1 / 6), median: 0.5 });
    assert.deepEqual(s.perCase.map((c) => c.case), ['a', 'b']);
  });
  test('summaryStats: median of an even sample', () => {
    assert.equal(summaryStats([4, null, 1, 3, 2]).median, 2.5);
  });
});
