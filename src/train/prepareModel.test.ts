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
