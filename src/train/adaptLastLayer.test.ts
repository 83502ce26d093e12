import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initEngine } from '../engine/initEngine.js';
import { segmentVolume } from '../infer/segmentVolume.js';
import { makeNonAdjacencyLoss } from '../loss/makeNonAdjacencyLoss.js';
import { checkSegmentation } from '../metric/checkSegmentation.js';
import type { ModelMetadata } from '../model/modelFiles.js';
import type { Volume } from '../volume/Volume.js';
import { discInRing, discInRingPrior } from '../../test/helpers/discInRing.js';
import { adaptLastLayer } from './adaptLastLayer.js';

/**
 * The toy problem of `adaptModel.test.ts` in 3D: a disc (intensity 2, radius < 3) in a ring (intensity 1, radius <
 * 5.5) on a background of 0, 16×16 in-plane, 3 planes. The prior forbids 0–2 (the ring separates them). The model is
 * a trunk (a 1×1×1 convolution, feature = intensity) and a pointwise last layer with logits z = (0, 2f − 1, 3f − 1.9):
 * background 0, disc 2, and the ring 2 as well, narrowly (z = (0, 1, 1.1)), so label 2 touches the background.
 */
const N = 16;
const Z = 3;
const toyImage = () => discInRing(N, Z);
const prior = discInRingPrior;
const metadata: ModelMetadata = {
  kind: '3d', classes: [0, 1, 2], inputShape: [Z, N, N, 1], intensity: { method: 'zscore-dataset', mean: 0, std: 1 },
};
function toyModel(last: 'pointwise' | 'wide' = 'pointwise'): tfl.LayersModel {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv3d({ inputShape: [Z, N, N, 1], filters: 1, kernelSize: 1, name: 'trunk' }),
      tfl.layers.conv3d({ filters: 3, kernelSize: last === 'pointwise' ? 1 : 3, padding: 'same', name: 'last' }),
    ],
  });
  model.getLayer('trunk').setWeights([tf.ones([1, 1, 1, 1, 1]), tf.zeros([1])]);
  if (last === 'pointwise') model.getLayer('last').setWeights([tf.tensor5d([0, 2, 3], [1, 1, 1, 1, 3]), tf.tensor1d([0, -1, -1.9])]);
  return model;
}
const image = toyImage();
const base = { prior, scans: ['toy'], load: async () => image, metadata, learningRate: 1e-2, lambda: 1, steps: 50 };
const weightsOf = (model: tfl.LayersModel, name: string) => model.getLayer(name).getWeights().map((w) => Array.from(w.dataSync()));

