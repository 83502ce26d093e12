import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EpochRecord } from '../train/runFolder.js';
import { compareWithControl, decideHeadline, pairedCells, summariseAutoLambda, summariseDomain, summariseDomains } from './analyseDemo.js';
import type { DemoDomain, DemoRunReport, SubjectScores } from './demoReport.js';

/** Scores with the fields the analysis reads; the rest neutral. */
function scores(set: DemoDomain, id: string, seed: number | null, dice: number, contacts: number, extra: Partial<SubjectScores> = {}): SubjectScores {
  return {
    set, id, seed, meanDice: dice, meanHausdorff95Mm: 2, meanHausdorffMaxMm: 10, extraComponents: 0.5,
    forbiddenPairs: contacts > 0 ? 2 : 0, forbiddenContacts: contacts, structures: [], collapsed: [], ...extra,
  };
}

function row(name: string, subjects: SubjectScores[], over: Partial<DemoRunReport> = {}): DemoRunReport {
  return { name, description: name, kind: 'lambda', multiplier: null, postprocess: null, base: name, runs: [], subjects, domains: summariseDomains(subjects), ...over };
}

// Control: seeds 1, 2 × subjects a, b on the test domain.
const control = [
  scores('test', 'a', 1, 0.8, 100), scores('test', 'b', 1, 0.9, 200),
  scores('test', 'a', 2, 0.82, 120), scores('test', 'b', 2, 0.88, 180),
];

describe('summariseDomain', () => {
  test('means over seeds × subjects and the SD of the per-seed means, by hand', () => {
    const s = summariseDomain(control, 'test')!;
    // Dice: (0.8 + 0.9 + 0.82 + 0.88) / 4 = 0.85; per seed 0.85 and 0.85 → SD 0.
    assert.ok(Math.abs(s.meanDice - 0.85) < 1e-12);
    assert.ok(Math.abs(s.sdDiceOverSeeds!) < 1e-12);
    // Contacts: mean 150; per seed 150 and 150 → SD 0.
    assert.equal(s.forbiddenContacts, 150);
    assert.equal(s.subjects, 2);
    assert.equal(s.seeds, 2);
    const uneven = summariseDomain([scores('test', 'a', 1, 0.8, 100), scores('test', 'a', 2, 0.8, 300)], 'test')!;
    // Per-seed means 100 and 300: SD = √(((100−200)² + (300−200)²) / 1) = 141.42…
    assert.ok(Math.abs(uneven.sdContactsOverSeeds! - Math.SQRT2 * 100) < 1e-9);
    assert.equal(summariseDomain(control, 'unseen-test'), null);
  });

  test('the baseline (seed null) has no seed spread', () => {
    const s = summariseDomain([scores('test', 'a', null, 0.8, 10)], 'test')!;
    assert.equal(s.seeds, 0);
    assert.equal(s.sdDiceOverSeeds, null);
  });
});

describe('pairedCells', () => {
  test('pairs by (seed, subject); the baseline stands against every seed of the control', () => {
    const baseline = [scores('test', 'a', null, 0.7, 400), scores('test', 'b', null, 0.75, 500)];
    const cells = pairedCells(baseline, control, 'test', 'forbiddenContacts')!;
    assert.deepEqual(cells.map((c) => [c.seed, c.subject, c.arm, c.control]), [[1, 'a', 400, 100], [1, 'b', 500, 200], [2, 'a', 400, 120], [2, 'b', 500, 180]]);
    // Dice in points.
    assert.deepEqual(pairedCells(baseline, control, 'test', 'dice')!.map((c) => c.arm), [70, 75, 70, 75]);
  });

  test('a missing cell or an undefined value gives no cells (the bootstrap needs the crossed design)', () => {
    assert.equal(pairedCells(control.slice(1), control, 'test', 'dice'), null);
    const noHd = control.map((s) => ({ ...s, meanHausdorffMaxMm: s.id === 'a' ? null : 3 }));
    assert.equal(pairedCells(noHd, control, 'test', 'hausdorffMaxMm'), null);
  });
});

