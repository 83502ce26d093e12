import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initEngine } from '../engine/initEngine.js';
import { makeModSegNet } from './makeModSegNet.js';
import { makeUNet3d } from './makeUNet3d.js';
import { assertModelMetadata, loadModel, saveModel, type ModelMetadata } from './modelFiles.js';

const meta25d: ModelMetadata = {
  kind: '2.5d',
  classes: [0, 3, 7],
  classNames: ['background', 'a', null],
  inputShape: [16, 16, 3],
  axis: 1,
  k: 3,
  intensity: { method: 'zscore', mean: 0.5, std: 2 },
  prior: { numLabels: 3, forbiddenOrderedPairs: 2, connectivity: 26, radius: 1 },
};

async function predictionOf(model: tfl.LayersModel, shape: number[]): Promise<Float32Array> {
  const out = tf.tidy(() => model.predict(tf.randomNormal(shape, 0, 1, 'float32', 9)) as tf.Tensor);
  const v = (await out.data()) as Float32Array;
  out.dispose();
  return v;
}

describe('saveModel / loadModel', () => {
  let dir: string;
  before(async () => {
    await initEngine({ backend: 'cpu' });
    dir = mkdtempSync(path.join(os.tmpdir(), 'nonadj-model-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips a ModSegNet (custom unpooling layer) with identical predictions and its metadata', async () => {
    const model = makeModSegNet({ inputShape: [16, 16, 3], numClasses: 3, filters: [4, 8], seed: 1 });
    const out = path.join(dir, 'seg');
    const saved = await saveModel(model, out, meta25d);
    assert.equal(saved.modelJson, path.join(out, 'model.json'));
    const { model: loaded, metadata } = await loadModel(out);
    assert.deepEqual(metadata, meta25d);
    assert.deepEqual(await predictionOf(loaded, [2, 16, 16, 3]), await predictionOf(model, [2, 16, 16, 3]));
    // The file itself and the folder both load.
    assert.deepEqual((await loadModel(saved.modelJson)).metadata, meta25d);
  });

  it('round-trips a 3D U-Net (UpSampling3D) with identical predictions', async () => {
    const model = makeUNet3d({ inputShape: [4, 4, 4, 1], numClasses: 2, filters: [2, 3], seed: 2 });
    const meta: ModelMetadata = { kind: '3d', classes: [0, 1], inputShape: [4, 4, 4, 1] };
    await saveModel(model, path.join(dir, 'u3'), meta);
    const { model: loaded, metadata } = await loadModel(path.join(dir, 'u3'));
    assert.deepEqual(metadata, meta);
    assert.deepEqual(await predictionOf(loaded, [1, 4, 4, 4, 1]), await predictionOf(model, [1, 4, 4, 4, 1]));
  });

  it('round-trips a 3D model\'s inputOrder and crop; files without them read as before; bad values are refused', async () => {
    const model = makeUNet3d({ inputShape: [4, 4, 4, 1], numClasses: 2, filters: [2, 3], seed: 2 });
    const meta: ModelMetadata = { kind: '3d', classes: [0, 1], inputShape: [4, 4, 4, 1], inputOrder: 'xyz', crop: 8 };
    await saveModel(model, path.join(dir, 'xyz'), meta);
    assert.deepEqual(JSON.parse(readFileSync(path.join(dir, 'xyz', 'model.json'), 'utf8')).userDefinedMetadata.nonadj, meta);
    assert.deepEqual((await loadModel(path.join(dir, 'xyz'))).metadata, meta);
    assert.throws(() => assertModelMetadata({ ...meta, inputOrder: 'yxz' }), /inputOrder is "yxz", expected 'zyx' or 'xyz' on a 3d model/);
    assert.throws(() => assertModelMetadata({ ...meta25d, inputOrder: 'xyz' }), /inputOrder is "xyz", expected 'zyx' or 'xyz' on a 3d model/);
    assert.throws(() => assertModelMetadata({ ...meta, crop: -1 }), /crop is -1, expected an integer ≥ 0/);
    assert.throws(() => assertModelMetadata({ ...meta25d, crop: 8 }), /crop is 8, expected an integer ≥ 0 \(voxels\) on a 3d model/);
    assertModelMetadata({ ...meta, inputOrder: undefined, crop: undefined });
    model.dispose();
  });

  it('writes the standard tfjs layers format: model.json + weights.bin, weights first, no temporary files left', async () => {
    const model = makeModSegNet({ inputShape: [16, 16, 3], numClasses: 3, filters: [4, 8], seed: 1 });
    const out = path.join(dir, 'std');
    const { weightBytes } = await saveModel(model, out, meta25d);
    await saveModel(model, out, meta25d); // overwriting is fine
    assert.deepEqual(readdirSync(out).sort(), ['model.json', 'weights.bin']);
    const json = JSON.parse(readFileSync(path.join(out, 'model.json'), 'utf8'));
    assert.equal(json.format, 'layers-model');
    assert.match(json.generatedBy, /^TensorFlow\.js tfjs-layers v4\.22\.0$/);
    assert.equal(json.modelTopology.class_name, 'Model');
    assert.equal(json.weightsManifest.length, 1);
    assert.deepEqual(json.weightsManifest[0].paths, ['./weights.bin']);
    // 4 bytes per float32 weight, in manifest order.
    const floats = json.weightsManifest[0].weights.reduce((a: number, w: { shape: number[] }) => a + w.shape.reduce((p, d) => p * d, 1), 0);
    assert.equal(floats, model.countParams());
    assert.equal(statSync(path.join(out, 'weights.bin')).size, 4 * floats);
    assert.equal(weightBytes, 4 * floats);
    assert.deepEqual(json.userDefinedMetadata, { nonadj: meta25d });
  });

  it('loads with tfjs’s own loaders: fromMemory(getModelArtifactsForJSON) and an HTTP fetch as in a browser', async () => {
    const model = makeModSegNet({ inputShape: [16, 16, 3], numClasses: 3, filters: [4, 8], seed: 5 });
    const out = path.join(dir, 'web');
    await saveModel(model, out, meta25d);
    const modelJson = JSON.parse(readFileSync(path.join(out, 'model.json'), 'utf8'));
    const artifacts = await tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
      const bytes = readFileSync(path.join(out, manifest[0].paths[0]));
      return [manifest[0].weights, bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)];
    });
    const fromMemory = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
    const expected = await predictionOf(model, [1, 16, 16, 3]);
    assert.deepEqual(await predictionOf(fromMemory, [1, 16, 16, 3]), expected);

    // What `tf.loadLayersModel('https://host/models/web/model.json')` does in a browser, with a fetch serving the folder.
    const requested: string[] = [];
    const fetchFunc = async (input: string | URL | Request): Promise<Response> => {
      const url = String(input instanceof Request ? input.url : input);
      requested.push(url);
      const file = path.join(out, new URL(url).pathname.replace('/models/web/', ''));
      return new Response(readFileSync(file), { status: 200 });
    };
    const overHttp = await tfl.loadLayersModel(tf.io.http('https://host/models/web/model.json', { fetchFunc }));
    // tfjs requests `prefix + './weights.bin'`, which URL resolution turns into the folder's weights.bin.
    assert.deepEqual(requested.map((u) => new URL(u).href), ['https://host/models/web/model.json', 'https://host/models/web/weights.bin']);
    assert.deepEqual(await predictionOf(overHttp, [1, 16, 16, 3]), expected);
    assert.deepEqual(overHttp.getUserDefinedMetadata(), { nonadj: meta25d });
  });

  it('returns null metadata for a model saved without it, and a loaded model trains on', async () => {
    const model = makeModSegNet({ inputShape: [8, 8, 1], numClasses: 2, filters: [2], seed: 3 });
    await saveModel(model, path.join(dir, 'plain'));
    const { model: loaded, metadata } = await loadModel(path.join(dir, 'plain', 'model.json'));
    assert.equal(metadata, null);
    assert.equal(loaded.trainableWeights.length, model.trainableWeights.length);
  });

  it('fails with messages naming the file', async () => {
    await assert.rejects(loadModel(path.join(dir, 'nope')), /loadModel: .*nope does not exist, expected a model.json or a folder holding one/);
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, '{ not json');
    await assert.rejects(loadModel(bad), /loadModel: .*bad\.json is not JSON/);
    writeFileSync(bad, JSON.stringify({ format: 'graph-model', modelTopology: {}, weightsManifest: [] }));
    await assert.rejects(loadModel(bad), /has format 'graph-model', expected 'layers-model'/);
    writeFileSync(bad, JSON.stringify({ hello: 1 }));
    await assert.rejects(loadModel(bad), /is not a tfjs model.json, expected the keys modelTopology and weightsManifest/);
    const model = makeModSegNet({ inputShape: [8, 8, 1], numClasses: 2, filters: [2], seed: 3 });
    const out = path.join(dir, 'noweights');
    await saveModel(model, out);
    rmSync(path.join(out, 'weights.bin'));
    await assert.rejects(loadModel(out), /loadModel: cannot read a weight file listed in .*model\.json, .*weights\.bin: ENOENT/);
    await assert.rejects(saveModel(model, out, { ...meta25d, k: 4 }), /saveModel: metadata k is 4, expected a positive odd integer/);
    await assert.rejects(saveModel(model, out, { ...meta25d, kind: '2d' as never }), /metadata kind is "2d"/);
    writeFileSync(path.join(dir, 'afile'), 'x');
    await assert.rejects(saveModel(model, path.join(dir, 'afile', 'sub')), /saveModel: .*afile/);
  });
});
