import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initEngine } from '../engine/initEngine.js';
import { MaxUnpooling2D } from './MaxUnpooling2D.js';

/** Independent oracle: PyTorch's max_pool2d(2, 2) index rule (first max in row-major scan, strict >) + max_unpool2d. */
function unpoolOracle(x: Float32Array, y: Float32Array, [b, h, w, c]: number[]): Float32Array {
  const out = new Float32Array(b * h * w * c);
  for (let n = 0; n < b; n++)
    for (let i = 0; i < h / 2; i++)
      for (let j = 0; j < w / 2; j++)
        for (let ch = 0; ch < c; ch++) {
          let best = -1;
          let max = -Infinity;
          for (const [r, s] of [[0, 0], [0, 1], [1, 0], [1, 1]]) {
            const at = ((n * h + 2 * i + r) * w + 2 * j + s) * c + ch;
            if (x[at] > max) {
              max = x[at];
              best = at;
            }
          }
          out[best] = y[((n * (h / 2) + i) * (w / 2) + j) * c + ch];
        }
  return out;
}

function unpool(x: tf.Tensor, y: tf.Tensor): tf.Tensor {
  return new MaxUnpooling2D().apply([x, y]) as tf.Tensor;
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`MaxUnpooling2D (${backend})`, () => {
    before(async () => {
      await initEngine({ backend });
    });

    it('places y at each window’s first maximum (hand-computed 4×4)', () => {
      // Windows: TL max 4 at (1,1); TR 7 at (0,3) and (1,2) → row-major first (0,3); BL all 5 → first (2,0);
      // BR 9 at (2,2) and (3,3) → first (2,2).
      const x = tf.tensor4d([1, 2, 0, 7, 3, 4, 7, 0, 5, 5, 9, 1, 5, 5, 2, 9], [1, 4, 4, 1]);
      const y = tf.tensor4d([10, 20, 30, 40], [1, 2, 2, 1]);
      const out = unpool(x, y);
      assert.deepEqual(out.shape, [1, 4, 4, 1]);
      assert.deepEqual(Array.from(out.dataSync()), [0, 0, 0, 20, 0, 10, 0, 0, 30, 0, 40, 0, 0, 0, 0, 0]);
      tf.dispose([x, y, out]);
    });

    it('equals PyTorch’s max_unpool2d rule on random inputs with many ties (property)', () => {
      fc.assert(
        fc.property(
          fc.record({ b: fc.integer({ min: 1, max: 2 }), h2: fc.integer({ min: 1, max: 3 }), w2: fc.integer({ min: 1, max: 3 }), c: fc.integer({ min: 1, max: 3 }) }),
          fc.integer(),
          ({ b, h2, w2, c }, seed) => {
            const shape = [b, 2 * h2, 2 * w2, c];
            const n = shape.reduce((a, v) => a * v, 1);
            let s = seed >>> 0;
            const rand = (): number => ((s = (s * 1664525 + 1013904223) >>> 0) % 3) - 1; // values in {-1, 0, 1}: ties everywhere
            const xv = Float32Array.from({ length: n }, rand);
            const yv = Float32Array.from({ length: n / 4 }, (_, i) => i + 1);
            const out = tf.tidy(() => unpool(tf.tensor4d(xv, shape as [number, number, number, number]), tf.tensor4d(yv, [b, h2, w2, c])));
            const got = out.dataSync();
            out.dispose();
            assert.deepEqual(Array.from(got), Array.from(unpoolOracle(xv, yv, shape)));
          },
        ),
        { numRuns: 25 },
      );
    });

    it('passes the gradient to y from the argmax positions only, and none to the pooled map', () => {
      const shape: [number, number, number, number] = [1, 4, 6, 2];
      const xv = Float32Array.from({ length: 48 }, (_, i) => Math.sin(i * 1.7));
      const gv = Float32Array.from({ length: 48 }, (_, i) => (i % 7) - 3);
      const [dx, dy] = tf.tidy(() => {
        const g = tf.tensor4d(gv, shape);
        return tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(unpool(x, y), g)))([tf.tensor4d(xv, shape), tf.zeros([1, 2, 3, 2])]);
      });
      assert.deepEqual(Array.from(dx.dataSync()), new Array(48).fill(0));
      // dL/dy[i] = g at the position where y[i] lands: unpool a one-hot y per element with the oracle.
      const expected = Array.from({ length: 12 }, (_, i) => {
        const onehot = new Float32Array(12);
        onehot[i] = 1;
        return unpoolOracle(xv, onehot, shape).reduce((a, v, j) => a + v * gv[j], 0);
      });
      assert.deepEqual(Array.from(dy.dataSync()), expected);
      tf.dispose([dx, dy]);
    });

    it('leaks no tensors', () => {
      const x = tf.randomNormal([2, 4, 4, 3]);
      const y = tf.randomNormal([2, 2, 2, 3]);
      const before = tf.memory().numTensors;
      const out = unpool(x, y);
      assert.equal(tf.memory().numTensors, before + 1);
      tf.dispose([x, y, out]);
    });
  });
}

describe('MaxUnpooling2D shapes and serialisation', () => {
  it('infers [B, H, W, C] symbolically and rejects mismatched inputs', () => {
    const a = tfl.input({ shape: [8, 6, 4] });
    const b = tfl.input({ shape: [4, 3, 4] });
    const out = new MaxUnpooling2D().apply([a, b]) as tfl.SymbolicTensor;
    assert.deepEqual(out.shape, [null, 8, 6, 4]);
    const odd = tfl.input({ shape: [7, 6, 4] });
    assert.throws(() => new MaxUnpooling2D().apply([odd, b]), /expected even H, W and y = \[B, H\/2, W\/2, C\]/);
    const wrongC = tfl.input({ shape: [4, 3, 5] });
    assert.throws(() => new MaxUnpooling2D().apply([a, wrongC]), /same C/);
  });

  it('is registered for deserialisation and survives a model JSON round trip', async () => {
    await initEngine({ backend: 'cpu' });
    const x = tfl.input({ shape: [4, 4, 1] });
    const p = tfl.layers.maxPooling2d({ poolSize: 2 }).apply(x) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: x, outputs: new MaxUnpooling2D({ name: 'unpool' }).apply([x, p]) as tfl.SymbolicTensor });
    const json = JSON.parse(JSON.stringify(model.toJSON(null, false)));
    const copy = await tfl.models.modelFromJSON({ modelTopology: json });
    assert.equal(copy.getLayer('unpool').getClassName(), 'MaxUnpooling2D');
    const input = tf.tensor4d([1, 2, 0, 7, 3, 4, 7, 0, 5, 5, 9, 1, 5, 5, 2, 9], [1, 4, 4, 1]);
    const out = copy.predict(input) as tf.Tensor;
    // The window maxima put back at their (first) argmax.
    assert.deepEqual(Array.from(out.dataSync()), [0, 0, 0, 7, 0, 4, 0, 0, 5, 0, 9, 0, 0, 0, 0, 0]);
    tf.dispose([input, out]);
  });
});