describe('compareWithControl', () => {
  test('a row with half the contacts everywhere: −50 % with a zero-width interval; the same Dice: no detectable difference', () => {
    const half = row('lambda-1x', control.map((s) => ({ ...s, forbiddenContacts: s.forbiddenContacts / 2 })));
    const out = compareWithControl([row('control', control, { kind: 'control' }), half], 'control', 200);
    const contacts = out.find((c) => c.run === 'lambda-1x' && c.metric === 'forbiddenContacts' && c.domain === 'test')!;
    assert.equal(contacts.relativeChange!.estimate, -0.5);
    assert.equal(contacts.relativeChange!.low, -0.5);
    assert.equal(contacts.relativeChange!.high, -0.5);
    assert.equal(contacts.meanDifference.estimate, -75);
    assert.deepEqual(contacts.perSeed.map((p) => p.meanDifference), [-75, -75]);
    const dice = out.find((c) => c.run === 'lambda-1x' && c.metric === 'dice' && c.domain === 'test')!;
    assert.equal(dice.meanDifference.estimate, 0);
    assert.equal(dice.meanDifference.containsZero, true);
    assert.equal(dice.relativeChange, null);
    // Only domains with subjects are compared; the control is not compared with itself.
    assert.ok(out.every((c) => c.domain === 'test' && c.run === 'lambda-1x'));
  });
});

describe('decideHeadline', () => {
  test('the largest multiplier within the Dice cost on validation', () => {
    const val = (id: string, dice: number, contacts: number) => scores('val', id, 1, dice, contacts);
    const rows = [
      row('control', [val('a', 0.85, 100)], { kind: 'control' }),
      row('lambda-0.3x', [val('a', 0.849, 60)], { multiplier: 0.3 }),
      row('lambda-1x', [val('a', 0.846, 30)], { multiplier: 1 }),
      row('lambda-3x', [val('a', 0.842, 10)], { multiplier: 3 }),
      row('lambda-1x+repair', [val('a', 0.85, 0)], { multiplier: 1, postprocess: 'repair', base: 'lambda-1x' }),
    ];
    const d = decideHeadline(rows, { headlineMaxDiceCostPoints: 0.5 });
    // Costs: −0.1, −0.4, −0.8 points → 1× is the largest within 0.5.
    assert.equal(d.chosen, 'lambda-1x');
    assert.deepEqual(d.candidates.map((c) => [c.multiplier, c.eligible]), [[0.3, true], [1, true], [3, false]]);
    assert.ok(Math.abs(d.candidates[1].diceDeltaPoints + 0.4) < 1e-9);
    assert.equal(d.candidates[1].contactsChangePercent, -70);
    assert.equal(decideHeadline(rows.slice(0, 1).concat(rows.slice(3, 4)), { headlineMaxDiceCostPoints: 0.5 }).chosen, null);
  });
});

describe('summariseAutoLambda', () => {
  test('counts the changes after the warm-up, and the reloads', () => {
    const rec = (epoch: number, lambda: number, events: string[] = []): EpochRecord => ({
      epoch, lambda, learningRate: 1e-4, steps: 10, nanSteps: 0, train: { total: 1, crossEntropy: 0.5, dice: 0.1, nonAdjacency: 0.01 },
      validation: null, events, best: false, seconds: 1, time: '',
    });
    const log = [rec(0, 0), rec(1, 5), rec(2, 5), rec(3, 6.5), rec(4, 6.5, ['reloaded the checkpoint of epoch 2']), rec(5, 6.175)];
    assert.deepEqual(summariseAutoLambda([{ seed: 3, lambda: 'auto', command: '', steps: 60, seconds: 6, log }]), [
      { seed: 3, lambdas: [0, 5, 5, 6.5, 6.5, 6.175], grew: 1, shrank: 1, reloads: 1 },
    ]);
  });
});
