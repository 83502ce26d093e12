import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { LOSS_TEST_BACKENDS, useBackend } from '../../test/helpers/lossBackends.js';
import { crossEntropyDiceFromLogits } from './crossEntropyDiceFromLogits.js';
import { softDiceLoss } from './softDiceLoss.js';
import { weightedCrossEntropy } from './weightedCrossEntropy.js';

/** Values and logit gradients of a·CE + b·Dice, fused and composed of the two tf-op losses (the oracle). */
function both(logits: tf.Tensor, labels: tf.Tensor, weights: number[] | undefined, smooth: number, a: number, b: number) {
  const fused = tf.valueAndGrad((z: tf.Tensor) => {
    const r = crossEntropyDiceFromLogits(z, labels, { weights, smooth });
    return tf.add(tf.mul(r.crossEntropy, a), tf.mul(r.dice, b)) as tf.Scalar;
  })(logits);
  const parts = crossEntropyDiceFromLogits(logits, labels, { weights, smooth });
  const oracle = tf.valueAndGrad((z: tf.Tensor) =>
    tf.add(tf.mul(weightedCrossEntropy(z, labels, { weights }), a), tf.mul(softDiceLoss(tf.softmax(z), labels, { smooth }), b)) as tf.Scalar,
  )(logits);
  return {
    ce: [parts.crossEntropy.dataSync()[0], weightedCrossEntropy(logits, labels, { weights }).dataSync()[0]],
    dice: [parts.dice.dataSync()[0], softDiceLoss(tf.softmax(logits), labels, { smooth }).dataSync()[0]],
    value: [fused.value.dataSync()[0], oracle.value.dataSync()[0]],
    grad: [fused.grad.dataSync(), oracle.grad.dataSync()],
  };
}

function close(got: number, want: number, tol: number, what: string): void {
  assert.ok(Math.abs(got - want) <= tol * Math.max(1, Math.abs(want)), `${what}: ${got} vs ${want}`);
}

