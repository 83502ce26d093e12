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
import { DEFAULT_CROP_MARGIN_VOXELS, resolveCropMargin, resolveInputOrder, segmentVolume } from './segmentVolume.js';
import * as tfl from '@tensorflow/tfjs-layers';
import { swapXZ } from '../volume/swapXZ.js';

let ds: AtlasCropDataset;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'nonadj-seg-'));
before(async () => {
  await initEngine({ backend: 'wasm' });
  ds = await makeAtlasCropDataset([72]);
});
after(() => rmSync(tmp, { recursive: true, force: true }));

const codes = [0, 97, 103, 105, 107];

test('resolveInputOrder / resolveCropMargin: the option, else what the metadata records, else nonadj\'s (zyx, no crop) or brainchop\'s (xyz, 8)', () => {
  const nonadj = { kind: '3d' as const, classes: [0, 1], inputShape: [8, 8, 8, 1] };
  const tuned = { ...nonadj, inputOrder: 'xyz' as const, crop: 5 };
  assert.equal(resolveInputOrder(undefined, null), 'xyz');
  assert.equal(resolveInputOrder(undefined, nonadj), 'zyx');
  assert.equal(resolveInputOrder(undefined, tuned), 'xyz');
  assert.equal(resolveInputOrder(undefined, { ...nonadj, inputOrder: 'zyx' }), 'zyx');
  assert.equal(resolveInputOrder('zyx', tuned), 'zyx');
  assert.equal(resolveInputOrder('xyz', nonadj), 'xyz');
  assert.equal(resolveCropMargin(undefined, null), DEFAULT_CROP_MARGIN_VOXELS);
  assert.equal(resolveCropMargin(undefined, nonadj), false);
  assert.equal(resolveCropMargin(undefined, tuned), 5);
  assert.equal(resolveCropMargin(false, tuned), false);
  assert.equal(resolveCropMargin(0, nonadj), 0);
});

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

/** A small brainchop-style MeshNet with a fixed declared input (as brainchop's 256³), which the layer-wise path ignores. */
function smallMeshNet(): tfl.LayersModel {
  const x = tfl.input({ shape: [16, 16, 16, 1] });
  let t = x;
  for (const [i, d] of [1, 2, 1].entries()) {
    t = tfl.layers.conv3d({ filters: 4, kernelSize: 3, dilationRate: d, padding: 'same', activation: 'elu', kernelInitializer: tfl.initializers.glorotNormal({ seed: 10 + i }), biasInitializer: tfl.initializers.randomNormal({ stddev: 0.2, seed: 20 + i }) }).apply(t) as tfl.SymbolicTensor;
  }
  const out = tfl.layers.conv3d({ filters: 5, kernelSize: 1, kernelInitializer: tfl.initializers.glorotNormal({ seed: 7 }) }).apply(t) as tfl.SymbolicTensor;
  return tfl.model({ inputs: x, outputs: out });
}

test('3D, metadata recording inputOrder xyz and brainchop\'s crop (a fine-tuned brainchop model): segmented as the foreign original; without them: zyx, no crop', async () => {
  const image = ds.files.get(ds.exams[0].image)!;
  const net = smallMeshNet();
  const metadata = { kind: '3d' as const, classes: codes, inputShape: [8, 8, 8, 1], intensity: { method: 'quantile', lower: 0.05, upper: 0.95 } };
  const foreign = await segmentVolume(net, image, { metadata: null, classes: codes });
  const tuned = await segmentVolume(net, image, { metadata: { ...metadata, inputOrder: 'xyz', crop: DEFAULT_CROP_MARGIN_VOXELS } });
  assert.equal(tuned.run.inputOrder, 'xyz');
  assert.deepEqual(tuned.run.crop, foreign.run.crop);
  assert.deepEqual(Array.from(tuned.labels.data), Array.from(foreign.labels.data));
  const plain = await segmentVolume(net, image, { metadata });
  assert.equal(plain.run.inputOrder, 'zyx');
  assert.equal(plain.run.crop, undefined);
  net.dispose();
});

