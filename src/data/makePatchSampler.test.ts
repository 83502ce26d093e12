import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { makeAtlasCropDataset, type AtlasCropDataset } from '../../test/helpers/segmenterFixtures.js';
import { makePatchSampler, type MakePatchSamplerOptions } from './makePatchSampler.js';

let ds: AtlasCropDataset;
before(async () => {
  ds = await makeAtlasCropDataset([72, 80, 88]);
});

const opts = (extra: Partial<MakePatchSamplerOptions> = {}): MakePatchSamplerOptions => ({
  exams: ds.exams.slice(0, 2),
  unlabelled: ds.exams.slice(2),
  batchSize: 2,
  patch: [8, 16, 8],
  intensity: { mode: 'image' },
  seed: 3,
  load: ds.load,
  ...extra,
});

test('batches hold b labelled and 3b unlabelled patches; labels come from the exams, −1 past the border', async () => {
  const sampler = makePatchSampler(opts());
  const b = await sampler.nextBatch();
  const per = 8 * 16 * 8;
  assert.deepEqual([b.labelledCount, b.unlabelledCount, b.labelled.length, b.labels.length, b.unlabelled!.length], [2, 6, 2 * per, 2 * per, 6 * per]);
  // The crop is 12 voxels along y and the patch 16: 2 rows of −1 on each side.
  assert.ok(b.labels.every((l) => [-1, 0, 97, 103, 105, 107].includes(l)));
  assert.equal(b.labels.filter((l) => l === -1).length, 2 * 8 * 4 * 8);
});

test('a sampler resumed from its state draws the same batches', async () => {
  const a = makePatchSampler(opts());
  await a.nextBatch();
  const state = a.getState();
  const next = await a.nextBatch();
  const b = makePatchSampler(opts({ state }));
  const again = await b.nextBatch();
  assert.deepEqual(again.labelled, next.labelled);
  assert.deepEqual(again.labels, next.labels);
  assert.throws(() => makePatchSampler(opts({ state, exams: ds.exams.slice(0, 1) })), /belongs to other exams/);
});

test('foregroundProbability 1 centres every patch on foreground', async () => {
  const sampler = makePatchSampler(opts({ patch: [2, 2, 2], foregroundProbability: 1, unlabelled: undefined, batchSize: 8 }));
  const b = await sampler.nextBatch();
  for (let i = 0; i < 8; i++) assert.ok(b.labels.subarray(i * 8, i * 8 + 8).some((l) => l > 0), `patch ${i} has no foreground`);
});