for (const backend of LOSS_TEST_BACKENDS) {
  describe(`crossEntropyDiceFromLogits (${backend}; weightedCrossEntropy and softDiceLoss as oracle)`, () => {
    before(() => useBackend(backend));

    it('golden: two pixels, weights (1, 3), one ignored pixel', () => {
      // a: label 0, logits (ln 3, 0) → p = (3/4, 1/4); b: label 1, logits (0, 0) → (1/2, 1/2); c ignored.
      // CE = (−ln 0.75 − 3 ln 0.5) / 4. Dice, s = 1: class 0: I = 3/4, D = 5/4 + 1 + 1 → 1 − 2.5/3.25;
      // class 1: I = 1/2, D = 3/4 + 1 + 1 → 1 − 2/2.75; mean of the two.
      const logits = tf.tensor4d([Math.log(3), 0, 0, 0, 9, -9], [1, 1, 3, 2]);
      const labels = tf.tensor3d([[[0, 1, -1]]], [1, 1, 3], 'int32');
      const r = crossEntropyDiceFromLogits(logits, labels, { weights: [1, 3] });
      close(r.crossEntropy.dataSync()[0], (-Math.log(0.75) - 3 * Math.log(0.5)) / 4, 1e-6, 'CE');
      close(r.dice.dataSync()[0], (1 - 2.5 / 3.25 + 1 - 2 / 2.75) / 2, 1e-6, 'Dice');
    });

    it('matches the two losses and their gradient: a ModSegNet-like map, weights, ignored pixels, 3D', () => {
      for (const [shape, C, seed] of [[[2, 6, 5], 7, 1], [[1, 3, 4, 5], 4, 2]] as Array<[number[], number, number]>) {
        const logits = tf.mul(tf.randomNormal([...shape, C], 0, 1, 'float32', seed), 3);
        const labels = tf.sub(tf.randomUniformInt(shape, 0, C + 1, seed + 1), tf.scalar(1, 'int32')) as tf.Tensor; // −1 … C − 1
        const weights = Array.from({ length: C }, (_, c) => 0.5 + c / C);
        const r = both(logits, labels, weights, 1, 1, 5);
        close(r.ce[0], r.ce[1], 1e-5, 'CE');
        close(r.dice[0], r.dice[1], 1e-5, 'Dice');
        close(r.value[0], r.value[1], 1e-5, 'total');
        for (let i = 0; i < r.grad[0].length; i++) assert.ok(Math.abs(r.grad[0][i] - r.grad[1][i]) < 1e-6, `grad ${i}: ${r.grad[0][i]} vs ${r.grad[1][i]}`);
      }
    });

    it('stays exact where a probability underflows (logits ±200), like the log-softmax', () => {
      const logits = tf.tensor4d([200, -200], [1, 1, 1, 2]);
      const v = crossEntropyDiceFromLogits(logits, tf.tensor3d([[[1]]], [1, 1, 1], 'int32')).crossEntropy.dataSync()[0];
      close(v, 400, 1e-6, 'CE');
    });

    it('property: random shapes, classes, weights, smoothing and loss weights agree with the oracle', () => {
      fc.assert(
        fc.property(
          fc.record({ b: fc.integer({ min: 1, max: 2 }), h: fc.integer({ min: 1, max: 4 }), c: fc.integer({ min: 2, max: 5 }), seed: fc.integer({ min: 0, max: 1000 }), smooth: fc.constantFrom(0.5, 1, 3), a: fc.constantFrom(0, 1, 2), d: fc.constantFrom(0, 1, 5) }),
          ({ b, h, c, seed, smooth, a, d }) => {
            tf.tidy(() => {
              const logits = tf.randomNormal([b, h, 3, c], 0, 2, 'float32', seed);
              const labels = tf.sub(tf.randomUniformInt([b, h, 3], 0, c + 1, seed + 7), tf.scalar(1, 'int32')) as tf.Tensor;
              const weights = Array.from({ length: c }, (_, k) => ((k + seed) % 3) / 2);
              const r = both(logits, labels, weights, smooth, a, d);
              close(r.value[0], r.value[1], 1e-5, 'total');
              for (let i = 0; i < r.grad[0].length; i++) assert.ok(Math.abs(r.grad[0][i] - r.grad[1][i]) < 1e-6, `grad ${i}`);
            });
          },
        ),
        { numRuns: 30, seed: 11 },
      );
    });

    it('pooled over shares: each share gets the whole batch\'s values and its part of the whole batch\'s gradient', () => {
      // A batch of 3 items split into shares [0, 1) and [1, 3), as data-parallel training splits it. The other share's
      // sums are read first (a pool that records them); each share's pool then adds them to its own, as the exchange
      // between threads does. The oracle is tf.grad of a·CE + b·Dice over the whole batch.
      const C = 5;
      const logits = tf.mul(tf.randomNormal([3, 4, 6, C], 0, 1, 'float32', 3), 2);
      const labels = tf.sub(tf.randomUniformInt([3, 4, 6], 0, C + 1, 4), tf.scalar(1, 'int32')) as tf.Tensor;
      const weights = [0.5, 1, 2, 1.5, 1];
      const [a, b] = [1, 5];
      const whole = tf.valueAndGrad((z: tf.Tensor) => {
        const r = crossEntropyDiceFromLogits(z, labels, { weights });
        return tf.add(tf.mul(r.crossEntropy, a), tf.mul(r.dice, b)) as tf.Scalar;
      })(logits);
      const shares = [[0, 1], [1, 2]].map(([begin, n]) => ({
        z: tf.slice(logits, [begin, 0, 0, 0], [n, 4, 6, C]),
        y: tf.slice(labels, [begin, 0, 0], [n, 4, 6]),
      }));
      const sums = shares.map(({ z, y }) => {
        let seen: Float64Array = new Float64Array(0);
        crossEntropyDiceFromLogits(z, y, { weights, pool: (local) => (seen = local) });
        return seen;
      });
      const grads = shares.map(({ z, y }, k) =>
        tf.valueAndGrad((zk: tf.Tensor) => {
          const pool = (local: Float64Array) => local.map((v, i) => v + sums[1 - k][i]);
          const r = crossEntropyDiceFromLogits(zk, y, { weights, pool });
          close(r.crossEntropy.dataSync()[0], crossEntropyDiceFromLogits(logits, labels, { weights }).crossEntropy.dataSync()[0], 1e-6, 'CE of a share');
          close(r.dice.dataSync()[0], crossEntropyDiceFromLogits(logits, labels, { weights }).dice.dataSync()[0], 1e-6, 'Dice of a share');
          return tf.add(tf.mul(r.crossEntropy, a), tf.mul(r.dice, b)) as tf.Scalar;
        })(z),
      );
      const got = tf.concat(grads.map((g) => g.grad), 0).dataSync();
      const want = whole.grad.dataSync();
      for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-7, `grad ${i}: pooled ${got[i]}, whole batch ${want[i]}`);
      // Without pooling, each share's Dice gradient is its own batch's, not the whole batch's (the test can fail).
      const alone = tf.grad((zk: tf.Tensor) => tf.mul(crossEntropyDiceFromLogits(zk, shares[0].y, { weights }).dice, b) as tf.Scalar)(shares[0].z).dataSync();
      assert.ok(alone.some((v, i) => Math.abs(v - want[i]) > 1e-4));
    });

    it("reads a given softmax of a larger batch whose first items are the logits: same values and gradient", () => {
      const C = 5;
      const batch = tf.mul(tf.randomNormal([3, 4, 6, C], 0, 1, 'float32', 8), 2);
      const logits = tf.slice(batch, [0, 0, 0, 0], [2, 4, 6, C]);
      const labels = tf.sub(tf.randomUniformInt([2, 4, 6], 0, C + 1, 9), tf.scalar(1, 'int32')) as tf.Tensor;
      const softmax = tf.softmax(batch);
      const run = (opts: { softmax?: tf.Tensor }) =>
        tf.valueAndGrad((z: tf.Tensor) => {
          const r = crossEntropyDiceFromLogits(z, labels, { weights: [1, 2, 0.5, 1, 3], ...opts });
          return tf.add(r.crossEntropy, tf.mul(r.dice, 5)) as tf.Scalar;
        })(logits);
      const [own, given] = [run({}), run({ softmax })];
      assert.equal(given.value.dataSync()[0], own.value.dataSync()[0]);
      const [g1, g2] = [own.grad.dataSync(), given.grad.dataSync()];
      for (let i = 0; i < g1.length; i++) assert.equal(g2[i], g1[i], `grad ${i}`);
      assert.ok(!softmax.isDisposed);
      assert.throws(() => crossEntropyDiceFromLogits(logits, labels, { softmax: tf.softmax(tf.zeros([1, 4, 6, C])) }), /softmax is float32 \[1, 4, 6, 5\]/);
    });

    it('rejects labels out of range, a wrong weight count and smooth ≤ 0', () => {
      const logits = tf.zeros([1, 1, 2, 3]);
      assert.throws(() => crossEntropyDiceFromLogits(logits, tf.tensor3d([[[0, 3]]], [1, 1, 2], 'int32')), RangeError);
      assert.throws(() => crossEntropyDiceFromLogits(logits, tf.tensor3d([[[0, 1]]], [1, 1, 2], 'int32'), { weights: [1, 1] }), RangeError);
      assert.throws(() => crossEntropyDiceFromLogits(logits, tf.tensor3d([[[0, 1]]], [1, 1, 2], 'int32'), { smooth: 0 }), RangeError);
    });
  });
}
