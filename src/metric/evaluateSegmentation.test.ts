import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ballMask, boxVolume, bruteForceComponents, bruteForceSurfaceDistances } from '../../test/helpers/metricOracles.js';
import { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import { makeVolume } from '../volume/Volume.js';
import { averageSurfaceDistance } from './averageSurfaceDistance.js';
import { diceScore } from './diceScore.js';
import { evaluateSegmentation } from './evaluateSegmentation.js';
import { hausdorff95 } from './hausdorff95.js';
import { summarizeEvaluations, summaryStats } from './summarizeEvaluations.js';
import { surfaceDistances } from './surfaceDistances.js';

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

describe('evaluateSegmentation: HD100 and connected components', () => {
  test('a one-voxel island 7 voxels away: HD95 hides it (0), HD100 shows it (7 mm); 2 components, 1 extra', () => {
    const dims = [12, 6, 6] as const;
    const truth = boxVolume(dims, [1, 1, 1], [3, 3, 3], 1);
    const pred = truth.slice();
    pred[10 + 12 * (3 + 6 * 3)] = 1; // (10, 3, 3): 7 voxels along x from the cube's corner (3, 3, 3)
    const r = evaluateSegmentation(makeVolume(dims, pred), makeVolume(dims, truth));
    const [l] = r.labels;
    // 27 prediction surface voxels: 26 at 0 mm and the island at 7 mm; rank 0.95·26 = 24.7 falls among the zeros.
    assert.deepEqual([l.hausdorff95Mm, l.hausdorff100Mm, l.predictionComponents, l.truthComponents], [0, 7, 2, 1]);
    assert.deepEqual([r.meanHausdorff100Mm, r.meanExtraComponents], [7, 1]);
    // With 6-connectivity a diagonal neighbour is a separate component.
    const diagonal = truth.slice();
    diagonal[4 + 12 * (4 + 6 * 4)] = 1; // (4, 4, 4) touches (3, 3, 3) at a corner only
    const d = evaluateSegmentation(makeVolume(dims, diagonal), makeVolume(dims, truth), { componentConnectivity: 6 });
    assert.equal(d.labels[0].predictionComponents, 2);
    assert.equal(evaluateSegmentation(makeVolume(dims, diagonal), makeVolume(dims, truth)).labels[0].predictionComponents, 1);
  });

  test('against brute force on random small maps: HD100 = the largest pairwise surface distance, components = flood fill', () => {
    const arb = fc
      .record({ nx: fc.integer({ min: 2, max: 6 }), ny: fc.integer({ min: 2, max: 5 }), nz: fc.integer({ min: 1, max: 4 }) })
      .chain(({ nx, ny, nz }) => {
        const n = nx * ny * nz;
        return fc.record({
          dims: fc.constant([nx, ny, nz] as [number, number, number]),
          pred: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: n, maxLength: n }),
          truth: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: n, maxLength: n }),
          spacing: fc.tuple(fc.constantFrom(0.5, 1, 1.5), fc.constantFrom(1, 2), fc.constantFrom(0.8, 1)),
          connectivity: fc.constantFrom(6 as const, 18 as const, 26 as const),
        });
      });
    fc.assert(
      fc.property(arb, ({ dims, pred, truth, spacing, connectivity }) => {
        const r = evaluateSegmentation(makeVolume(dims, Uint8Array.from(pred), { spacingMm: spacing }), makeVolume(dims, Uint8Array.from(truth), { spacingMm: spacing }), {
          componentConnectivity: connectivity,
        });
        const predComponents = bruteForceComponents(pred, dims, connectivity);
        for (const l of r.labels) {
          const inPred = new Set(pred.flatMap((c, v) => (c === l.label ? [predComponents[v]] : [])));
          assert.equal(l.predictionComponents, inPred.size);
          const a = pred.map((c) => (c === l.label ? 1 : 0));
          const b = truth.map((c) => (c === l.label ? 1 : 0));
          if (l.status !== 'ok') {
            assert.equal(l.hausdorff100Mm, null);
            continue;
          }
          const bf = bruteForceSurfaceDistances(a, b, dims, spacing);
          assert.ok(Math.abs(l.hausdorff100Mm! - Math.max(...bf.aToB, ...bf.bToA)) < 1e-9);
        }
      }),
      { numRuns: 150, seed: 21 },
    );
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
          assert.equal(r.labels[0].dice, diceScore(a, b, { labels: [1] }).labels[0].dice);
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
    const label = (l: number, dice: number | null, hd: number | null, components = 1) => ({
      label: l, name: `label ${l}`, predictionVoxels: 1, truthVoxels: 1, dice, hausdorff95Mm: hd, hausdorff100Mm: hd === null ? null : 2 * hd, assdMm: hd,
      predictionComponents: components, truthComponents: 1, status: 'ok' as const,
    });
    const result = (labels: ReturnType<typeof label>[]) => ({
      labels, meanDice: null, meanHausdorff95Mm: null, meanHausdorff100Mm: null, meanAssdMm: null, meanExtraComponents: null, check: null,
    });
    const s = summarizeEvaluations([
      { case: 'a', result: result([label(1, 1, 0, 3), label(2, 0, null, 0)]) },
      { case: 'b', result: result([label(1, 0.5, 2), label(2, null, null)]) },
    ]);
    assert.deepEqual(s.perLabel[0].hausdorff100Mm, { n: 2, missing: 0, mean: 2, std: 2, median: 2 });
    assert.deepEqual(s.perLabel[0].predictionComponents, { n: 2, missing: 0, mean: 2, std: 1, median: 2 });
    // Extra components of (a,1), (a,2), (b,1): 2, 0, 0.
    assert.deepEqual(s.overall.extraComponents, { n: 3, missing: 0, mean: 2 / 3, std: Math.sqrt(8 / 9), median: 0 });
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