describe('adaptLastLayer', () => {
  before(async () => {
    await initEngine({ backend: 'cpu' });
  });

  test('removes the toy forbidden contacts, keeps every label, changes the last layer only, and frees its tensors', async () => {
    const model = toyModel();
    const before = (await segmentVolume(model, image, { metadata })).labels;
    assert.ok(checkSegmentation(before, prior).forbiddenContacts > 0, 'the toy original breaks the prior');
    const trunkBefore = weightsOf(model, 'trunk');
    const tensors = tf.memory().numTensors;
    // The model holds each step's weights when onStep runs (to segment with it, as adaptModel's callers do).
    const seen: number[][] = [];
    const result = await adaptLastLayer(model, { ...base, onStep: () => void seen.push(weightsOf(model, 'last')[1]) });
    assert.notDeepEqual(seen[0], seen[1]);
    assert.deepEqual(seen.at(-1), weightsOf(model, 'last')[1]);
    assert.equal(tf.memory().numTensors, tensors, 'no tensor left behind');
    const after = (await segmentVolume(model, image, { metadata })).labels;
    assert.equal(checkSegmentation(after, prior).forbiddenContacts, 0);
    const counts = (v: Volume) => [0, 1, 2].map((c) => (v.data as Int32Array).filter((l) => l === c).length);
    assert.ok(counts(after).every((n) => n > 0), `every label kept: ${counts(after)}`);
    assert.deepEqual(weightsOf(model, 'trunk'), trunkBefore, 'the trunk is untouched');
    assert.notDeepEqual(weightsOf(model, 'last'), [[0, 2, 3], [0, -1, -1.9]].map((w) => Array.from(Float32Array.from(w))));
    assert.equal(result.steps, 50);
    assert.deepEqual(result.settings, { steps: 50, lambda: 1, fidelityWeight: 1, learningRate: 1e-2, scans: 1, layers: 'last', tile: 64, inputOrder: 'zyx', crop: false });
  });

  test('is deterministic, and the tiles change nothing but the contacts across their faces', async () => {
    const a = toyModel();
    const b = toyModel();
    await adaptLastLayer(a, { ...base, steps: 3 });
    await adaptLastLayer(b, { ...base, steps: 3 });
    assert.deepEqual(weightsOf(a, 'last'), weightsOf(b, 'last'));
    // Step 1's λ·NonAdjLoss (before its update) is NonAdjLoss on the original's logits of the whole grid, one tile.
    const r = await adaptLastLayer(toyModel(), { ...base, steps: 1 });
    const z = tf.tidy(() => {
      const x = tf.tensor(image.data as Float32Array, [1, Z, N, N, 1]);
      return tf.add(tf.mul(x, tf.tensor1d([0, 2, 3])), tf.tensor1d([0, -1, -1.9]));
    });
    const expected = makeNonAdjacencyLoss(prior, { lambda: 1, inputs: 'logits' })(z);
    assert.ok(Math.abs(r.history[0].nonAdjacency - expected.dataSync()[0]) < 1e-6 * expected.dataSync()[0], `${r.history[0].nonAdjacency} vs ${expected.dataSync()[0]}`);
    assert.ok(r.history[0].fidelity < 1e-6, 'the fidelity starts at 0');
    // Tiles of 8×8×3 (four): their faces at x = 8 and y = 8 cut the ring, and the pairs across them are dropped (each
    // tile zero-padded), none added, so the tiled loss is below the whole grid's, by a fraction of it.
    const tiled = await adaptLastLayer(toyModel(), { ...base, steps: 1, tile: 8 });
    assert.ok(tiled.history[0].nonAdjacency < r.history[0].nonAdjacency && tiled.history[0].nonAdjacency > 0.5 * r.history[0].nonAdjacency);
    tf.dispose([z, expected]);
  });

  test('the guard: its reference is the original\'s segmentation, and its checks cost no segmentation of ours', async () => {
    const model = toyModel();
    const original = (await segmentVolume(model, image, { metadata })).labels;
    const checks: number[] = [];
    const seen: Volume[][] = [];
    const r = await adaptLastLayer(model, {
      ...base, steps: 4,
      guard: { every: 2, minDice: 0, onCheck: (c, segmentations) => { checks.push(c.forbiddenContacts); seen.push([...segmentations]); } },
    });
    assert.equal(checks[0], checkSegmentation(original, prior).forbiddenContacts);
    // onCheck gets each check's segmentation: at step 0 the original's; each one scores as its check says.
    assert.deepEqual(Array.from(seen[0][0].data), Array.from(original.data));
    assert.deepEqual(seen.map((v) => checkSegmentation(v[0], prior).forbiddenContacts), checks);
    // The kept check's is the adapted model's own segmentation (the model ends with the kept weights).
    const kept = r.guard!.checks.findIndex((c) => c.step === r.guard!.bestStep);
    assert.deepEqual(Array.from(seen[kept][0].data), Array.from((await segmentVolume(model, image, { metadata })).labels.data));
    assert.deepEqual(r.guard?.checks.map((c) => c.step), [0, 2, 4]);
    assert.equal(r.guard?.stoppedAtStep, null);
    // A tolerance no change can meet: the first check whose segmentation differs fails (the steps before it changed no
    // voxel, so they tie with step 0, which stays kept), and the original weights are put back.
    const strict = toyModel();
    const s = await adaptLastLayer(strict, { ...base, steps: 10, guard: { every: 1, minDice: 1 } });
    const stopped = s.guard?.stoppedAtStep as number;
    assert.ok(stopped >= 1 && stopped < 10, `stopped at ${stopped}`);
    assert.deepEqual(s.guard?.checks.map((c) => c.passed), [...Array(stopped).fill(true), false]);
    assert.equal(s.guard?.bestStep, 0);
    assert.deepEqual(weightsOf(strict, 'last'), weightsOf(toyModel(), 'last'));
  });

  test('a 2.5D model: features slice by slice, the loss over the 3D grid; the toy contacts go, every label stays', async () => {
    const flat = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [N, N, 1], filters: 1, kernelSize: 1, name: 'trunk' }),
        tfl.layers.conv2d({ filters: 3, kernelSize: 1, name: 'last' }),
      ],
    });
    flat.getLayer('trunk').setWeights([tf.ones([1, 1, 1, 1]), tf.zeros([1])]);
    flat.getLayer('last').setWeights([tf.tensor4d([0, 2, 3], [1, 1, 1, 3]), tf.tensor1d([0, -1, -1.9])]);
    const flatMeta: ModelMetadata = { ...metadata, kind: '2.5d', inputShape: [N, N, 1], axis: 2, k: 1 };
    const before = (await segmentVolume(flat, image, { metadata: flatMeta })).labels;
    const r = await adaptLastLayer(flat, { ...base, metadata: flatMeta, guard: { every: 10, minDice: 0 } });
    assert.equal(r.guard?.checks[0].forbiddenContacts, checkSegmentation(before, prior).forbiddenContacts, 'the reference is segment\'s');
    const after = (await segmentVolume(flat, image, { metadata: flatMeta })).labels;
    assert.equal(checkSegmentation(after, prior).forbiddenContacts, 0);
    assert.deepEqual([...new Set(after.data)].sort(), [0, 1, 2]);
    assert.deepEqual(weightsOf(flat, 'last').map((w) => w.length), [3, 3], 'the Conv2D kernel keeps its shape');
    await assert.rejects(adaptLastLayer(flat, { ...base, metadata: null }), /has no nonadj metadata; give the slicing axis/);
  });

  test('refuses a last layer that is not pointwise, and bad options, naming the value', async () => {
    await assert.rejects(adaptLastLayer(toyModel('wide'), base), /ends in Conv3D last \(kernel \[3,3,3\].*pointwise Conv3D/);
    await assert.rejects(adaptLastLayer(toyModel(), { ...base, tile: 0 }), /tile is 0, expected an integer ≥ 1/);
    await assert.rejects(adaptLastLayer(toyModel(), { ...base, scans: [] }), /no scan/);
  });
});
