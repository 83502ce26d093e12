import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { makeAtlasCropDataset, type AtlasCropDataset } from '../../test/helpers/segmenterFixtures.js';
import { labelIndexLoader } from '../data/labelIndexLoader.js';
import type { ModelMetadata } from '../model/modelFiles.js';
import { swapXZ } from '../volume/swapXZ.js';
import { makeBatchSource } from './makeBatchSource.js';
import { resolveTrainOptions } from './resolveTrainOptions.js';

let ds: AtlasCropDataset;
before(async () => {
  ds = await makeAtlasCropDataset([72, 80, 88]);
});

const meta = (inputShape: number[], inputOrder?: 'zyx' | 'xyz'): ModelMetadata => ({
  kind: '3d',
  classes: [...ds.prior.labels],
  inputShape,
  ...(inputOrder ? { inputOrder } : {}),
});

/** The first batch of a seeded run whose model has `metadata` (2 labelled, 6 unlabelled patches). */
async function firstBatch(metadata: ModelMetadata) {
  const o = resolveTrainOptions({
    outDir: 'unused',
    prior: ds.prior,
    train: ds.exams.slice(0, 2),
    unlabelled: ds.exams.slice(2),
    epochs: 1,
    stepsPerEpoch: 1,
    batchSize: 2,
    lambda: 0,
    seed: 4,
    load: ds.load,
  });
  const source = makeBatchSource(o, metadata, { mode: 'image' }, null, labelIndexLoader(ds.load, ds.prior, o.train));
  return source.next();
}

test("'xyz' feeds each patch (image, labels, unlabelled image) as the swapXZ of the 'zyx' patch of the transposed size", async () => {
  // A non-cubic patch, so that a missing or doubled transposition changes the shape, not only the values.
  const [d, h, w] = [4, 6, 10];
  const xyz = await firstBatch(meta([d, h, w, 1], 'xyz'));
  const zyx = await firstBatch(meta([w, h, d, 1]));
  assert.deepEqual(xyz.sampleShape, [d, h, w, 1]);
  assert.deepEqual(xyz.labelShape, [d, h, w]);
  assert.deepEqual([xyz.labelledCount, xyz.unlabelledCount], [2, 6]);
  const per = d * h * w;
  // A zyx patch [w, h, d] = [z, y, x] holds nx = d, ny = h, nz = w voxels.
  const swapped = <T extends Float32Array | Int32Array>(batch: T, count: number): T[] =>
    Array.from({ length: count }, (_, i) => swapXZ(batch.subarray(i * per, (i + 1) * per) as T, [d, h, w]).data);
  const split = <T extends Float32Array | Int32Array>(batch: T, count: number): T[] =>
    Array.from({ length: count }, (_, i) => batch.subarray(i * per, (i + 1) * per) as T);
  assert.deepEqual(split(xyz.labelled, 2), swapped(zyx.labelled, 2));
  assert.deepEqual(split(xyz.labels, 2), swapped(zyx.labels, 2));
  assert.deepEqual(split(xyz.unlabelled!, 6), swapped(zyx.unlabelled!, 6));
  // Not trivially equal: the patches hold several structures, and the swap moves them.
  assert.notDeepEqual(Array.from(xyz.labels), Array.from(zyx.labels));
  assert.ok(new Set(xyz.labels).size > 2, 'the patches hold more than one structure');
});

test("metadata without inputOrder, or with 'zyx', gives the same batches (every nonadj model before the field)", async () => {
  const absent = await firstBatch(meta([4, 6, 10, 1]));
  const zyx = await firstBatch(meta([4, 6, 10, 1], 'zyx'));
  assert.deepEqual(absent.labelled, zyx.labelled);
  assert.deepEqual(absent.labels, zyx.labels);
});
