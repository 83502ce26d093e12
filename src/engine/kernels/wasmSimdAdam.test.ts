import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { wasmSimdAdam } from './wasmSimdAdam.js';
import { seededUniform, setupParityBackends } from '../../../test/helpers/tfParity.js';

describe('wasmSimdAdam (float64 Adam rule as oracle)', () => {
  before(setupParityBackends);

  it('is available on the wasm backend, not on cpu', async () => {
    await tf.setBackend('wasm');
    assert.notEqual(wasmSimdAdam(tf.backend()), null);
    assert.equal(wasmSimdAdam({}), null);
  });

  it('updates 1000 random weights in place on the heap as the float64 rule does, to float32 rounding, and touches nothing past n', async () => {
    await tf.setBackend('wasm');
    const n = 1000;
    const k = { beta1: 0.9, beta2: 0.999, c1: 0.1, c2: 0.001, step: 0.003, eps: 1e-8, weightDecay: 0.01 };
    const [w, m, g] = [1, 2, 3].map((seed) => tf.sub(tf.mul(tf.tensor(seededUniform([n + 4], seed)), 2), 1));
    const v = tf.abs(tf.tensor(seededUniform([n + 4], 4))); // second moments are ≥ 0
    const outs = [0, 1, 2].map(() => tf.fill([n + 4], 7));
    const heap = tf.backend() as unknown as { typedArrayFromHeap(t: tf.TensorInfo): Float32Array };
    const views = [w, m, v, g, ...outs].map((t) => heap.typedArrayFromHeap(t));
    const [W, M, V, G] = views.slice(0, 4).map((a) => Float64Array.from(a));
    const loop = wasmSimdAdam(tf.backend())!;
    loop({ w: views[0].byteOffset, m: views[1].byteOffset, v: views[2].byteOffset, g: views[3].byteOffset, w2: views[4].byteOffset, m2: views[5].byteOffset, v2: views[6].byteOffset }, n, k);
    const [w2, m2, v2] = outs.map((t) => t.dataSync());
    for (let i = 0; i < n; i++) {
      const gi = G[i] + k.weightDecay * W[i];
      const mi = k.beta1 * M[i] + k.c1 * gi;
      const vi = k.beta2 * V[i] + k.c2 * gi * gi;
      const wi = W[i] - (k.step * mi) / (Math.sqrt(vi) + k.eps);
      assert.ok(Math.abs(m2[i] - mi) <= 1e-6 * Math.max(1, Math.abs(mi)), `m[${i}]: ${m2[i]} vs ${mi}`);
      assert.ok(Math.abs(v2[i] - vi) <= 1e-6 * Math.max(1, Math.abs(vi)), `v[${i}]: ${v2[i]} vs ${vi}`);
      assert.ok(Math.abs(w2[i] - wi) <= 1e-6 * Math.max(1, Math.abs(wi)), `w[${i}]: ${w2[i]} vs ${wi}`);
    }
    for (const o of [w2, m2, v2]) assert.deepEqual(Array.from(o.subarray(n)), [7, 7, 7, 7], 'values past n untouched');
    // The update really moved the weights (the test can fail).
    assert.ok(w2.subarray(0, n).some((x, i) => x !== views[0][i]));
  });
});
