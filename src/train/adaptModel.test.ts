import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initEngine } from '../engine/initEngine.js';
import { segmentVolume } from '../infer/segmentVolume.js';
import { checkSegmentation } from '../metric/checkSegmentation.js';
import type { ModelMetadata } from '../model/modelFiles.js';
import { swapXZ } from '../volume/swapXZ.js';
import { makeVolume, type Volume } from '../volume/Volume.js';
import { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import { discInRing, discInRingPrior } from '../../test/helpers/discInRing.js';
import { adaptModel } from './adaptModel.js';

/**
 * The toy problem: two 16×16 axial slices of a disc (intensity 2, radius < 3) in a ring (intensity 1, radius < 5.5)
 * on a background of 0. Truth: background 0, ring 1, disc 2. The prior forbids 0–2 (the ring separates them).
 * The "original model" is a 1×1 convolution with logits z = (0, 2x − 1, 3x − 1.9) at intensity x: it labels the
 * background 0 (z = (0, −1, −1.9)) and the disc 2 (z = (0, 3, 4.1)), but the ring 2 as well, narrowly
 * (z = (0, 1, 1.1)), so label 2 touches the background all round: forbidden contacts. Relabelling the ring 1 is
 * within reach of the model (the slope of class 2 exceeds class 1's) and costs little fidelity there (0.1 logit).
 */
const N = 16;
const Z = 2;
const toyImage = () => discInRing(N, Z);
const prior = discInRingPrior;
const metadata: ModelMetadata = {
  kind: '2.5d', classes: [0, 1, 2], inputShape: [N, N, 1], axis: 2, k: 1, intensity: { method: 'zscore-dataset', mean: 0, std: 1 },
};
function toyModel(): tfl.LayersModel {
  const model = tfl.sequential({ layers: [tfl.layers.conv2d({ inputShape: [N, N, 1], filters: 3, kernelSize: 1, name: 'toy' })] });
  model.layers[0].setWeights([tf.tensor4d([0, 2, 3], [1, 1, 1, 3]), tf.tensor1d([0, -1, -1.9])]);
  return model;
}
const counts = (v: Volume) => [0, 1, 2].map((c) => (v.data as Int32Array).filter((l) => l === c).length);

describe('adaptModel', () => {
  before(async () => {
    await initEngine({ backend: 'cpu' });
  });
  const image = toyImage();
  const base = { prior, scans: ['toy'], load: async () => image, metadata, learningRate: 1e-2, batchSize: 2, seed: 3 };

  test('the toy original has forbidden contacts; the adapted model (same seed) has fewer, and keeps every label', async () => {
    const original = toyModel();
    const before = (await segmentVolume(original, image, { metadata })).labels;
    const contactsBefore = checkSegmentation(before, prior).forbiddenContacts;
    assert.deepEqual(counts(before), [336, 0, 176]);
    assert.ok(contactsBefore > 0);
    const model = toyModel();
    const r = await adaptModel(model, { ...base, lambda: 1, steps: 50 });
    assert.equal(r.steps, 50);
    const after = (await segmentVolume(model, image, { metadata })).labels;
    const contactsAfter = checkSegmentation(after, prior).forbiddenContacts;
    assert.ok(contactsAfter < contactsBefore, `forbidden contacts ${contactsBefore} → ${contactsAfter}`);
    const [bg, ring, disc] = counts(after);
    assert.equal(bg, 336, 'the background, where the original was sure, is unchanged');
    assert.ok(ring > 0 && disc > 0, `labels ${counts(after)}`);
    // The fidelity starts at 0 (the adapted model is the original) and the first NonAdjLoss is the original's.
    assert.ok(Math.abs(r.history[0].fidelity) < 1e-6);
    assert.ok(r.history[0].nonAdjacency > r.history.at(-1)!.nonAdjacency);
  });

  test('the fidelity term is what prevents the collapse: without it the same run ends with one label everywhere', async () => {
    const alone = toyModel();
    await adaptModel(alone, { ...base, lambda: 1, steps: 50, fidelityWeight: 0 });
    const collapsed = counts((await segmentVolume(alone, image, { metadata })).labels);
    assert.equal(collapsed.filter((n) => n > 0).length, 1, `labels without fidelity ${collapsed}`);
    const kept = toyModel();
    await adaptModel(kept, { ...base, lambda: 1, steps: 200 });
    const labels = counts((await segmentVolume(kept, image, { metadata })).labels);
    assert.equal(labels.filter((n) => n > 0).length, 3, `labels with fidelity after 200 steps ${labels}`);
  });

  test('the same seed gives the same weights; the model given is changed in place, and no tensor leaks', async () => {
    const a = toyModel();
    const b = toyModel();
    const tensors = tf.memory().numTensors;
    await adaptModel(a, { ...base, lambda: 1, steps: 5 });
    assert.equal(tf.memory().numTensors, tensors);
    await adaptModel(b, { ...base, lambda: 1, steps: 5 });
    const wa = a.getWeights().map((w) => Array.from(w.dataSync()));
    const wb = b.getWeights().map((w) => Array.from(w.dataSync()));
    assert.deepEqual(wa, wb);
    assert.notDeepEqual(wa[0], [0, 2, 3]);
  });

  test('on onnxruntime (the student\'s training graphs, the original\'s predictions) the same run reaches the tfjs weights, and leaks no tensor', async () => {
    const a = toyModel();
    const b = toyModel();
    const engines: string[] = [];
    const tensors = tf.memory().numTensors;
    const ra = await adaptModel(a, { ...base, lambda: 1, steps: 20, engine: 'onnx', onEngine: (e) => engines.push(e.student, e.original) });
    assert.equal(tf.memory().numTensors, tensors);
    assert.match(engines[0], /^onnxruntime-node .* \(training graphs\), 1 thread$/);
    assert.match(engines[1], /^onnxruntime-node /);
    const rb = await adaptModel(b, { ...base, lambda: 1, steps: 20 });
    // Float32 rounding differs between the engines' passes; over 20 Adam steps of lr 1e-2 the weights (~1) stay within 1e-4.
    const wa = a.getWeights().map((w) => Array.from(w.dataSync()));
    const wb = b.getWeights().map((w) => Array.from(w.dataSync()));
    wa.flat().forEach((v, i) => assert.ok(Math.abs(v - wb.flat()[i]) < 1e-4, `weight ${i}: onnx ${v}, tfjs ${wb.flat()[i]}`));
    assert.notDeepEqual(wb[0], [0, 2, 3]);
    ra.history.forEach((h, i) => assert.ok(Math.abs(h.nonAdjacency - rb.history[i].nonAdjacency) <= 1e-4 * Math.max(1e-3, rb.history[i].nonAdjacency), `step ${i + 1}`));
  });

  test('guard: the collapse without fidelity trips a check; the model is restored to the best passing check and the run stops', async () => {
    const model = toyModel();
    const seen: number[] = [];
    const r = await adaptModel(model, {
      ...base, lambda: 1, steps: 50, fidelityWeight: 0,
      guard: { every: 5, minDice: 0.9, segment: async (m) => [(await segmentVolume(m, image, { metadata })).labels], onCheck: (c) => { seen.push(c.step); } },
    });
    const g = r.guard!;
    // Step 0 is the original: the reference, passed, with its forbidden contacts.
    assert.deepEqual(g.checks[0], { ...g.checks[0], step: 0, worst: null, passed: true });
    assert.ok(g.checks[0].forbiddenContacts > 0);
    assert.deepEqual(seen, g.checks.map((c) => c.step));
    // The run (which collapses to one label by step 50 unguarded, test above) stops at the first failed check.
    const failed = g.checks.at(-1)!;
    assert.equal(failed.passed, false);
    assert.ok(failed.worst!.dice < 0.9);
    assert.ok(g.checks.slice(0, -1).every((c) => c.passed));
    assert.equal(g.stoppedAtStep, failed.step);
    assert.equal(r.steps, failed.step);
    assert.ok(r.steps < 50);
    // The model holds the best passing check's weights: its segmentation scores as that check did.
    const kept = g.checks.find((c) => c.step === g.bestStep)!;
    assert.ok(kept.passed);
    assert.equal(kept.forbiddenContacts, Math.min(...g.checks.filter((c) => c.passed).map((c) => c.forbiddenContacts)));
    const labels = (await segmentVolume(model, image, { metadata })).labels;
    assert.equal(checkSegmentation(labels, prior).forbiddenContacts, kept.forbiddenContacts);
    if (g.bestStep === 0) assert.deepEqual(Array.from(model.getWeights()[0].dataSync()), [0, 2, 3]);
  });

  test('guard: a run whose checks all pass keeps the fewest-contact weights and checks the last step', async () => {
    const model = toyModel();
    const tensors = tf.memory().numTensors;
    const r = await adaptModel(model, {
      ...base, lambda: 1, steps: 12, guard: { every: 5, minDice: 0, segment: async (m) => [(await segmentVolume(m, image, { metadata })).labels] },
    });
    assert.equal(tf.memory().numTensors, tensors, 'the kept weights are disposed');
    const g = r.guard!;
    assert.deepEqual(g.checks.map((c) => c.step), [0, 5, 10, 12]);
    assert.equal(g.stoppedAtStep, null);
    assert.equal(r.steps, 12);
    const labels = (await segmentVolume(model, image, { metadata })).labels;
    assert.equal(checkSegmentation(labels, prior).forbiddenContacts, Math.min(...g.checks.map((c) => c.forbiddenContacts)));
  });

  test('zero steps leave the model as it was', async () => {
    const model = toyModel();
    const r = await adaptModel(model, { ...base, steps: 0 });
    assert.equal(r.steps, 0);
    assert.deepEqual(Array.from(model.getWeights()[0].dataSync()), [0, 2, 3]);
  });

  test('bad input: clear errors naming the value', async () => {
    const model = toyModel();
    await assert.rejects(adaptModel(model, { ...base, scans: [] }), /adaptModel: no scan to adapt to/);
    await assert.rejects(adaptModel(model, { ...base, lambda: -1 }), /adaptModel: lambda is -1/);
    await assert.rejects(adaptModel(model, { ...base, steps: 1.5 }), /adaptModel: steps is 1.5/);
    const four = AdjacencyPrior.fromCounts([[1, 1, 0, 0], [1, 1, 1, 0], [0, 1, 1, 1], [0, 0, 1, 1]]);
    await assert.rejects(adaptModel(model, { ...base, prior: four }), /adaptModel: model .*4/);
    await assert.rejects(adaptModel(model, { ...base, metadata: null }), /adaptModel: .*no nonadj metadata; give the slicing axis/);
    const big = makeVolume([N + 2, N, Z], new Float32Array((N + 2) * N * Z).fill(1), { spacingMm: [1, 1, 1] });
    await assert.rejects(adaptModel(model, { ...base, load: async () => big, steps: 1 }), /adaptModel: scan toy has 16×18 slices along axis 2, larger than the model's input 16×16/);
  });

  /**
   * A 3D model exported frozen as brainchop's are (every layer `trainable: false`, input declared 8³), whose 3×1×1
   * kernel along D makes the axes fed to it matter; adapted on [4, 5, 6] patches of a 4×5×6 image, i.e. the whole
   * image, so that the patch drawn does not depend on the order.
   */
  function frozen3d(): tfl.LayersModel {
    const model = tfl.sequential({
      layers: [tfl.layers.conv3d({ inputShape: [8, 8, 8, 1], filters: 3, kernelSize: [3, 1, 1], padding: 'same', name: 'k', trainable: false })],
    });
    model.layers[0].setWeights([tf.tensor5d([0.5, -1, 0.2, 1, 0.3, -0.4, -0.6, 0.8, 0.1], [3, 1, 1, 1, 3]), tf.tensor1d([0, 0.1, -0.1])]);
    return model;
  }
  const dims3: [number, number, number] = [4, 5, 6];
  const image3 = makeVolume(dims3, Float32Array.from({ length: 120 }, (_, v) => ((v * 37) % 11) / 5), { spacingMm: [1, 1, 1] });
  const swapped = swapXZ(image3.data as Float32Array, dims3);
  const image3Swapped = makeVolume(swapped.dims, swapped.data, { spacingMm: [1, 1, 1] });
  const base3 = { prior, scans: ['toy'], metadata: null, learningRate: 1e-2, batchSize: 1, seed: 3, lambda: 1, steps: 3 };

  test('3D patch: a frozen model is rebuilt for the patch, adapted, and its weights copied back; its declared input stays', async () => {
    const model = frozen3d();
    const before = Array.from(model.getWeights()[0].dataSync());
    const tensors = tf.memory().numTensors;
    const r = await adaptModel(model, { ...base3, load: async () => image3, patch: [4, 5, 6] });
    assert.equal(tf.memory().numTensors, tensors, 'no tensor leaks (the rebuilt student is disposed)');
    assert.deepEqual(r.settings.patch, [4, 5, 6]);
    assert.equal(r.settings.inputOrder, 'xyz', 'a model without metadata is fed as brainchop feeds it, as segmentVolume does');
    assert.notDeepEqual(Array.from(model.getWeights()[0].dataSync()), before);
    assert.deepEqual(model.inputs[0].shape, [null, 8, 8, 8, 1]);
    assert.equal(model.layers[0].trainable, false);
  });

  test('3D input order: xyz on an image is zyx on the image with x and z swapped, and differs from zyx on the image', async () => {
    const weights = async (load: Volume, inputOrder: 'xyz' | 'zyx', patch: [number, number, number]) => {
      const model = frozen3d();
      await adaptModel(model, { ...base3, load: async () => load, inputOrder, patch });
      return model.getWeights().map((w) => Array.from(w.dataSync()));
    };
    const xyz = await weights(image3, 'xyz', [4, 5, 6]);
    assert.deepEqual(xyz, await weights(image3Swapped, 'zyx', [4, 5, 6]));
    assert.notDeepEqual(xyz, await weights(image3, 'zyx', [6, 5, 4]));
  });

  test('3D: a patch for a 2.5D model, or a bad patch, is refused', async () => {
    await assert.rejects(adaptModel(toyModel(), { ...base, patch: [4, 4, 4] }), /adaptModel: patch is given for model .*a 2.5D model/);
    await assert.rejects(adaptModel(frozen3d(), { ...base3, load: async () => image3, patch: [4, 0, 4] }), /adaptModel: patch is \[4, 0, 4\]/);
  });
});
