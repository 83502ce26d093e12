import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSinglePreview } from './isSinglePreview.js';

test('isSinglePreview: quick and default always; any mode with one seed; replicated with seeds is not', () => {
  assert.deepEqual(
    [
      isSinglePreview({ mode: 'quick', seeds: [1] }), isSinglePreview({ mode: 'default', seeds: [1, 2] }), isSinglePreview({ mode: 'full', seeds: [1] }),
      isSinglePreview({ mode: 'replicated', seeds: [1, 2, 3] }), isSinglePreview({ mode: 'full', seeds: [1, 2] }),
    ],
    [true, true, true, false, false],
  );
});
