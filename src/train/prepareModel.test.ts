import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initEngine } from '../engine/initEngine.js';
import { fileLoadHandler, loadModel } from '../model/modelFiles.js';
import { withInputShape } from '../model/withInputShape.js';
import { makeAtlasCropDataset, type AtlasCropDataset } from '../../test/helpers/segmenterFixtures.js';
import { makeTinyMeshNet } from '../../test/helpers/makeTinyMeshNet.js';
import { DEFAULT_CROP_MARGIN_VOXELS } from '../infer/segmentVolume.js';
import { makeUNet3d } from '../model/makeUNet3d.js';
import { trainSegmenter, type TrainSegmenterOptions } from './trainSegmenter.js';

let ds: AtlasCropDataset;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'nonadj-init-'));
let runs = 0;

before(async () => {
  await initEngine({ backend: 'wasm' });
  ds = await makeAtlasCropDataset();
});
after(() => rmSync(tmp, { recursive: true, force: true }));

/** 3D fine-tuning on 8³ patches of the atlas crops (24×12×24), two steps, no validation. */
function options(init: tfl.LayersModel | string, extra: Partial<TrainSegmenterOptions> = {}): TrainSegmenterOptions {
  return {
    outDir: path.join(tmp, `run${runs++}`),
    prior: ds.prior,
    train: ds.exams.slice(0, 4),
    validation: [],
    load: ds.load,
    init,
    architecture: { kind: '3d', patch: [8, 8, 8] },
    epochs: 1,
    stepsPerEpoch: 2,
    batchSize: 1,
    lambda: 1,
    optimizer: { kind: 'adam', learningRate: 1e-2 },
    seed: 5,
    ...extra,
  };
}

