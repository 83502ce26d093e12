import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import fc from 'fast-check';
import { initEngine } from '../engine/initEngine.js';
import { checkSegmentation } from '../metric/checkSegmentation.js';
import { diceScore } from '../metric/diceScore.js';
import { makeVolume } from '../volume/Volume.js';
import { makeAtlasCropDataset, type AtlasCropDataset } from '../../test/helpers/segmenterFixtures.js';
import { makeModSegNet } from '../model/makeModSegNet.js';
import { predictSlices } from '../infer/predictSlices.js';
import { standardise } from '../data/standardise.js';
import { meanDice, validateModel } from './validateModel.js';

let ds: AtlasCropDataset;
before(async () => {
  await initEngine({ backend: 'wasm' });
  ds = await makeAtlasCropDataset([72, 80]);
});

test('meanDice equals the mean of diceScore over the truth labels > 0', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 60 }), (pairs) => {
      const pred = pairs.map((p) => p[0]);
      const truth = pairs.map((p) => p[1]);
      const labels = [...new Set(truth.filter((t) => t > 0))];
      const expected = labels.length === 0 ? (pred.some((p) => p > 0) ? 0 : 1) : labels.reduce((a, l) => a + (diceScore(pred, truth, l) ?? 0), 0) / labels.length;
      assert.ok(Math.abs(meanDice(pred, truth) - expected) < 1e-12);
    }),
    { seed: 11, numRuns: 200 },
  );
  assert.equal(meanDice([1, 1, 0, 0], [1, 0, 0, 2]), (2 / 3 + 0) / 2); // label 1: 2·1/(2+1); label 2 missing: 0
});

test('validateModel: whole-volume Dice and forbidden counts agree with predictSlices + the metric code', async () => {
  const model = makeModSegNet({ inputShape: [24, 24, 3], numClasses: 5, filters: [4], seed: 5 });
  const result = await validateModel(model, { prior: ds.prior, exams: ds.exams, kind: '2.5d', intensity: { mode: 'image' }, load: ds.load, samplesPerExam: 3 });
  assert.equal(result.exams.length, 2);
  for (const [i, exam] of ds.exams.entries()) {
    const image = ds.files.get(exam.image)!;
    const truth = ds.files.get(exam.label!)!;
    const data = standardise(image, { mode: 'image' });
    const p = await predictSlices(model, { dims: image.dims, data }, { axis: 1, classes: [...ds.prior.labels] } /* 24×24 slices fill the input: no padding */);
    const check = checkSegmentation(makeVolume(image.dims, p.labels), ds.prior);
    assert.equal(result.exams[i].forbiddenContacts, check.forbiddenContacts);
    assert.equal(result.exams[i].forbiddenPairs, check.forbiddenPairs);
    assert.ok(Math.abs(result.exams[i].dice - meanDice(p.labels, truth.data)) < 1e-12);
  }
  assert.ok(result.nonAdjacency > 0 && Number.isFinite(result.nonAdjacency));
  model.dispose();
});
