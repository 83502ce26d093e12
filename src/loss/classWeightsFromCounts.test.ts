import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classWeightsFromCounts } from './classWeightsFromCounts.js';

describe('classWeightsFromCounts', () => {
  it('median of the present classes / class count; absent classes get 0', () => {
    // present [100, 10, 40] → median 40
    assert.deepEqual(Array.from(classWeightsFromCounts([100, 10, 0, 40])), [0.4000000059604645, 4, 0, 1]);
  });

  it('even number of present classes: the mean of the two middle counts', () => {
    // sorted [1, 3, 5, 100] → median 4
    assert.deepEqual(Array.from(classWeightsFromCounts([5, 1, 100, 3])), [0.800000011920929, 4, 0.03999999910593033, 1.3333333730697632]);
  });

  it('rejects negative or NaN counts and all-zero counts', () => {
    assert.throws(() => classWeightsFromCounts([1, -2]), /count of class 1 is -2/);
    assert.throws(() => classWeightsFromCounts([NaN]), /count of class 0 is NaN/);
    assert.throws(() => classWeightsFromCounts([0, 0]), /none of the 2 classes has a voxel/);
  });
});
