import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { StandardiseOptions } from '../data/standardise.js';
import { FOREIGN_MODEL_INTENSITY, describeIntensity, intensityFromMetadata, intensityMetadata } from './intensityMetadata.js';

describe('intensityMetadata', () => {
  test('every standardisation round-trips through the stored form', () => {
    const cases: StandardiseOptions[] = [
      { mode: 'image', region: 'nonzero' },
      { mode: 'image', region: 'all' },
      { mode: 'dataset', mean: 12.5, std: 3 },
      { mode: 'minmax' },
      { mode: 'quantile', lower: 0.05, upper: 0.95 },
      { mode: 'none' },
    ];
    for (const c of cases) assert.deepEqual(intensityFromMetadata(JSON.parse(JSON.stringify(intensityMetadata(c)))), c);
  });

  test('a model without metadata gets brainchop\'s quantile scaling; unknown methods are refused', () => {
    assert.deepEqual(intensityFromMetadata(undefined), FOREIGN_MODEL_INTENSITY);
    assert.equal(describeIntensity(FOREIGN_MODEL_INTENSITY), 'quantile 0.05–0.95');
    assert.throws(() => intensityFromMetadata({ method: 'quantile', lower: 0.1 }), /not understood/);
    assert.throws(() => intensityFromMetadata({ method: 'histogram' }), /not understood/);
  });
});
