import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { demoPlan, demoTrainingSpec } from '../demo/demoPlan.js';
import { trainingSpecArgs, withTrainingDefaults, type TrainingSpec } from '../train/trainingSpec.js';
import { parseTrainArgs } from './train.js';

describe('nonadj train reads back what trainingSpecArgs writes', () => {
  test("every demo run's command, parsed by the real CLI program, gives its spec", async () => {
    for (const mode of ['quick', 'default', 'full'] as const) {
      const plan = demoPlan(mode);
      const base = { dataDir: '/d', prior: '/d/prior/graph.json', seed: 3 };
      const runs = [
        demoTrainingSpec({ name: 'baseline', out: '/o/baseline', ...base, ...plan.baseline, lambda: 0, filters: plan.filters, padTo: [96, 96], validate: true }),
        demoTrainingSpec({ name: 'auto', out: '/o/auto', ...base, ...plan.fineTune, lambda: 'auto', init: '/b/model.json', validate: true }),
        demoTrainingSpec({ name: 'semi', out: '/o/semi', ...base, ...plan.fineTune, lambda: 91234.5, init: '/b/model.json', semi: '/d/unseen-train', validate: false }),
      ];
      for (const spec of runs) assert.deepEqual(await parseTrainArgs(trainingSpecArgs(spec)), withTrainingDefaults(spec));
    }
  });

  test('property: any valid spec round-trips', async () => {
    const path = fc.stringMatching(/^[a-z][a-z0-9 _./-]{0,12}$/);
    const positive = fc.integer({ min: 1, max: 500 });
    const spec: fc.Arbitrary<TrainingSpec> = fc.record(
      {
        data: path,
        prior: path,
        out: path,
        val: path,
        valSplit: fc.constantFrom(0, 0.2, 3),
        semi: path,
        init: path,
        model: fc.constantFrom('2.5d' as const, '3d' as const),
        k: fc.constantFrom(1, 3, 7),
        axis: fc.constantFrom(0 as const, 1 as const, 2 as const),
        filters: fc.array(positive, { minLength: 1, maxLength: 5 }),
        padTo: fc.tuple(positive, positive),
        patch: fc.tuple(positive, positive, positive),
        inputOrder: fc.constantFrom('zyx' as const, 'xyz' as const),
        epochs: positive,
        steps: positive,
        batchSize: positive,
        lambda: fc.oneof(fc.constant('auto' as const), fc.double({ min: 0, max: 1e6, noNaN: true })),
        optimizer: fc.constantFrom('sgd' as const, 'adam' as const),
        lr: fc.double({ min: 1e-6, max: 1, noNaN: true }),
        momentum: fc.double({ min: 0, max: 0.99, noNaN: true }),
        weightDecay: fc.double({ min: 0, max: 1, noNaN: true }),
        schedule: fc.constantFrom('poly' as const, 'constant' as const),
        polyPower: fc.double({ min: 0.1, max: 3, noNaN: true }),
        classWeights: fc.constantFrom('median-frequency' as const, 'uniform' as const),
        intensity: fc.constantFrom('image' as const, 'dataset' as const),
        augment: fc.double({ min: 0, max: 1, noNaN: true }),
        emptySliceWeight: fc.double({ min: 0, max: 1, noNaN: true }),
        seed: fc.integer({ min: -1000, max: 1000 }),
        imageName: fc.constantFrom('t1.nii.gz', 'image.nii'),
        labelName: fc.constantFrom('seg.nii.gz', 'labels.nii'),
        workers: fc.integer({ min: 1, max: 64 }),
      },
      { requiredKeys: ['data', 'prior', 'out'] },
    );
    await fc.assert(
      fc.asyncProperty(spec, async (s) => {
        assert.deepEqual(await parseTrainArgs(trainingSpecArgs(s)), withTrainingDefaults(s));
      }),
      { numRuns: 200, seed: 42 },
    );
  });

  test('a refused argument is an error, not a spec', async () => {
    await assert.rejects(parseTrainArgs(['d', '--prior', 'p', '--out', 'o', '--k', '4']), /expected an odd positive integer/);
  });
});
