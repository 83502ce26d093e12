import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PNG } from 'pngjs';
import { AdjacencyPrior } from './AdjacencyPrior.js';
import { encodeGraphPng } from './encodeGraphPng.js';

test('encodeGraphPng: white where count > 0, L × L pixels, row i = centre label i', () => {
  const prior = AdjacencyPrior.fromCounts([
    [2, 1, 0],
    [1, 0, 0],
    [0, 0, 4],
  ]);
  const img = PNG.sync.read(Buffer.from(encodeGraphPng(prior)));
  assert.equal(img.width, 3);
  assert.equal(img.height, 3);
  // pngjs decodes to RGBA: take the red channel of each pixel.
  const grey = [...img.data].filter((_, k) => k % 4 === 0);
  assert.deepEqual(grey, [255, 255, 0, 255, 0, 0, 0, 0, 255]);
});
