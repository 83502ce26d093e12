import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../engine/initEngine.js';
import { makeModSegNet } from './makeModSegNet.js';
import { trainSteps } from '../../test/helpers/modelTraining.js';

describe('makeModSegNet', () => {
  it('maps [B, H, W, k] to per-pixel logits [B, H, W, C] (the classifier is linear)', async () => {
    await initEngine({ backend: 'cpu' });
    const model = makeModSegNet({ inputShape: [32, 16, 3], numClasses: 5, filters: [4, 8, 8], seed: 1 });
    assert.deepEqual(model.inputs[0].shape, [null, 32, 16, 3]);
    assert.deepEqual(model.outputs[0].shape, [null, 32, 16, 5]);
    const before = tf.memory().numTensors;
    const logits = tf.tidy(() => model.predict(tf.randomNormal([2, 32, 16, 3], 0, 1, 'float32', 7)) as tf.Tensor);
    assert.equal(tf.memory().numTensors, before + 1, 'predict leaves only its output');
    assert.deepEqual(logits.shape, [2, 32, 16, 5]);
    assert.equal(model.getLayer('classifier').getConfig().activation, 'linear');
    // Logits are unbounded: some negative (a softmax output never is).
    assert.ok(logits.dataSync().some((z) => z < 0));
    tf.dispose(logits);
  });

  it('has the reference layout: parameter count of the default 4-level 32/64/128/256 net', () => {
    const model = makeModSegNet({ inputShape: [128, 128, 7], numClasses: 117 });
    const conv = (ci: number, co: number, k = 3): number => (ci * k * k + 1) * co;
    // Encoders (two convs each), decoders (unpool ‖ skip → f_l → f_{l−1}; the top one a single conv), 1×1 classifier.
    const expected =
      conv(7, 32) + conv(32, 32) + conv(32, 64) + conv(64, 64) + conv(64, 128) + conv(128, 128) + conv(128, 256) + conv(256, 256) +
      conv(512, 256) + conv(256, 128) + conv(256, 128) + conv(128, 64) + conv(128, 64) + conv(64, 32) + conv(64, 32) +
      conv(32, 117, 1);
    assert.equal(model.countParams(), expected);
    assert.equal(model.layers.filter((l) => l.getClassName() === 'MaxUnpooling2D').length, 4);
    assert.equal(model.layers.filter((l) => l.getClassName() === 'BatchNormalization').length, 0);
    const outLayer = model.getLayer('classifier').getConfig();
    assert.equal(outLayer.activation, 'linear');
  });

  it('rejects sizes the pooling cannot halve and bad counts', () => {
    assert.throws(() => makeModSegNet({ inputShape: [90, 96, 7], numClasses: 3 }), /input 90×96 must be divisible by 2\^4 = 16/);
    assert.throws(() => makeModSegNet({ inputShape: [16, 16, 7], numClasses: 0 }), /numClasses 0 must be a positive integer/);
    assert.throws(() => makeModSegNet({ inputShape: [16, 16, 7], numClasses: 2, filters: [] }), /filters \[\] must be a non-empty list/);
    assert.throws(() => makeModSegNet({ inputShape: [16, 16, 7], numClasses: 2, convsPerLevel: 0 }), /convsPerLevel 0/);
  });

  it('is deterministic for a seed', () => {
    const a = makeModSegNet({ inputShape: [8, 8, 1], numClasses: 2, filters: [2, 2], seed: 3 });
    const b = makeModSegNet({ inputShape: [8, 8, 1], numClasses: 2, filters: [2, 2], seed: 3 });
    const wa = a.getWeights().map((w) => Array.from(w.dataSync()));
    const wb = b.getWeights().map((w) => Array.from(w.dataSync()));
    assert.deepEqual(wa, wb);
  });

  // Same seed, same data on both backends: the loss falls, and the two backends agree (wasm runs the project's kernels).
  const losses: Record<string, number[]> = {};
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`trains: 8 Adam steps of cross-entropy lower the loss (${backend}), without leaking tensors`, async () => {
      await initEngine({ backend });
      const model = makeModSegNet({ inputShape: [16, 16, 3], numClasses: 4, filters: [4, 8], seed: 11 });
      const run = trainSteps(model, { inputShape: [2, 16, 16, 3], numClasses: 4, steps: 8, learningRate: 0.01 });
      losses[backend] = run.losses;
      assert.ok(run.losses[7] < run.losses[0] - 0.05, `loss ${run.losses[0]} → ${run.losses[7]}`);
      assert.equal(run.tensorsAfter, run.tensorsBefore);
      model.dispose();
    });
  }
  it('cpu and wasm give the same training losses (to 1e-4)', () => {
    assert.ok(losses.cpu && losses.wasm, 'both training runs ran');
    for (let i = 0; i < losses.cpu.length; i++) assert.ok(Math.abs(losses.cpu[i] - losses.wasm[i]) < 1e-4, `step ${i}: ${losses.cpu[i]} vs ${losses.wasm[i]}`);
  });
});
