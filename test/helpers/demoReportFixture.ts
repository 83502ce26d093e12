/**
 * A small but complete version-2 `DemoReport` for the tests of the demo's renderers: a `replicated` demo with two
 * seeds and 2 + 2 test subjects, six rows (baseline, control, lambda-1x, auto, semi, control+lcc), paired comparisons
 * against the control, the headline decision, λ auto per seed and the truth floor. The numbers are round so that each
 * printed one can be checked by hand; no value sits on a rounding tie at the digits the renderers print. `auto` and
 * `control+lcc` have intervals that contain 0 (and lambda-1x's extra components one that ends at 0).
 *
 * The renderers read the domain summaries and comparisons, which the analysis computes from the per-subject scores;
 * so the rows carry no per-subject scores here (report.json has them), and the summaries are written out, with the
 * differences each comparison's estimate is (row − control) given beside it.
 */
import { demoPlan, demoTrainingSpec } from '../../src/demo/demoPlan.js';
import type { ArmComparison, ComparedMetric, DemoArmRun, DemoDomain, DemoReport, DemoRunReport, DomainSummary } from '../../src/demo/demoReport.js';
import { trainingCommandLine, trainingSpecArgs } from '../../src/train/trainingSpec.js';
import type { EpochRecord } from '../../src/train/runFolder.js';

/** One epoch of a training log at λ `lambda` with validation mean Dice `validationDice` (null: no validation). */
export function demoEpoch(epoch: number, lambda: number, validationDice: number | null): EpochRecord {
  return {
    epoch, lambda, learningRate: 1e-4, steps: 1, nanSteps: 0,
    train: { total: 1, crossEntropy: 0.5, dice: 0.4, nonAdjacency: 0.02, diceCoefficient: 0.8 },
    validation: validationDice === null ? null : { meanDice: validationDice, forbiddenPairs: 1, forbiddenContacts: 3, nonAdjacency: 0.01, exams: [] },
    events: [], best: true, seconds: 5, time: '2025-01-01T00:00:00.000Z',
  };
}

/** A domain summary over `seeds` seeds × 2 subjects (perStructureDice left empty: no renderer reads it). */
function summary(
  seeds: number,
  [meanDice, sdDice]: [number, number | null],
  [contacts, sdContacts]: [number, number | null],
  pairs: number, hd100: number | null, extra: number, collapsed: number,
): DomainSummary {
  return {
    subjects: 2, seeds, meanDice, sdDiceOverSeeds: sdDice, meanHausdorff95Mm: hd100 === null ? null : hd100 / 2, meanHausdorffMaxMm: hd100,
    extraComponents: extra, forbiddenPairs: pairs, forbiddenContacts: contacts, sdContactsOverSeeds: sdContacts, collapsed, perStructureDice: {},
  };
}

const interval = (estimate: number, low: number, high: number) => ({ estimate, low, high, containsZero: low <= 0 && high >= 0, resamples: 2000 });

/** One comparison of 2 seeds × 2 subjects; `relative` = [relative change, median per-subject change] as fractions. */
function comparison(
  run: string, domain: DemoDomain, metric: ComparedMetric, difference: [number, number, number],
  relative?: [[number, number, number], [number, number, number]],
): ArmComparison {
  return {
    run, domain, metric, seeds: 2, subjects: 2,
    meanDifference: interval(...difference),
    relativeChange: relative ? interval(...relative[0]) : null,
    medianRelativeChange: relative ? interval(...relative[1]) : null,
    // Not rendered; the per-seed means of the row and the control are left out of the fixture.
    perSeed: [],
  };
}

const plan = demoPlan('replicated', { replicates: 2 });

/** The `nonadj train` run of an arm for one seed, with its real command line. */
function armRun(arm: string, seed: number, lambda: number | 'auto', log: EpochRecord[], semi?: string): DemoArmRun {
  const spec = demoTrainingSpec({
    name: arm, out: `/demo/runs/${arm}/seed-${seed}`, dataDir: '/demo/data', prior: '/demo/data/prior/graph.json', ...plan.fineTune,
    lambda, seed, init: '/demo/baseline/model.json', validate: lambda === 'auto', ...(semi ? { semi } : {}),
  });
  return { seed, lambda, command: trainingCommandLine(trainingSpecArgs(spec)), steps: plan.fineTune.epochs * plan.fineTune.steps, seconds: 60, log };
}

function row(name: string, kind: DemoRunReport['kind'], multiplier: number | null, runs: DemoArmRun[], test: DomainSummary | null, unseen: DomainSummary | null): DemoRunReport {
  const [base, post] = name.split('+');
  return {
    name, description: `${name} row`, kind, multiplier, postprocess: (post as 'lcc' | 'repair' | undefined) ?? null, base,
    runs, subjects: [], domains: { val: null, 'unseen-val': null, test, 'unseen-test': unseen },
  };
}

