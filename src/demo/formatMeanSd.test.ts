import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatMeanSd } from './formatMeanSd.js';

test('formatMeanSd: the SD only with two seeds or more and an SD', () => {
  assert.deepEqual(
    [formatMeanSd(0.8123, 0.0049, 3, 3), formatMeanSd(0.8123, 0, 1, 3), formatMeanSd(0.8123, null, 3, 3), formatMeanSd(null, 0.1, 3, 3), formatMeanSd(Number.NaN, 0.1, 3, 1), formatMeanSd(30, 2, 2, 1)],
    ['0.812 ± 0.005', '0.812', '0.812', '–', '–', '30.0 ± 2.0'],
  );
});
