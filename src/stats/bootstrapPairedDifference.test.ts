import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { seededRandom, type SeededRandom } from '../numeric/seededRandom.js';
import { bootstrapPairedDifference, type PairedCell } from './bootstrapPairedDifference.js';

const grid = (S: number, J: number, f: (s: number, j: number) => { arm: number; control: number }): PairedCell[] =>
  Array.from({ length: S * J }, (_, t) => ({ seed: `s${Math.floor(t / J)}`, subject: `j${t % J}`, ...f(Math.floor(t / J), t % J) }));

describe('bootstrapPairedDifference: golden cases', () => {
  test('every cell differs by the same amount: a zero-width interval at that value', () => {
    // control = s + 2j + 1 (varies a lot), arm = control − 0.5 everywhere.
    const r = bootstrapPairedDifference(grid(3, 4, (s, j) => ({ control: s + 2 * j + 1, arm: s + 2 * j + 0.5 })), { resamples: 500 });
    assert.deepEqual([r.meanDifference.estimate, r.meanDifference.low, r.meanDifference.high, r.containsZero], [-0.5, -0.5, -0.5, false]);
    assert.deepEqual([r.seeds, r.subjects], [3, 4]);
  });
  test('relative changes: arm = control / 2 in every cell gives −50 % with a zero-width interval', () => {
    const r = bootstrapPairedDifference(grid(2, 5, (s, j) => ({ control: 4 * (s + j + 1), arm: 2 * (s + j + 1) })));
    assert.deepEqual([r.relativeChange!.estimate, r.relativeChange!.low, r.relativeChange!.high], [-0.5, -0.5, -0.5]);
    assert.deepEqual([r.medianRelativeChange!.estimate, r.medianRelativeChange!.low, r.medianRelativeChange!.high], [-0.5, -0.5, -0.5]);
  });
  test('estimates and per-seed means by hand on a 2 × 2 design', () => {
    // Differences: seed a: −1, −3; seed b: 1, 0. Means: arm 13/4, control 4, difference −3/4.
    const cells: PairedCell[] = [
      { seed: 'a', subject: 1, arm: 1, control: 2 },
      { seed: 'a', subject: 2, arm: 3, control: 6 },
      { seed: 'b', subject: 1, arm: 3, control: 2 },
      { seed: 'b', subject: 2, arm: 6, control: 6 },
    ];
    const r = bootstrapPairedDifference(cells);
    assert.equal(r.meanDifference.estimate, -0.75);
    assert.equal(r.relativeChange!.estimate, (13 / 4 - 4) / 4);
    // Subject 1: Ā = 2, C̄ = 2 → 0; subject 2: Ā = 4.5, C̄ = 6 → −0.25; median −0.125.
    assert.equal(r.medianRelativeChange!.estimate, -0.125);
    assert.deepEqual(r.perSeed, [
      { seed: 'a', meanArm: 2, meanControl: 4, meanDifference: -2 },
      { seed: 'b', meanArm: 4.5, meanControl: 4, meanDifference: 0.5 },
    ]);
    // Every resampled crossed mean lies between the smallest and the largest cell difference.
    assert.ok(r.meanDifference.low >= -3 && r.meanDifference.high <= 1 && r.meanDifference.low < r.meanDifference.high);
    assert.equal(r.containsZero, r.meanDifference.low <= 0 && r.meanDifference.high >= 0);
  });
  test('a subject whose control is 0 has no relative change; an all-zero control has no relative change of the mean', () => {
    const r = bootstrapPairedDifference(grid(2, 3, (s, j) => ({ control: j === 0 ? 0 : 10, arm: 5 })));
    assert.equal(r.subjectsWithoutRelativeChange, 1);
    assert.equal(r.medianRelativeChange!.estimate, -0.5);
    assert.equal(bootstrapPairedDifference(grid(2, 2, () => ({ control: 0, arm: 1 }))).relativeChange, null);
  });
  test('seeded: same seed, same intervals; another seed, other intervals', () => {
    const cells = grid(3, 6, (s, j) => ({ control: 10 + j, arm: 9 + j + Math.sin(7 * s + j) }));
    assert.deepEqual(bootstrapPairedDifference(cells, { seed: 3 }), bootstrapPairedDifference(cells, { seed: 3 }));
    assert.notDeepEqual(bootstrapPairedDifference(cells, { seed: 3 }).meanDifference, bootstrapPairedDifference(cells, { seed: 4 }).meanDifference);
  });
  test('errors name the cell', () => {
    const cells = grid(2, 2, () => ({ arm: 1, control: 1 }));
    assert.throws(() => bootstrapPairedDifference(cells.slice(1)), /3 cells for 2 seeds × 2 subjects; cell \(seed s0, subject j0\) is missing/);
    assert.throws(() => bootstrapPairedDifference([...cells, cells[0]]), /cell \(seed s0, subject j0\) appears twice/);
    assert.throws(() => bootstrapPairedDifference([{ seed: 1, subject: 1, arm: NaN, control: 1 }]), /arm NaN and control 1, expected finite/);
    assert.throws(() => bootstrapPairedDifference([]), /no cells/);
    assert.throws(() => bootstrapPairedDifference(cells, { confidence: 95 }), /confidence is 95/);
  });
});

