import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../engine/initEngine.js';
import { registerCpuKernels } from '../engine/registerCpuKernels.js';
import { ADAM_UPDATE, SGD_UPDATE } from '../engine/kernels/optimizerUpdates.js';
import { seededRandom } from '../numeric/seededRandom.js';
import { makeOptimizer } from './optimizer.js';

before(async () => {
  await initEngine({ backend: 'cpu' });
});

/** Run `steps` updates of f(w) = Σ w² (gradient 2w) on a fresh variable; returns w after each step. */
function minimiseSquare(init: number[], steps: number, kind: 'sgd' | 'adam', extra = {}): number[][] {
  const w = tf.variable(tf.tensor1d(init));
  const opt = makeOptimizer([w], { kind, learningRate: 0.1, ...extra });
  const out: number[][] = [];
  for (let t = 0; t < steps; t++) {
    const g = tf.tidy(() => tf.mul(w, 2));
    opt.apply([g], 0.1);
    g.dispose();
    out.push(Array.from(w.dataSync()));
  }
  opt.dispose();
  w.dispose();
  return out;
}

describe('makeOptimizer', () => {
  test('SGD with momentum, golden values', () => {
    // w0 = 1, g = 2w, lr 0.1, μ 0.9: v1 = 2 → w1 = 0.8; g = 1.6, v2 = 0.9·2 + 1.6 = 3.4 → w2 = 0.8 − 0.34 = 0.46
    const [w1, w2] = minimiseSquare([1], 2, 'sgd', { momentum: 0.9, weightDecay: 0 });
    assert.ok(Math.abs(w1[0] - 0.8) < 1e-6 && Math.abs(w2[0] - 0.46) < 1e-6, `${w1} ${w2}`);
  });

  test('coupled weight decay adds wd·w to the gradient (PyTorch SGD)', () => {
    // g = 2·1 + 0.5·1 = 2.5, first step w = 1 − 0.1·2.5 = 0.75
    const [w1] = minimiseSquare([1], 1, 'sgd', { weightDecay: 0.5 });
    assert.ok(Math.abs(w1[0] - 0.75) < 1e-6);
  });

  test('Adam matches an independent float64 implementation of PyTorch\'s rule', () => {
    const rng = seededRandom(4);
    const init = Array.from({ length: 5 }, () => rng.normal());
    const got = minimiseSquare(init, 6, 'adam', { weightDecay: 0.01 });
    // Oracle: torch.optim.Adam(lr=0.1, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01).
    let w = [...init];
    const m = w.map(() => 0);
    const v = w.map(() => 0);
    for (let t = 1; t <= 6; t++) {
      w = w.map((x, i) => {
        const g = 2 * x + 0.01 * x;
        m[i] = 0.9 * m[i] + 0.1 * g;
        v[i] = 0.999 * v[i] + 0.001 * g * g;
        const denom = Math.sqrt(v[i]) / Math.sqrt(1 - 0.999 ** t) + 1e-8;
        return x - (0.1 / (1 - 0.9 ** t)) * (m[i] / denom);
      });
      got[t - 1].forEach((x, i) => assert.ok(Math.abs(x - w[i]) < 1e-5, `step ${t}, weight ${i}: ${x} vs ${w[i]}`));
    }
  });

  test('poly schedule: lr·(1 − t/T)^power; constant schedule', () => {
    const w = tf.variable(tf.scalar(0));
    const poly = makeOptimizer([w], { kind: 'sgd', learningRate: 0.2, polyPower: 1 });
    assert.equal(poly.learningRateAt(0, 10), 0.2);
    assert.ok(Math.abs(poly.learningRateAt(5, 10) - 0.1) < 1e-15); // 0.2 · (1 − 5/10)
    assert.equal(poly.learningRateAt(10, 10), 0);
    const adam = makeOptimizer([w], { kind: 'adam', learningRate: 0.2 });
    assert.equal(adam.learningRateAt(7, 10), 0.2);
    w.dispose();
  });

  test('a restored state continues bit for bit, and updates leak no tensor', async () => {
    for (const kind of ['sgd', 'adam'] as const) {
      const grads = [0.3, -1.2, 2.5, 0.7].map((g) => tf.tensor1d([g, -g, g / 3]));
      const a = tf.variable(tf.tensor1d([1, 2, 3]));
      const optA = makeOptimizer([a], { kind, weightDecay: 0.1 });
      optA.apply([grads[0]], 0.05);
      optA.apply([grads[1]], 0.05);
      const saved = await optA.getState();
      const b = tf.variable(tf.tensor1d(a.dataSync()));
      const optB = makeOptimizer([b], { kind, weightDecay: 0.1 });
      optB.setState(saved);
      const before = tf.memory().numTensors;
      for (const g of grads.slice(2)) {
        optA.apply([g], 0.05);
        optB.apply([g], 0.05);
      }
      assert.equal(tf.memory().numTensors, before);
      assert.deepEqual(Array.from(b.dataSync()), Array.from(a.dataSync()));
      assert.equal(optB.step, 4);
      assert.throws(() => optB.setState({ ...saved, kind: kind === 'sgd' ? 'adam' : 'sgd' }), /this optimiser is/);
      tf.dispose([...grads, a, b]);
      optA.dispose();
      optB.dispose();
    }
  });

  test('the tf-op form (backends without the update kernels) gives the same weights as the kernels', () => {
    for (const kind of ['sgd', 'adam'] as const) {
      const init = [0.7, -1.3, 2.1];
      const fused = minimiseSquare(init, 4, kind, { weightDecay: 0.05 });
      tf.unregisterKernel(ADAM_UPDATE, 'cpu');
      tf.unregisterKernel(SGD_UPDATE, 'cpu');
      try {
        const ops = minimiseSquare(init, 4, kind, { weightDecay: 0.05 });
        ops.forEach((w, t) => w.forEach((x, i) => assert.ok(Math.abs(x - fused[t][i]) < 1e-6, `${kind} step ${t + 1}, weight ${i}: ${x} vs ${fused[t][i]}`)));
      } finally {
        registerCpuKernels();
      }
    }
  });

  test('bad settings are refused', () => {
    assert.throws(() => makeOptimizer([], { kind: 'sgd', momentum: 1 }), /momentum is 1, out of range/);
    assert.throws(() => makeOptimizer([], { kind: 'rmsprop' as 'sgd' }), /expected 'sgd' or 'adam'/);
  });
});
