import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { gradCheck } from '../../test/helpers/gradcheck.js';
import { LOSS_TEST_BACKENDS, useBackend } from '../../test/helpers/lossBackends.js';
import { weightedCrossEntropy } from './weightedCrossEntropy.js';

for (const backend of LOSS_TEST_BACKENDS) {
  describe(`weightedCrossEntropy (${backend})`, () => {
    before(() => useBackend(backend));

    it('golden: uniform logits over C classes cost ln C per pixel, whatever the weights', () => {
      const logits = tf.zeros([1, 2, 2, 4]);
      const labels = tf.tensor3d([[[0, 1], [3, -1]]], [1, 2, 2], 'int32');
      assert.ok(Math.abs(weightedCrossEntropy(logits, labels).dataSync()[0] - Math.log(4)) < 1e-6);
      assert.ok(Math.abs(weightedCrossEntropy(logits, labels, { weights: [1, 5, 0.2, 3] }).dataSync()[0] - Math.log(4)) < 1e-6);
    });

    it('golden: the weighted mean of PyTorch, ignoring −1', () => {
      // pixel a: label 0, logits (ln 3, 0) → p0 = 3/4, −ln 0.75; pixel b: label 1, logits (0, 0) → −ln 0.5.
      // weights (1, 3): (1·(−ln .75) + 3·(−ln .5)) / (1 + 3)
      const logits = tf.tensor4d([Math.log(3), 0, 0, 0, 9, -9], [1, 1, 3, 2]);
      const labels = tf.tensor3d([[[0, 1, -1]]], [1, 1, 3], 'int32');
      const expected = (-Math.log(0.75) - 3 * Math.log(0.5)) / 4;
      assert.ok(Math.abs(weightedCrossEntropy(logits, labels, { weights: [1, 3] }).dataSync()[0] - expected) < 1e-6);
    });

    it('is finite for extreme logits (computed from logits, not log(softmax))', () => {
      const logits = tf.tensor4d([200, -200], [1, 1, 1, 2]);
      const v = weightedCrossEntropy(logits, tf.tensor3d([[[1]]], [1, 1, 1], 'int32')).dataSync()[0];
      assert.ok(Math.abs(v - 400) < 1e-3);
    });

    it('is 0 when every pixel is ignored or of a zero-weight class', () => {
      const logits = tf.randomNormal([1, 2, 2, 2]);
      assert.ok(weightedCrossEntropy(logits, tf.fill([1, 2, 2], -1, 'int32')).dataSync()[0] === 0);
      assert.ok(weightedCrossEntropy(logits, tf.zeros([1, 2, 2], 'int32'), { weights: [0, 1] }).dataSync()[0] === 0);
    });

    it('finite differences confirm its gradient (3D)', () => {
      const labels = tf.tensor4d([[[[0, 2]], [[1, -1]]]], [1, 2, 1, 2], 'int32');
      gradCheck((x) => weightedCrossEntropy(x, labels, { weights: [0.5, 2, 1] }), tf.randomNormal([1, 2, 1, 2, 3], 0, 1, 'float32', 4));
    });

    it('rejects weights of the wrong length or sign', () => {
      const logits = tf.zeros([1, 1, 1, 2]);
      const labels = tf.zeros([1, 1, 1], 'int32');
      assert.throws(() => weightedCrossEntropy(logits, labels, { weights: [1] }), /1 class weights for 2 classes/);
      assert.throws(() => weightedCrossEntropy(logits, labels, { weights: [1, -1] }), /weight of class 1 is -1/);
    });
  });
}