/**
 * The report (mode `replicated`, seeds 1 and 2). Heuristic λ_ref: seed 1 0.3 × 0.8 / 0.48 = 0.5, seed 2
 * 0.3 × 0.8 / 0.6 = 0.4; lambda-1x runs at those λ. Test domain (Dice, contacts, pairs, HD100 mm, extra components,
 * collapsed), and against the control (Dice 0.820, contacts 30):
 *
 * | row | Dice | contacts | vs control |
 * |---|---|---|---|
 * | baseline (one model) | 0.800 | 39 | Dice −2 points, contacts +9 = +30 % |
 * | control | 0.820 ± 0.004 | 30 ± 2 | |
 * | lambda-1x | 0.810 ± 0.002 | 6 ± 1 | Dice −1 point, contacts −24 = −80 % |
 * | auto | 0.818 ± 0.006 | 27 ± 3 | Dice −0.2 point, contacts −3 = −10 %: both intervals contain 0 |
 * | semi | 0.815 ± 0.005 | 15 ± 1.5 | Dice −0.5 point, contacts −15 = −50 % |
 * | control+lcc | 0.821 ± 0.004 | 24 ± 2 | Dice +0.1 point (interval contains 0), contacts −6 = −20 % |
 *
 * Unseen-test domain: baseline, control and lambda-1x scored (auto and the others not: their cells print `–`).
 * Truth floor: test t1 (0 pairs, 0 contacts), t2 (1, 3) → mean 0.5 pairs, 1.5 contacts; unseen-test u1 (1, 4),
 * u2 (2, 6) → 1.5 pairs, 5 contacts.
 */
