/**
 * A small but complete `DemoReport` (two runs, two test domains) for the tests of the demo's renderers, with
 * numbers chosen so that each rounding the renderers do is unambiguous (no ties at the printed digit).
 */
import { compareToControl } from '../../src/demo/compareToControl.js';
import { demoPlan, demoTrainingSpec } from '../../src/demo/demoPlan.js';
import { trainingCommandLine, trainingSpecArgs } from '../../src/train/trainingSpec.js';
import type { DemoReport, SubjectScores } from '../../src/demo/runDemo.js';
import type { EpochRecord } from '../../src/train/runFolder.js';

/** One epoch of a training log with the validation Dice the training-curve plot reads. */
export function demoEpoch(epoch: number, lambda: number, validationDice: number): EpochRecord {
  return {
    epoch, lambda, learningRate: 1e-4, steps: 1, nanSteps: 0,
    train: { total: 1, crossEntropy: 0.5, dice: 0.4, nonAdjacency: 0.02 },
    validation: { meanDice: validationDice, forbiddenPairs: 1, forbiddenContacts: 3, nonAdjacency: 0.01, exams: [] },
    events: [], best: true, seconds: 5, time: '2025-01-01T00:00:00.000Z',
  };
}

const subject = (set: SubjectScores['set'], id: string, meanDice: number, hd: number | null, pairs: number, contacts: number, collapsed: string[]): SubjectScores => ({
  set, id, meanDice, meanHausdorff95Mm: hd, forbiddenPairs: pairs, forbiddenContacts: contacts, structures: [], collapsed,
});

/**
 * The report. Run `control`: test subjects t1, t2 only (its unseen domain is null). Run `lambda-1h`: test t1 and
 * unseen u1, u2. The domain means are written out, each derived from the subjects in a comment.
 */
export function demoReportFixture(): DemoReport {
  const plan = demoPlan('quick');
  const base = { dataDir: '/demo/data', prior: '/demo/data/prior/graph.json', ...plan.fineTune, seed: 1, init: '/demo/baseline/model.json' };
  const report: DemoReport = {
    format: 'nonadj-demo-report',
    version: 1,
    mode: 'quick',
    atlas: 'aal',
    labels: 'regions',
    seed: 1,
    grid: { dims: [90, 108, 90], spacingMm: [2, 2, 2] },
    sets: { train: ['s1', 's2'], val: ['s3'], test: ['t1', 't2'], 'unseen-train': ['u0'], 'unseen-test': ['u1', 'u2'] },
    unseenContrast: 'scanner-b',
    prior: {
      file: '/demo/data/prior/graph.json',
      numLabels: 3,
      names: ['Background', 'Caudate_L', 'Vermis'],
      forbiddenUnorderedPairs: 1,
      counts: [[40, 6, 2], [6, 9, 0], [2, 0, 5]],
    },
    baseline: { source: 'shipped', dir: '/demo/baseline', command: 'nonadj train /demo/data/train --lambda 0', note: 'after 2 epochs', log: [] },
    heuristicLambda: 0.12346,
    plan,
    runs: [
      {
        name: 'control',
        description: 'control fine-tune, λ = 0',
        command: trainingCommandLine(trainingSpecArgs(demoTrainingSpec({ name: 'control', out: '/demo/runs/control', lambda: 0, ...base }))),
        lambda: 0,
        steps: 2,
        seconds: 10,
        log: [demoEpoch(0, 0, 0.5), demoEpoch(1, 0, 0.55)],
        subjects: [subject('test', 't1', 0.9, 3.0, 1, 10, []), subject('test', 't2', 0.72468, 3.92, 2, 14, ['Caudate_L'])],
        domains: {
          // Dice (0.9 + 0.72468) / 2 = 0.81234; HD (3 + 3.92) / 2 = 3.46; pairs 1.5; contacts 12; collapsed (0 + 1) / 2.
          test: { meanDice: 0.81234, meanHausdorff95Mm: 3.46, forbiddenPairs: 1.5, forbiddenContacts: 12, collapsed: 0.5, perStructureDice: { Caudate_L: 0.5, Vermis: 0.8766 } },
          'unseen-test': null,
        },
      },
      {
        name: 'lambda-1h',
        description: 'fine-tune, λ = 1 × heuristic',
        command: trainingCommandLine(trainingSpecArgs(demoTrainingSpec({ name: 'lambda-1h', out: '/demo/runs/lambda-1h', lambda: 0.1235, ...base }))),
        lambda: 0.123456,
        steps: 80,
        seconds: 20,
        log: [demoEpoch(0, 0.1235, 0.5), demoEpoch(1, 0.1235, 0.52)],
        subjects: [
          subject('test', 't1', 0.79, null, 0, 0, []),
          subject('unseen-test', 'u1', 0.6, 7.0, 2, 120, ['Vermis']),
          subject('unseen-test', 'u2', 0.6098, 7.42, 3, 142, []),
        ],
        domains: {
          test: { meanDice: 0.79, meanHausdorff95Mm: null, forbiddenPairs: 0, forbiddenContacts: 0, collapsed: 0, perStructureDice: { Caudate_L: 0.61 } },
          // Dice (0.6 + 0.6098) / 2 = 0.6049; HD (7 + 7.42) / 2 = 7.21; pairs 2.5; contacts (120 + 142) / 2 = 131; collapsed 0.5.
          'unseen-test': { meanDice: 0.6049, meanHausdorff95Mm: 7.21, forbiddenPairs: 2.5, forbiddenContacts: 131, collapsed: 0.5, perStructureDice: { Vermis: 0.3 } },
        },
      },
    ],
    truth: [{ set: 'test', id: 't1', forbiddenPairs: 0, forbiddenContacts: 0 }, { set: 'unseen-test', id: 'u1', forbiddenPairs: 1, forbiddenContacts: 4 }],
    seconds: 754,
    comparisons: [],
  };
  report.comparisons = compareToControl(report);
  return report;
}
