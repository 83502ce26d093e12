import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers';
import { fidelityLoss } from './fidelityLoss.js';

await tf.setBackend('cpu');

test('one pixel, p = (½, ½), q = (1, 0): value log 2, gradient (p − q)/N = (−½, ½)', () => {
  const z = tf.tensor2d([[0, 0]]);
  const q = tf.tensor2d([[1, 0]]);
  assert.ok(Math.abs(fidelityLoss(z, q).dataSync()[0] - Math.log(2)) < 1e-6);
  const g = tf.grad((x: tf.Tensor) => fidelityLoss(x, q))(z).dataSync();
  assert.ok(Math.abs(g[0] + 0.5) < 1e-6 && Math.abs(g[1] - 0.5) < 1e-6, `gradient ${g}`);
});

test('two pixels, 4D: the mean of the per-pixel KL, and the gradient (p − q)/2', () => {
  // Pixel 1: z = (log 3, 0) → p = (¾, ¼), q = (½, ½): KL = ½ log(½/¾) + ½ log(½/¼) = ½ log(4/3).
  // Pixel 2: p = q = (¾, ¼): KL = 0. Mean = ¼ log(4/3).
  const z = tf.tensor4d([Math.log(3), 0, Math.log(3), 0], [1, 1, 2, 2]);
  const q = tf.tensor4d([0.5, 0.5, 0.75, 0.25], [1, 1, 2, 2]);
  assert.ok(Math.abs(fidelityLoss(z, q).dataSync()[0] - 0.25 * Math.log(4 / 3)) < 1e-6);
  const g = Array.from(tf.grad((x: tf.Tensor) => fidelityLoss(x, q))(z).dataSync());
  const expected = [(0.75 - 0.5) / 2, (0.25 - 0.5) / 2, 0, 0];
  g.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-6, `gradient ${g}`));
});

test('zero at p = q, positive elsewhere, and a zero-probability class adds nothing (0·log 0 = 0)', () => {
  const q = tf.tensor2d([[0.2, 0.3, 0.5], [1, 0, 0]]);
  const z = tf.log(tf.maximum(q, 1e-12));
  assert.ok(Math.abs(fidelityLoss(z, q).dataSync()[0]) < 1e-5);
  assert.ok(fidelityLoss(tf.zeros([2, 3]), q).dataSync()[0] > 0.1);
});

test('collapsing to one label costs more the more confidently it is done', () => {
  // q says class 1 with probability 0.9 at the pixel; pushing p to class 0 makes the term grow without bound.
  const q = tf.tensor2d([[0.1, 0.9]]);
  const values = [0, 5, 20].map((m) => fidelityLoss(tf.tensor2d([[m, 0]]), q).dataSync()[0]);
  assert.ok(values[0] < values[1] && values[1] < values[2] && values[2] > 15, `values ${values}`);
});

test('shapes that differ are refused, naming both', () => {
  assert.throws(() => fidelityLoss(tf.zeros([1, 2, 3]), tf.zeros([1, 2, 4])), /fidelityLoss: logits \[1, 2, 3\] and target \[1, 2, 4\]/);
});

test('no tensor leaks', () => {
  const z = tf.zeros([1, 2, 2, 3]);
  const q = tf.fill([1, 2, 2, 3], 1 / 3);
  const before = tf.memory().numTensors;
  fidelityLoss(z, q).dispose();
  assert.equal(tf.memory().numTensors, before);
});
