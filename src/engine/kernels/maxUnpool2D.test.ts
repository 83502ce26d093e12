import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { MAX_UNPOOL_2D, MAX_UNPOOL_2D_GRAD } from './maxUnpool2D.js';
import { backendDataIds, runKernelOn, runOn, seededUniform, setupParityBackends } from '../../../test/helpers/tfParity.js';

/** Element offset of the first maximum (row-major) of window (n, i, j), channel k: the definition, in plain JS. */
function winner(x: Float32Array, [, h, w, c]: number[], n: number, i: number, j: number, k: number): number {
  let at = -1;
  for (const [a, q] of [[0, 0], [0, 1], [1, 0], [1, 1]]) {
    const o = ((n * h + 2 * i + a) * w + 2 * j + q) * c + k;
    if (at < 0 || x[o] > x[at]) at = o;
  }
  return at;
}

function oracle(x: Float32Array, y: Float32Array, dy: Float32Array, shape: number[]): { out: Float32Array; grad: Float32Array } {
  const [b, h, w, c] = shape;
  const out = new Float32Array(x.length);
  const grad = new Float32Array(y.length);
  for (let n = 0; n < b; n++) {
    for (let i = 0; i < h / 2; i++) {
      for (let j = 0; j < w / 2; j++) {
        for (let k = 0; k < c; k++) {
          const p = ((n * (h / 2) + i) * (w / 2) + j) * c + k;
          const at = winner(x, shape, n, i, j, k);
          out[at] = y[p];
          grad[p] = dy[at];
        }
      }
    }
  }
  return { out, grad };
}

/** Many exact ties: ReLU zeros and a coarse grid, as after a ReLU layer. */
const tied = (shape: number[], seed: number): Float32Array => seededUniform(shape, seed).map((v) => Math.max(0, Math.round(v * 4)));

describe('MaxUnpool2D kernels (plain-JS definition as oracle)', () => {
  before(setupParityBackends);

  it('golden: y lands on each window\'s first maximum; the gradient reads dy there', async () => {
    // One channel, 2×4: windows {1,5,0,0} → 5 at (0,1); {3,3,4,4}: tie 4 at (1,2) first. y = [10, 20].
    const x = new Float32Array([1, 5, 3, 3, 0, 0, 4, 4]);
    for (const backend of ['wasm', 'cpu'] as const) {
      const out = await runKernelOn(backend, MAX_UNPOOL_2D, { x: { shape: [1, 2, 4, 1], values: x }, y: { shape: [1, 1, 2, 1], values: new Float32Array([10, 20]) } }, {});
      assert.deepEqual(Array.from(out), [0, 10, 0, 0, 0, 0, 20, 0], backend);
      const dy = Float32Array.from({ length: 8 }, (_, i) => i + 1);
      const g = await runKernelOn(backend, MAX_UNPOOL_2D_GRAD, { x: { shape: [1, 2, 4, 1], values: x }, dy: { shape: [1, 2, 4, 1], values: dy } }, {});
      assert.deepEqual(Array.from(g), [2, 7], backend);
    }
  });

  it('property: random shapes with ties match the definition exactly on wasm (JS and SIMD loops: C = 4, 8) and cpu', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ b: fc.integer({ min: 1, max: 2 }), h: fc.integer({ min: 1, max: 4 }), w: fc.integer({ min: 1, max: 5 }), c: fc.integer({ min: 1, max: 9 }), seed: fc.integer({ min: 0, max: 999 }) }),
        async ({ b, h, w, c, seed }) => {
          const shape = [b, 2 * h, 2 * w, c];
          const small = [b, h, w, c];
          const x = tied(shape, seed);
          const y = seededUniform(small, seed + 1);
          const dy = seededUniform(shape, seed + 2);
          const want = oracle(x, y, dy, shape);
          for (const backend of ['wasm', 'cpu'] as const) {
            const out = await runKernelOn(backend, MAX_UNPOOL_2D, { x: { shape, values: x }, y: { shape: small, values: y } }, {});
            const g = await runKernelOn(backend, MAX_UNPOOL_2D_GRAD, { x: { shape, values: x }, dy: { shape, values: dy } }, {});
            assert.deepEqual(out, want.out, `${backend} forward ${shape}`);
            assert.deepEqual(g, want.grad, `${backend} gradient ${shape}`);
          }
        },
      ),
      { numRuns: 25, seed: 5 },
    );
  });

  it('rejects odd sizes and mismatched shapes', async () => {
    await tf.setBackend('wasm');
    tf.tidy(() => {
      assert.throws(() => tf.engine().runKernel(MAX_UNPOOL_2D, { x: tf.zeros([1, 3, 4, 1]), y: tf.zeros([1, 1, 2, 1]) }), RangeError);
      assert.throws(() => tf.engine().runKernel(MAX_UNPOOL_2D, { x: tf.zeros([1, 2, 4, 2]), y: tf.zeros([1, 1, 2, 1]) }), RangeError);
      assert.throws(() => tf.engine().runKernel(MAX_UNPOOL_2D_GRAD, { x: tf.zeros([1, 2, 4, 1]), dy: tf.zeros([1, 1, 2, 1]) }), RangeError);
    });
  });

  it('leaves no wasm buffer behind', async () => {
    await tf.setBackend('wasm');
    const x = tf.ones([1, 2, 2, 1]);
    const y = tf.ones([1, 1, 1, 1]);
    const before = backendDataIds();
    const out = tf.engine().runKernel(MAX_UNPOOL_2D, { x, y }) as tf.Tensor;
    const g = tf.engine().runKernel(MAX_UNPOOL_2D_GRAD, { x, dy: out }) as tf.Tensor;
    assert.equal(backendDataIds(), before + 2);
    assert.deepEqual(Array.from(g.dataSync()), [1]);
    tf.dispose([x, y, out, g]);
    assert.equal(backendDataIds(), before - 2);
  });
});