describe('prepareModel: a foreign fully convolutional model in train --init', () => {
  test('a frozen MeshNet declared for 16³ (linear logits) is fine-tuned on 8³ patches and saved as published', async () => {
    const mesh = makeTinyMeshNet({ inputShape: [16, 16, 16, 1], numClasses: 5 });
    const before = mesh.getWeights().map((w) => Array.from(w.dataSync()));
    const warnings: string[] = [];
    const result = await trainSegmenter(options(mesh, { onWarning: (w) => warnings.push(w) }));
    assert.match(warnings.join('\n'), /every layer was frozen \(trainable: false\); all are trained/);
    assert.deepEqual(result.metadata.inputShape, [8, 8, 8, 1]);
    assert.deepEqual(result.metadata.publishedInputShape, [16, 16, 16, 1]);
    assert.deepEqual(result.model.inputs[0].shape, [null, 8, 8, 8, 1]);
    const after = result.model.getWeights().map((w) => Array.from(w.dataSync()));
    assert.equal(after.length, before.length);
    assert.ok(after.every((w, i) => w.some((v, j) => v !== before[i][j])), 'every weight moved');
    assert.deepEqual(before.map((w) => w.length), after.map((w) => w.length));

    // The saved files: the topology declares the published shape, layer and weight names are brainchop's.
    const file = path.join(result.bestDir, 'model.json');
    const json = JSON.parse(readFileSync(file, 'utf8'));
    const layers = json.modelTopology.config.layers as Array<{ class_name: string; name: string; config: Record<string, unknown> }>;
    assert.deepEqual(layers[0].config.batch_input_shape, [null, 16, 16, 16, 1]);
    assert.deepEqual(layers.map((l) => l.name), mesh.layers.map((l) => l.name));
    assert.deepEqual(json.weightsManifest[0].weights.map((w: { name: string }) => w.name), mesh.weights.map((w) => w.originalName));
    assert.equal(json.userDefinedMetadata.nonadj.kind, '3d');

    // Stock tfjs-layers reads it as published (16³), and predicts what the trained network predicts.
    const stock = await tfl.loadLayersModel(fileLoadHandler(file));
    assert.deepEqual(stock.inputs[0].shape, [null, 16, 16, 16, 1]);
    const whole = await withInputShape(result.model, [16, 16, 16, 1]);
    const x = tf.randomNormal([1, 16, 16, 16, 1], 0, 1, 'float32', 9);
    const gap = tf.tidy(() => tf.max(tf.abs(tf.sub(stock.predict(x) as tf.Tensor, whole.predict(x) as tf.Tensor))).dataSync()[0]);
    assert.equal(gap, 0);

    // nonadj reads it back as it trains it (8³ patches), e.g. to resume or to fine-tune again.
    const { model: again, metadata } = await loadModel(file);
    assert.deepEqual(again.inputs[0].shape, [null, 8, 8, 8, 1]);
    assert.deepEqual(metadata?.publishedInputShape, [16, 16, 16, 1]);
    const retuned = await trainSegmenter(options(file, { architecture: { kind: '3d', patch: [12, 8, 8] } }));
    assert.deepEqual(retuned.metadata.publishedInputShape, [16, 16, 16, 1], 'a second fine-tune keeps the published shape');
    tf.dispose(x);
    for (const m of [stock, whole, again, retuned.model, result.model]) m.dispose();
  });

  test("a model without nonadj metadata trains in brainchop's xyz order (kept on resume) and is saved with it and brainchop's crop", async () => {
    // A non-cubic patch, so that the order shows in the shapes too.
    const patch: [number, number, number] = [8, 6, 12];
    const mesh = makeTinyMeshNet({ inputShape: [16, 16, 16, 1], numClasses: 5 });
    const base = options(mesh, { architecture: { kind: '3d', patch }, stepsPerEpoch: 3, validation: ds.exams.slice(4) });
    const controller = new AbortController();
    const first = await trainSegmenter({ ...base, signal: controller.signal, onStep: (s) => s.globalStep === 1 && controller.abort() });
    assert.equal(first.status, 'interrupted');
    const resumed = await trainSegmenter({ ...base, resume: true });
    assert.equal(resumed.status, 'completed');
    for (const r of [first, resumed]) {
      assert.equal(r.metadata.inputOrder, 'xyz');
      assert.equal(r.metadata.crop, DEFAULT_CROP_MARGIN_VOXELS);
    }
    const { metadata } = await loadModel(resumed.bestDir);
    assert.equal(metadata?.inputOrder, 'xyz');
    assert.equal(metadata?.crop, DEFAULT_CROP_MARGIN_VOXELS);
    assert.deepEqual(metadata?.inputShape, [...patch, 1]);

    // Asked for, zyx is recorded (with the crop: brainchop's convention of running the model); a model that records
    // its order keeps it on a second fine-tune; nonadj's own 3D models record nothing, as before the field.
    const zyx = await trainSegmenter(options(makeTinyMeshNet({ inputShape: [16, 16, 16, 1], numClasses: 5 }), { architecture: { kind: '3d', patch, inputOrder: 'zyx' } }));
    assert.equal(zyx.metadata.inputOrder, 'zyx');
    const again = await trainSegmenter(options(resumed.bestDir, { architecture: { kind: '3d', patch } }));
    assert.equal(again.metadata.inputOrder, 'xyz');
    assert.equal(again.metadata.crop, DEFAULT_CROP_MARGIN_VOXELS);
    const unet = await trainSegmenter(options(makeUNet3d({ inputShape: [8, 8, 8, 1], numClasses: 5, filters: [2], seed: 1 })));
    assert.equal(unet.metadata.inputOrder, 'xyz', 'a foreign U-Net without metadata is taken as brainchop\'s too');
    await assert.rejects(
      trainSegmenter(options(makeTinyMeshNet({ inputShape: [16, 16, 16, 1], numClasses: 5 }), { init: undefined, architecture: { kind: '2.5d', inputOrder: 'xyz' } })),
      /the input order \(xyz\) is for 3D models; this run trains a 2.5D one/,
    );
    for (const r of [first, resumed, zyx, again, unet]) r.model.dispose();
  });

  test('a class count that differs from the prior, and a layer that needs a fixed size, are one clear error each', async () => {
    const wrong = makeTinyMeshNet({ inputShape: [16, 16, 16, 1], numClasses: 50 });
    await assert.rejects(trainSegmenter(options(wrong)), /--init model model: model model outputs 50 classes but the prior has 5 labels/);
    const input = tfl.input({ shape: [16, 16, 16, 1], name: 'input' });
    const conv = tfl.layers.conv3d({ filters: 5, kernelSize: 3, padding: 'same', name: 'conv' }).apply(input) as tfl.SymbolicTensor;
    const dense = tfl.layers.dense({ units: 5, name: 'head' }).apply(conv) as tfl.SymbolicTensor;
    const withDense = tfl.model({ inputs: input, outputs: dense, name: 'densenet' });
    await assert.rejects(trainSegmenter(options(withDense)), /--init model densenet: model densenet has layer head \(Dense\), which needs a fixed input size/);
  });
});
