import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../engine/initEngine.js';
import { makeUNet3d } from './makeUNet3d.js';
import { trainSteps } from '../../test/helpers/modelTraining.js';

describe('makeUNet3d', () => {
  it('maps [B, D, H, W, 1] to logits [B, D, H, W, C] (the classifier is linear)', async () => {
    await initEngine({ backend: 'cpu' });
    const model = makeUNet3d({ inputShape: [8, 4, 12, 1], numClasses: 3, filters: [2, 4, 4], seed: 2 });
    assert.deepEqual(model.outputs[0].shape, [null, 8, 4, 12, 3]);
    const logits = tf.tidy(() => model.predict(tf.randomNormal([2, 8, 4, 12, 1], 0, 1, 'float32', 1)) as tf.Tensor);
    assert.deepEqual(logits.shape, [2, 8, 4, 12, 3]);
    assert.equal(model.getLayer('classifier').getConfig().activation, 'linear');
    logits.dispose();
  });

  it('has the documented layout: parameter count of the default 8/16/32 net', () => {
    const model = makeUNet3d({ inputShape: [16, 16, 16, 1], numClasses: 10 });
    const conv = (ci: number, co: number, k = 3): number => (ci * k ** 3 + 1) * co;
    // Encoder 1→8→8, 8→16→16; bottleneck 16→32→32; decoders: 1×1×1 up-conv, concat with the skip, two 3³ convs; classifier.
    const expected =
      conv(1, 8) + conv(8, 8) + conv(8, 16) + conv(16, 16) + conv(16, 32) + conv(32, 32) +
      conv(32, 16, 1) + conv(32, 16) + conv(16, 16) + conv(16, 8, 1) + conv(16, 8) + conv(8, 8) + conv(8, 10, 1);
    assert.equal(model.countParams(), expected);
    assert.equal(model.layers.filter((l) => l.getClassName() === 'UpSampling3D').length, 2);
  });

  it('rejects patch sizes the pooling cannot halve', () => {
    assert.throws(() => makeUNet3d({ inputShape: [10, 16, 16, 1], numClasses: 2 }), /patch 10×16×16 must be divisible by 2\^2 = 4/);
    assert.throws(() => makeUNet3d({ inputShape: [16, 16, 1] as never, numClasses: 2 }), /four positive integers/);
  });

  const losses: Record<string, number[]> = {};
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`trains: 6 Adam steps lower the loss (${backend}), without leaking tensors`, async () => {
      await initEngine({ backend });
      const model = makeUNet3d({ inputShape: [8, 8, 8, 1], numClasses: 3, filters: [4, 8], seed: 4 });
      const run = trainSteps(model, { inputShape: [1, 8, 8, 8, 1], numClasses: 3, steps: 6, learningRate: 0.01 });
      losses[backend] = run.losses;
      assert.ok(run.losses[5] < run.losses[0] - 0.03, `loss ${run.losses[0]} → ${run.losses[5]}`);
      assert.equal(run.tensorsAfter, run.tensorsBefore);
      model.dispose();
    });
  }
  it('cpu and wasm give the same training losses (to 1e-4)', () => {
    assert.ok(losses.cpu && losses.wasm, 'both training runs ran');
    for (let i = 0; i < losses.cpu.length; i++) assert.ok(Math.abs(losses.cpu[i] - losses.wasm[i]) < 1e-4, `step ${i}: ${losses.cpu[i]} vs ${losses.wasm[i]}`);
  });
});
