import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FOREIGN_MODEL_INTENSITY, intensityMetadata } from './intensityMetadata.js';
import { modelIntensity } from './modelIntensity.js';

describe('modelIntensity', () => {
  const zscore = intensityMetadata({ mode: 'image', region: 'nonzero' });

  test('an explicit choice wins over the metadata and over the foreign default', () => {
    for (const stored of [zscore, undefined]) {
      const c = modelIntensity(stored, { explicit: { mode: 'minmax' } });
      assert.deepEqual(c.intensity, { mode: 'minmax' });
      assert.equal(c.source, 'explicit');
    }
  });

  test('a model nonadj wrote gets the scaling its metadata records', () => {
    const c = modelIntensity(zscore, { modelName: 'run/best/model.json' });
    assert.deepEqual(c.intensity, { mode: 'image', region: 'nonzero' });
    assert.equal(c.source, 'metadata');
    assert.equal(c.message, 'intensity z-score (nonzero voxels) for run/best/model.json, as its nonadj metadata records');
    const dataset = modelIntensity({ method: 'zscore-dataset', mean: 40, std: 8 });
    assert.deepEqual(dataset.intensity, { mode: 'dataset', mean: 40, std: 8 });
  });

  test('a model without metadata gets brainchop\'s quantile scaling, with a message naming it and why', () => {
    const c = modelIntensity(undefined, { modelName: 'model30chan50cls/model.json' });
    assert.deepEqual(c.intensity, FOREIGN_MODEL_INTENSITY);
    assert.deepEqual(c.intensity, { mode: 'quantile', lower: 0.05, upper: 0.95 });
    assert.equal(c.source, 'foreign');
    assert.match(c.message, /^model30chan50cls\/model\.json records no intensity scaling .*quantile 0\.05–0\.95.*--intensity chooses another$/);
    assert.doesNotMatch(c.message, /\n/);
  });

  test('a stored scaling that is not understood is refused', () => {
    assert.throws(() => modelIntensity({ method: 'histogram' }), /intensityFromMetadata: .*not understood/);
  });
});
