import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PNG } from 'pngjs';
import { checkSegmentation } from '../metric/checkSegmentation.js';
import { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import { makeVolume } from '../volume/Volume.js';
import { contactThumbnail } from './contactThumbnail.js';

const prior = AdjacencyPrior.fromCounts([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
const decode = (url: string) => PNG.sync.read(Buffer.from(url.replace(/^data:image\/png;base64,/, ''), 'base64'));

test('contactThumbnail: the coronal slice with most contact voxels of the worst pair, red where they are', () => {
  // 9³ host 1 with a 3³ cube of 2 at [3..5]³. Contact voxels (26-neighbourhood): the cube but its centre, and the
  // host's 5³ − 3³ shell. Per slice j: j = 2 → 25 shell voxels; j = 3 → 9 cube + 16 ring = 25; j = 4 → 8 + 16 = 24.
  // The first slice with the most (25) is j = 2.
  const data = new Uint8Array(729).fill(1);
  for (let k = 3; k <= 5; k++) for (let j = 3; j <= 5; j++) for (let i = 3; i <= 5; i++) data[i + 9 * (j + 9 * k)] = 2;
  const seg = makeVolume([9, 9, 9], data);
  const thumb = contactThumbnail(seg, checkSegmentation(seg, prior), { scale: 2 })!;
  assert.deepEqual([thumb.labels, thumb.sliceJ, thumb.contactVoxels, thumb.window], [[1, 2], 2, 25, { i: [0, 8], k: [0, 8] }]);
  const png = decode(thumb.png);
  assert.deepEqual([png.width, png.height], [18, 18]);
  let red = 0;
  for (let p = 0; p < png.data.length; p += 4) if (png.data[p] > 150 && png.data[p + 1] < 60) red++;
  assert.equal(red, 25 * 4);
  // A window smaller than the grid is centred on the centroid (4, 4, 4): 5 voxels → [2, 6].
  assert.deepEqual(contactThumbnail(seg, checkSegmentation(seg, prior), { windowVoxels: 5 })!.window, { i: [2, 6], k: [2, 6] });
  // No forbidden pair, no thumbnail.
  const clean = makeVolume([9, 9, 9], new Uint8Array(729).fill(1));
  assert.equal(contactThumbnail(clean, checkSegmentation(clean, prior)), null);
});