export function demoReportFixture(): DemoReport {
  const autoLog = (lambdas: number[]) => lambdas.map((l, e) => demoEpoch(e, l, (80 + e) / 100));
  return {
    format: 'nonadj-demo-report',
    version: 2,
    mode: 'replicated',
    atlas: 'aal',
    labels: 'regions',
    cohort: 'varied',
    dataSeed: 1,
    seeds: [1, 2],
    grid: { dims: [90, 108, 90], spacingMm: [2, 2, 2] },
    sets: { train: ['s1', 's2'], val: ['v1'], 'unseen-val': ['w1'], test: ['t1', 't2'], 'unseen-test': ['u1', 'u2'] },
    unseenContrast: 'scanner-b',
    prior: {
      file: '/demo/data/prior/graph.json',
      numLabels: 3,
      names: ['Background', 'Caudate_L', 'Vermis'],
      forbiddenUnorderedPairs: 1,
      counts: [[40, 6, 2], [6, 9, 0], [2, 0, 5]],
    },
    baseline: {
      source: 'shipped', dir: '/demo/baseline', command: 'nonadj train /demo/data/train --lambda 0', note: 'trained for 3 epochs',
      log: [demoEpoch(0, 0, 0.5), demoEpoch(1, 0, 0.7), demoEpoch(2, 0, 0.78)],
    },
    heuristic: [{ seed: 1, lambda: 0.5, diceCoefficient: 0.8, nonAdjacency: 0.48 }, { seed: 2, lambda: 0.4, diceCoefficient: 0.8, nonAdjacency: 0.6 }],
    plan,
    runs: [
      row('baseline', 'baseline', null, [], summary(1, [0.8, null], [39, null], 3, 12.5, 1.25, 0.5), summary(1, [0.7, null], [120, null], 6, 20.5, 2, 1)),
      row('control', 'control', null, [armRun('control', 1, 0, []), armRun('control', 2, 0, [])],
        summary(2, [0.82, 0.004], [30, 2], 2.5, 11, 1, 0), summary(2, [0.72, 0.012], [100, 8], 5, 19, 1.5, 0.5)),
      row('lambda-1x', 'lambda', 1, [armRun('lambda-1x', 1, 0.5, []), armRun('lambda-1x', 2, 0.4, [])],
        summary(2, [0.81, 0.002], [6, 1], 1, 9.5, 0.75, 0), summary(2, [0.71, 0.01], [20, 4], 2, 15, 1, 0.5)),
      row('auto', 'auto', null, [armRun('auto', 1, 'auto', autoLog([0, 0.5, 0.5, 1, 0.5])), armRun('auto', 2, 'auto', autoLog([0, 0.4, 0.8, 0.8]))],
        summary(2, [0.818, 0.006], [27, 3], 2, 10.5, 1, 0), null),
      row('semi', 'semi', 1, [armRun('semi', 1, 0.5, [], '/demo/data/unseen-train'), armRun('semi', 2, 0.4, [], '/demo/data/unseen-train')],
        summary(2, [0.815, 0.005], [15, 1.5], 1.5, 10, 1, 0), null),
      row('control+lcc', 'control', null, [], summary(2, [0.821, 0.004], [24, 2], 2, 8, 0, 0), null),
    ],
    decision: {
      rule: 'the largest multiplier whose validation Dice (training domain) is within 0.5 points of the control\'s',
      candidates: [
        { multiplier: 1, run: 'lambda-1x', diceDeltaPoints: -0.31, contactsChangePercent: -78.4, eligible: true },
        { multiplier: 3, run: 'lambda-3x', diceDeltaPoints: -1.92, contactsChangePercent: -95.2, eligible: false },
      ],
      chosen: 'lambda-1x',
    },
    comparisons: [
      comparison('baseline', 'test', 'dice', [-2, -2.6, -1.4]),
      comparison('baseline', 'test', 'forbiddenContacts', [9, 3, 15], [[0.3, 0.1, 0.5], [0.25, 0.05, 0.45]]),
      comparison('baseline', 'test', 'hausdorffMaxMm', [1.5, 0.5, 2.5]),
      comparison('baseline', 'test', 'extraComponents', [0.25, 0.1, 0.4]),
      comparison('lambda-1x', 'test', 'dice', [-1, -1.4, -0.6]),
      comparison('lambda-1x', 'test', 'forbiddenContacts', [-24, -27, -21], [[-0.8, -0.9, -0.7], [-0.75, -0.85, -0.6]]),
      comparison('lambda-1x', 'test', 'forbiddenPairs', [-1.5, -2, -1], [[-0.6, -0.8, -0.4], [-0.5, -1, -0.25]]),
      comparison('lambda-1x', 'test', 'hausdorffMaxMm', [-1.5, -2.5, -0.5]),
      comparison('lambda-1x', 'test', 'extraComponents', [-0.25, -0.5, 0]),
      comparison('auto', 'test', 'dice', [-0.2, -0.5, 0.1]),
      comparison('auto', 'test', 'forbiddenContacts', [-3, -7.5, 1.5], [[-0.1, -0.25, 0.05], [-0.05, -0.2, 0.1]]),
      comparison('auto', 'test', 'hausdorffMaxMm', [-0.5, -1.5, 0.5]),
      comparison('auto', 'test', 'extraComponents', [0, -0.25, 0.25]),
      comparison('semi', 'test', 'dice', [-0.5, -0.9, -0.1]),
      comparison('semi', 'test', 'forbiddenContacts', [-15, -18, -12], [[-0.5, -0.6, -0.4], [-0.45, -0.6, -0.3]]),
      comparison('control+lcc', 'test', 'dice', [0.1, -0.05, 0.25]),
      comparison('control+lcc', 'test', 'forbiddenContacts', [-6, -9, -3], [[-0.2, -0.3, -0.1], [-0.2, -0.3, -0.1]]),
      comparison('control+lcc', 'test', 'hausdorffMaxMm', [-3, -4, -2]),
      comparison('control+lcc', 'test', 'extraComponents', [-1, -1.25, -0.75]),
      comparison('baseline', 'unseen-test', 'dice', [-2, -3, -1]),
      comparison('baseline', 'unseen-test', 'forbiddenContacts', [20, 10, 30], [[0.2, 0.1, 0.3], [0.15, 0.05, 0.3]]),
      comparison('lambda-1x', 'unseen-test', 'dice', [-1, -1.8, -0.2]),
      comparison('lambda-1x', 'unseen-test', 'forbiddenContacts', [-80, -90, -70], [[-0.8, -0.9, -0.7], [-0.8, -0.95, -0.65]]),
    ],
    autoLambda: [
      { seed: 1, lambdas: [0, 0.5, 0.5, 1, 0.5], grew: 1, shrank: 1, reloads: 1 },
      { seed: 2, lambdas: [0, 0.4, 0.8, 0.8], grew: 1, shrank: 0, reloads: 0 },
    ],
    truth: [
      { set: 'val', id: 'v1', forbiddenPairs: 7, forbiddenContacts: 70, extraPairs: 0, missingPairs: 0, extra: [] },
      { set: 'test', id: 't1', forbiddenPairs: 0, forbiddenContacts: 0, extraPairs: 0, missingPairs: 1, extra: [] },
      { set: 'test', id: 't2', forbiddenPairs: 1, forbiddenContacts: 3, extraPairs: 1, missingPairs: 2, extra: ['Caudate_L–Vermis (3)'] },
      { set: 'unseen-test', id: 'u1', forbiddenPairs: 1, forbiddenContacts: 4, extraPairs: 1, missingPairs: 0, extra: ['Caudate_L–Vermis (4)'] },
      { set: 'unseen-test', id: 'u2', forbiddenPairs: 2, forbiddenContacts: 6, extraPairs: 1, missingPairs: 0, extra: ['Caudate_L–Vermis (6)'] },
    ],
    seconds: 754,
    provenance: { version: '0.9.0', node: 'v20.11.0', cpus: 'Test CPU @ 2.0GHz', cores: 2 },
  };
}

/** The fixture as a single-seed `default` preview: seed 1 only, SDs over seeds 0 (one seed), 2 subjects per domain. */
export function demoPreviewFixture(): DemoReport {
  const r = demoReportFixture();
  r.mode = 'default';
  r.plan = demoPlan('default');
  r.seeds = [1];
  r.heuristic = r.heuristic.slice(0, 1);
  r.autoLambda = r.autoLambda.slice(0, 1);
  for (const run of r.runs) {
    run.runs = run.runs.filter((x) => x.seed === 1);
    for (const d of Object.values(run.domains)) {
      if (d && d.sdDiceOverSeeds !== null) Object.assign(d, { seeds: 1, sdDiceOverSeeds: 0, sdContactsOverSeeds: 0 });
    }
  }
  for (const c of r.comparisons) c.seeds = 1;
  return r;
}
