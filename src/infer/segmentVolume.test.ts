import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { initEngine } from '../engine/initEngine.js';
import { readNiftiFile, writeNiftiFile } from '../volume/niftiFile.js';
import { makeAtlasCropDataset, type AtlasCropDataset } from '../../test/helpers/segmenterFixtures.js';
import { makeModSegNet } from '../model/makeModSegNet.js';
import { makeUNet3d } from '../model/makeUNet3d.js';
import { segmentVolume } from './segmentVolume.js';

let ds: AtlasCropDataset;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'nonadj-seg-'));
before(async () => {
  await initEngine({ backend: 'wasm' });
  ds = await makeAtlasCropDataset([72]);
});
after(() => rmSync(tmp, { recursive: true, force: true }));

const codes = [0, 97, 103, 105, 107];

test('2.5D: labels on the input grid with its affine, in the metadata codes, marked as a label map; probabilities sum to 1', async () => {
  const image = ds.files.get(ds.exams[0].image)!;
  const model = makeModSegNet({ inputShape: [24, 24, 3], numClasses: 5, filters: [4], seed: 3 });
  const metadata = { kind: '2.5d' as const, classes: codes, inputShape: [24, 24, 3], axis: 1 as const, k: 3 };
  const { labels, probabilities } = await segmentVolume(model, image, { metadata, output: 'labelsAndProbabilities' });
  assert.deepEqual(labels.dims, image.dims);
  assert.deepEqual(Array.from(labels.affine), Array.from(image.affine));
  assert.equal(labels.header.intentCode, 1002);
  assert.ok(labels.data.every((l) => codes.includes(l)));
  assert.equal(probabilities!.frames, 5);
  const n = 24 * 12 * 24;
  for (const v of [0, 100, n - 1]) {
    let sum = 0;
    let best = 0;
    for (let c = 0; c < 5; c++) {
      sum += probabilities!.data[c * n + v];
      if (probabilities!.data[c * n + v] > probabilities!.data[best * n + v]) best = c;
    }
    assert.ok(Math.abs(sum - 1) < 1e-5);
    assert.equal(labels.data[v], codes[best]); // the label is the most probable channel's code
  }
  // Written and read back: same grid, affine and labels.
  const file = path.join(tmp, 'seg.nii.gz');
  await writeNiftiFile(file, labels, { kind: 'labels' });
  const back = await readNiftiFile(file);
  assert.deepEqual(back.dims, image.dims);
  assert.ok(Array.from(back.affine).every((x, i) => Math.abs(x - image.affine[i]) < 1e-4));
  assert.deepEqual(Array.from(back.data), Array.from(labels.data));
  assert.equal(back.header.intentCode, 1002);
  model.dispose();
});

test('3D: overlapping patches cover the whole volume; a model without metadata needs an axis only in 2.5D', async () => {
  const image = ds.files.get(ds.exams[0].image)!;
  const unet = makeUNet3d({ inputShape: [8, 8, 8, 1], numClasses: 5, filters: [2, 4], seed: 1 });
  const { labels } = await segmentVolume(unet, image, { metadata: null, classes: codes });
  assert.equal(labels.data.length, 24 * 12 * 24);
  assert.ok(labels.data.every((l) => codes.includes(l)));
  const seg = makeModSegNet({ inputShape: [24, 24, 3], numClasses: 5, filters: [4], seed: 3 });
  await assert.rejects(segmentVolume(seg, image, { metadata: null }), /give the slicing axis/);
  unet.dispose();
  seg.dispose();
});
