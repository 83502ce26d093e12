import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { LOSS_TEST_BACKENDS, useBackend } from '../../test/helpers/lossBackends.js';
import { makeNonAdjacencyLoss } from './makeNonAdjacencyLoss.js';
import { makeSegmentationLoss } from './makeSegmentationLoss.js';
import { softDiceLoss } from './softDiceLoss.js';
import { weightedCrossEntropy } from './weightedCrossEntropy.js';

const prior = [
  [4, 1, 0],
  [1, 4, 1],
  [0, 1, 4],
];

for (const backend of LOSS_TEST_BACKENDS) {
  describe(`makeSegmentationLoss (${backend})`, () => {
    before(() => useBackend(backend));

    it('total = CE + 5·Dice + λ·NonAdj, CE and Dice on the labelled items only, NonAdj on all', () => {
      const logits = tf.randomNormal([3, 4, 5, 3], 0, 2, 'float32', 1);
      const labels = tf.randomUniform([1, 4, 5], -1, 3, 'int32', 2);
      const weights = [1, 2, 0.5];
      const loss = makeSegmentationLoss({ prior, lambda: 0.7, classWeights: weights });
      const r = loss(logits, labels);
      const first = tf.slice(logits, [0, 0, 0, 0], [1, 4, 5, 3]);
      const ce = weightedCrossEntropy(first, labels, { weights }).dataSync()[0];
      const dice = softDiceLoss(tf.softmax(first), labels).dataSync()[0];
      const nonAdj = makeNonAdjacencyLoss(prior)(tf.softmax(logits)).dataSync()[0];
      assert.ok(Math.abs(r.crossEntropy.dataSync()[0] - ce) < 1e-6);
      assert.ok(Math.abs(r.dice.dataSync()[0] - dice) < 1e-6);
      assert.ok(Math.abs(r.nonAdjacency.dataSync()[0] - nonAdj) < 1e-7);
      assert.ok(Math.abs(r.total.dataSync()[0] - (ce + 5 * dice + 0.7 * nonAdj)) < 1e-5);
      // a call may override λ (the controller's)
      assert.ok(Math.abs(loss(logits, labels, { lambda: 0 }).total.dataSync()[0] - (ce + 5 * dice)) < 1e-5);
    });

    for (const implementation of ['auto', 'dense'] as const) {
      it(`value and gradient w.r.t. the logits match the terms composed by hand, 2D and 3D (NonAdjLoss ${implementation})`, () => {
        // 'auto' is sparse here: the NonAdjLoss takes the logits (fused) and the Dice its own softmax of the labelled
        // items; 'dense' shares one softmax. Both must equal CE + 5·Dice(softmax) + λ·NonAdj(softmax).
        const weights = [1, 2, 0.5];
        const loss = makeSegmentationLoss({ prior, lambda: 0.7, classWeights: weights, implementation });
        const nonAdj = makeNonAdjacencyLoss(prior, { implementation: 'dense' });
        for (const grid of [
          [4, 5],
          [3, 4, 5],
        ]) {
          const logits = tf.randomNormal([3, ...grid, 3], 0, 2, 'float32', 4);
          const labels = tf.randomUniform([1, ...grid], -1, 3, 'int32', 5);
          const byHand = (z: tf.Tensor): tf.Scalar => {
            const first = tf.slice(z, z.shape.map(() => 0), [1, ...z.shape.slice(1)]);
            const ce = weightedCrossEntropy(first, labels, { weights });
            const dice = softDiceLoss(tf.softmax(first), labels);
            return tf.addN([ce, tf.mul(dice, 5), tf.mul(nonAdj(tf.softmax(z)), 0.7)]) as tf.Scalar;
          };
          const a = tf.valueAndGrad((z: tf.Tensor) => loss(z, labels).total)(logits);
          const b = tf.valueAndGrad(byHand)(logits);
          assert.ok(Math.abs(a.value.dataSync()[0] - b.value.dataSync()[0]) < 1e-5);
          const scale = tf.tidy(() => tf.max(tf.abs(b.grad)).dataSync()[0]);
          assert.ok(tf.tidy(() => tf.max(tf.abs(tf.sub(a.grad, b.grad))).dataSync()[0]) <= 1e-5 * scale);
        }
      });
    }

    it('an unlabelled batch gets only the NonAdjLoss; the gradient reaches the logits without leaks', () => {
      const loss = makeSegmentationLoss({ prior, lambda: 2 });
      const logits = tf.randomNormal([2, 3, 3, 3], 0, 2, 'float32', 3);
      const r = loss(logits, null);
      assert.equal(r.crossEntropy.dataSync()[0], 0);
      assert.equal(r.dice.dataSync()[0], 0);
      tf.dispose(r as unknown as tf.Tensor[]);
      const step = (): void => {
        const g = tf.grad((x: tf.Tensor) => loss(x, tf.zeros([1, 3, 3], 'int32')).total)(logits);
        assert.ok(tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]) > 0);
        g.dispose();
      };
      step();
      const before = tf.memory().numTensors;
      step();
      assert.equal(tf.memory().numTensors, before);
    });

    it('rejects more labelled items than the batch', () => {
      const loss = makeSegmentationLoss({ prior });
      assert.throws(() => loss(tf.zeros([1, 2, 2, 3]), tf.zeros([2, 2, 2], 'int32')), /2 labelled items for a batch of 1/);
    });
  });
}