test('3D fully convolutional chain (MeshNet): whole volume layer by layer, brainchop\'s conventions by default; xyz is the zyx run of the x↔z-swapped image; a crop covering the grid changes nothing', async () => {
  const image = ds.files.get(ds.exams[0].image)!;
  const net = smallMeshNet();
  const dflt = await segmentVolume(net, image, { metadata: null, classes: codes });
  assert.equal(dflt.run.path, 'layerwise');
  assert.equal(dflt.run.inputOrder, 'xyz');
  assert.deepEqual(dflt.run.intensity, { mode: 'quantile', lower: 0.05, upper: 0.95 });
  assert.ok(dflt.run.crop !== undefined);
  assert.deepEqual(dflt.labels.dims, image.dims);

  const xyz = await segmentVolume(net, image, { metadata: null, classes: codes, crop: false, inputOrder: 'xyz', intensity: { mode: 'minmax' } });
  const swapped = { ...image, dims: [image.dims[2], image.dims[1], image.dims[0]] as [number, number, number], data: swapXZ(Float32Array.from(image.data), image.dims).data };
  const zyx = await segmentVolume(net, swapped, { metadata: null, classes: codes, crop: false, inputOrder: 'zyx', intensity: { mode: 'minmax' } });
  assert.deepEqual(Array.from(xyz.labels.data), Array.from(swapXZ(zyx.labels.data, swapped.dims).data));

  const wide = await segmentVolume(net, image, { metadata: null, classes: codes, crop: 100, inputOrder: 'xyz', intensity: { mode: 'minmax' }, output: 'labelsAndProbabilities' });
  assert.deepEqual(wide.run.crop, { start: [0, 0, 0], size: image.dims });
  assert.deepEqual(Array.from(wide.labels.data), Array.from(xyz.labels.data));

  // A tight crop of an image whose first 6 columns are background: voxels outside the box get channel 0's code and
  // probability 1 for channel 0.
  const data = Float32Array.from(image.data);
  for (let v = 0; v < data.length; v++) if (v % image.dims[0] < 6) data[v] = 0;
  const tight = await segmentVolume(net, { ...image, data }, { metadata: null, classes: codes, crop: 0, output: 'labelsAndProbabilities' });
  const box = tight.run.crop!;
  const [nx, ny] = image.dims;
  const n = image.data.length;
  let outside = 0;
  for (let v = 0; v < n; v++) {
    const x = v % nx;
    const y = Math.floor(v / nx) % ny;
    const z = Math.floor(v / (nx * ny));
    const inBox = [x, y, z].every((c, a) => c >= box.start[a] && c < box.start[a] + box.size[a]);
    if (inBox) continue;
    outside++;
    assert.equal(tight.labels.data[v], codes[0]);
    assert.equal(tight.probabilities!.data[v], 1);
  }
  assert.ok(outside > 0, 'the tight box leaves some background out');
  net.dispose();
});

test('3D chain with a forward (onnxruntime): one pass when it fits the budget; over it, tfjs slabs, and the run says so', async () => {
  const { makeInferenceEngine } = await import('./makeInferenceEngine.js');
  const image = ds.files.get(ds.exams[0].image)!;
  const net = smallMeshNet();
  const engine = await makeInferenceEngine(net, { engine: 'onnx', threads: 1 });
  const common = { metadata: null, classes: codes, crop: false as const, intensity: { mode: 'minmax' as const } };
  try {
    const tfjs = await segmentVolume(net, image, common);
    assert.equal(tfjs.run.engine, 'tfjs');
    assert.equal(tfjs.run.fallback, undefined);
    const onePass = await segmentVolume(net, image, { ...common, forward: engine.forward });
    assert.equal(onePass.run.engine, 'forward');
    assert.equal(onePass.run.fallback, undefined);
    // The estimate on the 24×12×24 grid: 1.3 × 4 bytes × 6912 voxels × 9 channels (the 4 → 5 output layer's in + out) = 323 482 bytes.
    const exact = await segmentVolume(net, image, { ...common, forward: engine.forward, onePassBudgetBytes: 323_482 });
    assert.equal(exact.run.engine, 'forward');
    const over = await segmentVolume(net, image, { ...common, forward: engine.forward, onePassBudgetBytes: 300_000 });
    assert.equal(over.run.engine, 'tfjs');
    assert.equal(over.run.fallback, 'one pass on the 24×12×24 grid would take an estimated 323 kB, over the 300 kB allowed');
    assert.deepEqual(Array.from(over.labels.data), Array.from(tfjs.labels.data), 'the fallback is the tfjs run');
    let differ = 0;
    for (let v = 0; v < tfjs.labels.data.length; v++) if (onePass.labels.data[v] !== tfjs.labels.data[v]) differ++;
    assert.ok(differ <= 3, `${differ} voxels differ between onnxruntime's one pass and tfjs' slabs`);
    // 2.5D and patches with a forward: always on it.
    const unet = makeUNet3d({ inputShape: [8, 8, 8, 1], numClasses: 5, filters: [2, 4], seed: 1 });
    const unetEngine = await makeInferenceEngine(unet, { engine: 'onnx', threads: 1 });
    const patches = await segmentVolume(unet, image, { ...common, forward: unetEngine.forward, onePassBudgetBytes: 1 });
    assert.deepEqual([patches.run.path, patches.run.engine, patches.run.fallback], ['patches', 'forward', undefined]);
    await unetEngine.dispose();
    unet.dispose();
  } finally {
    await engine.dispose();
    net.dispose();
  }
});