describe('bootstrapPairedDifference: properties', () => {
  test('shifting the arm by c shifts the mean difference and its interval by c', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 2, max: 6 }),
        fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 48, maxLength: 48 }),
        fc.double({ min: -50, max: 50, noNaN: true }),
        (S, J, values, c) => {
          const cells = grid(S, J, (s, j) => ({ control: values[2 * (s * J + j)], arm: values[2 * (s * J + j) + 1] }));
          const shifted = cells.map((x) => ({ ...x, arm: x.arm + c }));
          const a = bootstrapPairedDifference(cells, { resamples: 200, seed: 9 }).meanDifference;
          const b = bootstrapPairedDifference(shifted, { resamples: 200, seed: 9 }).meanDifference;
          for (const k of ['estimate', 'low', 'high'] as const) assert.ok(Math.abs(b[k] - a[k] - c) < 1e-9, `${k}: ${a[k]} + ${c} vs ${b[k]}`);
        },
      ),
      { seed: 17, numRuns: 100 },
    );
  });
  test('relabelling seeds and subjects (same order) changes nothing', () => {
    const cells = grid(3, 5, (s, j) => ({ control: 3 + s * j, arm: 2 + Math.cos(s + 3 * j) }));
    const renamed = cells.map((x) => ({ ...x, seed: `seed-${x.seed}`, subject: `subject-${x.subject}` }));
    const { perSeed: _a, ...a } = bootstrapPairedDifference(cells);
    const { perSeed: _b, ...b } = bootstrapPairedDifference(renamed);
    assert.deepEqual(a, b);
  });
});

/**
 * Coverage on synthetic replicated experiments with a known mean difference δ = 1: 3 seeds × 12 subjects, control
 * = 10 + seed effect (sd 1) + subject effect (sd 2) + noise (sd 0.5), arm = control + δ + seed effect on the
 * difference (sd 0.5) + subject effect on the difference (sd 1) + noise (sd 0.5).
 *
 * Measured while writing this test (400 experiments each, other seeds): 3 seeds → 0.915 (seed sd 0.5), 0.94 (0.3),
 * 0.93 (0), 0.84 (1, as large as the subject effect); 5 seeds → 0.92, 0.925, 0.93, 0.91. With 3 seeds the
 * percentile bootstrap under-covers when the seed-to-seed spread of the difference is large: there are only 10
 * distinct seed multisets, and their spread underestimates the seed variance by (S − 1)/S = 2/3.
 */
test('bootstrapPairedDifference: 95 % intervals cover the true mean difference at about the nominal rate (3 seeds × 12 subjects)', (t) => {
  const rng = seededRandom(2024);
  const experiment = (r: SeededRandom): PairedCell[] => {
    const seedFx = Array.from({ length: 3 }, () => [r.normal(0, 1), r.normal(0, 0.5)]);
    const subjectFx = Array.from({ length: 12 }, () => [r.normal(0, 2), r.normal(0, 1)]);
    return grid(3, 12, (s, j) => {
      const control = 10 + seedFx[s][0] + subjectFx[j][0] + r.normal(0, 0.5);
      return { control, arm: control + 1 + seedFx[s][1] + subjectFx[j][1] + r.normal(0, 0.5) };
    });
  };
  let covered = 0;
  const runs = 200;
  for (let e = 0; e < runs; e++) {
    const { low, high } = bootstrapPairedDifference(experiment(rng), { seed: e + 1 }).meanDifference;
    if (low <= 1 && 1 <= high) covered++;
  }
  t.diagnostic(`coverage of the 95 % interval: ${covered}/${runs} = ${(covered / runs).toFixed(3)}`);
  assert.ok(covered / runs >= 0.85 && covered / runs <= 0.99, `coverage ${covered / runs}`);
});
