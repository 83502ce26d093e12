import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { gradCheck } from '../../test/helpers/gradcheck.js';
import { LOSS_TEST_BACKENDS, useBackend } from '../../test/helpers/lossBackends.js';
import { softDiceLoss } from './softDiceLoss.js';

for (const backend of LOSS_TEST_BACKENDS) {
  describe(`softDiceLoss (${backend})`, () => {
    before(() => useBackend(backend));

    it('golden: perfect one-hot prediction → 0; swapped → 1 − 1/(2+1) per class', () => {
      const labels = tf.tensor3d([[[0, 1]]], [1, 1, 2], 'int32');
      const perfect = tf.tensor4d([1, 0, 0, 1], [1, 1, 2, 2]);
      assert.ok(Math.abs(softDiceLoss(perfect, labels).dataSync()[0]) < 1e-7);
      // swapped: per class intersection 0, Σp + Σt = 2 → dice = (0+1)/(2+1) → loss 2/3
      const swapped = tf.tensor4d([0, 1, 1, 0], [1, 1, 2, 2]);
      assert.ok(Math.abs(softDiceLoss(swapped, labels).dataSync()[0] - 2 / 3) < 1e-6);
    });

    it('golden: pixels labelled −1 are left out; a class absent from labels and prediction scores 0 loss', () => {
      // pixel 0 labelled 0 with p=(0.5,0.5,0); pixel 1 ignored (its p would matter otherwise).
      // class 0: (2·0.5+1)/(0.5+1+1) = 0.8 → 0.2; class 1: (0+1)/(0.5+0+1) = 2/3 → 1/3; class 2: 1/1 → 0.
      const probs = tf.tensor4d([0.5, 0.5, 0, 0, 0, 1], [1, 1, 2, 3]);
      const labels = tf.tensor3d([[[0, -1]]], [1, 1, 2], 'int32');
      const expected = (0.2 + 1 / 3 + 0) / 3;
      assert.ok(Math.abs(softDiceLoss(probs, labels).dataSync()[0] - expected) < 1e-6);
    });

    it('pools over the batch (one Dice per class over all items), 2D and 3D alike', () => {
      const probs = tf.softmax(tf.randomNormal([2, 3, 4, 3], 0, 1, 'float32', 1));
      const labels = tf.randomUniform([2, 3, 4], 0, 3, 'int32', 2);
      const pooled = softDiceLoss(probs, labels).dataSync()[0];
      const asOne = softDiceLoss(tf.reshape(probs, [1, 6, 4, 3]), tf.reshape(labels, [1, 6, 4])).dataSync()[0];
      assert.ok(Math.abs(pooled - asOne) < 1e-6);
      const as3d = softDiceLoss(tf.reshape(probs, [1, 2, 3, 4, 3]), tf.reshape(labels, [1, 2, 3, 4])).dataSync()[0];
      assert.ok(Math.abs(pooled - as3d) < 1e-6);
    });

    it('finite differences confirm its gradient w.r.t. logits', () => {
      const labels = tf.tensor3d([[[0, 1, -1], [2, 2, 0]]], [1, 2, 3], 'int32');
      gradCheck((x) => softDiceLoss(tf.softmax(x), labels), tf.randomNormal([1, 2, 3, 3], 0, 1, 'float32', 3), { eps: 1e-2 });
    });

    it('rejects out-of-range labels, a shape mismatch, float labels and a wrong numClasses', () => {
      const probs = tf.fill([1, 2, 2, 3], 1 / 3);
      assert.throws(() => softDiceLoss(probs, tf.tensor3d([[[0, 3], [1, -2]]], [1, 2, 2], 'int32')), /2 labels lie outside \[0, 3\) and are not −1 \(ignore\), e\.g\. 3/);
      assert.throws(() => softDiceLoss(probs, tf.zeros([1, 2, 3], 'int32')), /labels have shape \[1, 2, 3\], expected \[1, 2, 2\]/);
      assert.throws(() => softDiceLoss(probs, tf.zeros([1, 2, 2])), /labels are float32, expected int32/);
      assert.throws(() => softDiceLoss(probs, tf.zeros([1, 2, 2], 'int32'), { numClasses: 4 }), /numClasses is 4, but the probabilities have 3 channels/);
    });
  });
}
