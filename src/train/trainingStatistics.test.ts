import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import { makeVolume } from '../volume/Volume.js';
import { resolveTrainOptions } from './resolveTrainOptions.js';
import type { TrainSegmenterOptions } from './trainSegmenterOptions.js';
import { resolveIntensity } from './trainingStatistics.js';

describe('resolveIntensity', () => {
  const prior = AdjacencyPrior.fromCounts([
    [1, 1],
    [1, 1],
  ]);
  // One exam whose image is 0, 2, 4, 6 (nonzero voxels: mean 4, population std √(8/3)).
  const image = makeVolume([4, 1, 1], new Float32Array([0, 2, 4, 6]));
  const base: TrainSegmenterOptions = {
    outDir: '/unused', prior, train: [{ id: 'a', image: 'a.nii', label: 'a-seg.nii' }], epochs: 1, stepsPerEpoch: 1, lambda: 0,
    load: async () => image,
  };
  const resolve = async (extra: Partial<TrainSegmenterOptions>, stored?: Record<string, number | string>) => {
    const warnings: string[] = [];
    const intensity = await resolveIntensity(resolveTrainOptions({ ...base, ...extra, onWarning: (w) => warnings.push(w) }), stored);
    return { intensity, warnings };
  };

  test('a new network is z-scored per image by default; dataset statistics are computed over nonzero voxels', async () => {
    assert.deepEqual(await resolve({}), { intensity: { mode: 'image', region: 'nonzero' }, warnings: [] });
    const { intensity } = await resolve({ intensity: 'dataset' });
    assert.equal(intensity.mode, 'dataset');
    assert.ok(intensity.mode === 'dataset' && Math.abs(intensity.mean - 4) < 1e-9 && Math.abs(intensity.std - Math.sqrt(8 / 3)) < 1e-6);
  });

  test('an init model nonadj wrote keeps the scaling of its metadata, silently', async () => {
    const r = await resolve({ init: 'run/best/model.json' }, { method: 'zscore-dataset', mean: 40, std: 8 });
    assert.deepEqual(r, { intensity: { mode: 'dataset', mean: 40, std: 8 }, warnings: [] });
  });

  test('a foreign init model (no intensity metadata) gets brainchop\'s quantile scaling, with one warning saying why', async () => {
    const r = await resolve({ init: 'model30chan50cls/model.json' });
    assert.deepEqual(r.intensity, { mode: 'quantile', lower: 0.05, upper: 0.95 });
    assert.equal(r.warnings.length, 1);
    assert.match(r.warnings[0], /^--init model30chan50cls\/model\.json records no intensity scaling .*quantile 0\.05–0\.95/);
  });

  test('an explicit choice always wins', async () => {
    assert.deepEqual(await resolve({ init: 'm.json', intensity: { mode: 'minmax' } }), { intensity: { mode: 'minmax' }, warnings: [] });
    assert.deepEqual(await resolve({ init: 'm.json', intensity: 'image' }, { method: 'quantile', lower: 0.1, upper: 0.9 }), { intensity: { mode: 'image', region: 'nonzero' }, warnings: [] });
  });
});
