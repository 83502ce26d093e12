import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { ADAM_UPDATE, SGD_UPDATE } from './optimizerUpdates.js';
import { runOn, seededUniform, setupParityBackends } from '../../../test/helpers/tfParity.js';

const shape = [3, 5, 2];

/** PyTorch's Adam rule in float64, one step, element by element (the oracle). */
function adamOracle(w: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array, a: { lr: number; beta1: number; beta2: number; epsilon: number; weightDecay: number; t: number }) {
  const bc1 = 1 - a.beta1 ** a.t;
  const bc2 = 1 - a.beta2 ** a.t;
  const out = [new Float64Array(w.length), new Float64Array(w.length), new Float64Array(w.length)];
  for (let i = 0; i < w.length; i++) {
    const gi = g[i] + a.weightDecay * w[i];
    const mi = a.beta1 * m[i] + (1 - a.beta1) * gi;
    const vi = a.beta2 * v[i] + (1 - a.beta2) * gi * gi;
    out[0][i] = w[i] - (a.lr / bc1) * (mi / (Math.sqrt(vi) / Math.sqrt(bc2) + a.epsilon));
    out[1][i] = mi;
    out[2][i] = vi;
  }
  return out;
}

function close(got: Float32Array, want: Float64Array, what: string): void {
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) <= 1e-6 * Math.max(1, Math.abs(want[i])), `${what}[${i}]: ${got[i]} vs ${want[i]}`);
}

describe('optimiser update kernels (float64 PyTorch rules as oracle)', () => {
  before(setupParityBackends);

  it('golden: SGD, w 1, v 2, g 3, lr 0.1, μ 0.5, wd 0.1 → v 4.1, w 0.59', async () => {
    for (const backend of ['wasm', 'cpu'] as const) {
      const [w, v] = await runOn(backend, () =>
        tf.engine().runKernel(SGD_UPDATE, { w: tf.scalar(1), v: tf.scalar(2), g: tf.scalar(3) }, { lr: 0.1, momentum: 0.5, weightDecay: 0.1 }) as tf.Tensor[],
      );
      assert.ok(Math.abs(v[0] - 4.1) < 1e-6 && Math.abs(w[0] - 0.59) < 1e-6, `${backend}: ${w} ${v}`);
    }
  });

  it('Adam matches the rule on wasm and cpu, with and without weight decay, at steps 1 and 7', async () => {
    const w = seededUniform(shape, 1);
    const m = seededUniform(shape, 2).map((x) => x / 10);
    const v = seededUniform(shape, 3).map((x) => x * x);
    const g = seededUniform(shape, 4);
    for (const backend of ['wasm', 'cpu'] as const) {
      for (const [t, weightDecay] of [[1, 0], [7, 0.01]]) {
        const a = { lr: 0.05, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay, t };
        const attrs = { ...a, bc1: 1 - a.beta1 ** t, bc2: 1 - a.beta2 ** t };
        const got = await runOn(backend, () => {
          const named = { w: tf.tensor(w, shape), m: tf.tensor(m, shape), v: tf.tensor(v, shape), g: tf.tensor(g, shape) };
          return tf.engine().runKernel(ADAM_UPDATE, named, attrs) as tf.Tensor[];
        });
        const want = adamOracle(w, m, v, g, a);
        ['w', 'm', 'v'].forEach((name, k) => close(got[k], want[k], `${backend} t${t} ${name}`));
      }
    }
  });

  it('rejects inputs of different shapes', async () => {
    await tf.setBackend('wasm');
    tf.tidy(() => {
      assert.throws(() => tf.engine().runKernel(SGD_UPDATE, { w: tf.zeros([2]), v: tf.zeros([3]), g: tf.zeros([2]) }, { lr: 1, momentum: 0, weightDecay: 0 }), RangeError);
    });
  });
});
