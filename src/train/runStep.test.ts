import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../engine/initEngine.js';
import { makeSegmentationLoss } from '../loss/makeSegmentationLoss.js';
import { makeModSegNet } from '../model/makeModSegNet.js';
import { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import { makeOptimizer } from './optimizer.js';
import { makeGradientEngine } from './makeGradientEngine.js';
import { runStep } from './runStep.js';

/** Mean over items of the mean Dice over foreground classes present in either map, written independently. */
function independentDice(labels: Int32Array, prediction: Int32Array, items: number, classes: number): number {
  const per = labels.length / items;
  let sum = 0;
  for (let b = 0; b < items; b++) {
    const scores: number[] = [];
    for (let c = 1; c < classes; c++) {
      let inter = 0, p = 0, t = 0;
      for (let v = b * per; v < (b + 1) * per; v++) {
        if (labels[v] < 0) continue;
        const isP = prediction[v] === c, isT = labels[v] === c;
        if (isP) p++;
        if (isT) t++;
        if (isP && isT) inter++;
      }
      if (p + t > 0) scores.push((2 * inter) / (p + t));
    }
    sum += scores.reduce((a, x) => a + x, 0) / scores.length;
  }
  return sum / items;
}

describe('runStep', () => {
  before(async () => {
    await initEngine({ backend: 'cpu' });
  });

  test("reports the arg-max Dice coefficient of the labelled items before the update, and leaks no tensor", async () => {
    const C = 3;
    const model = makeModSegNet({ inputShape: [16, 16, 1], numClasses: C, filters: [4, 4], seed: 2 });
    const prior = AdjacencyPrior.fromCounts(new Float64Array([5, 1, 0, 1, 5, 1, 0, 1, 5]));
    const loss = makeSegmentationLoss({ prior, classWeights: [1, 1, 1], nanCheck: 'off' });
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const optimizer = makeOptimizer(variables, { kind: 'adam', learningRate: 1e-3 });
    const B = 2, U = 2, pixels = 16 * 16;
    const images = Float32Array.from({ length: B * pixels }, (_, i) => Math.sin(i * 0.37));
    const labels = Int32Array.from({ length: B * pixels }, (_, i) => (i % 97 === 0 ? -1 : Math.floor((i % 16) / 6)));
    const unlabelled = Float32Array.from({ length: U * pixels }, (_, i) => Math.cos(i * 0.11));
    // The model's prediction on the labelled items before the step: what the coefficient must score.
    const before = tf.tidy(() => tf.argMax(model.predict(tf.tensor4d(images, [B, 16, 16, 1])) as tf.Tensor, -1).dataSync() as Int32Array);
    const tensors = tf.memory().numTensors;
    const engine = await makeGradientEngine(model, { engine: 'tfjs' });
    const r = await runStep(engine, loss, optimizer, variables, {
      labelled: images, labels, unlabelled, labelledCount: B, unlabelledCount: U, sampleShape: [16, 16, 1], labelShape: [16, 16],
    }, 0.5, 1e-3);
    assert.ok(r.finite);
    assert.ok(Math.abs(r.diceCoefficient! - independentDice(labels, before, B, C)) < 1e-12, `${r.diceCoefficient}`);
    // The optimiser's slots are made at the first update; nothing else may stay.
    assert.equal(tf.memory().numTensors, tensors + 2 * variables.length);
    optimizer.dispose();
  });
});
