import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initEngine } from '../engine/initEngine.js';
import { UpSampling3D } from './UpSampling3D.js';

/** Independent oracle: out[b, z, y, x, c] = in[b, ⌊z/sd⌋, ⌊y/sh⌋, ⌊x/sw⌋, c]. */
function upsampleOracle(v: Float32Array, [b, d, h, w, c]: number[], [sd, sh, sw]: number[]): Float32Array {
  const out = new Float32Array(v.length * sd * sh * sw);
  let o = 0;
  for (let n = 0; n < b; n++)
    for (let z = 0; z < d * sd; z++)
      for (let y = 0; y < h * sh; y++)
        for (let x = 0; x < w * sw; x++)
          for (let ch = 0; ch < c; ch++) out[o++] = v[((((n * d + Math.floor(z / sd)) * h + Math.floor(y / sh)) * w + Math.floor(x / sw)) * c) + ch];
  return out;
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`UpSampling3D (${backend})`, () => {
    before(async () => {
      await initEngine({ backend });
    });

    it('repeats a 1×1×2 row twice on every axis (hand-computed)', () => {
      // [[[[1],[2]]]] → 2×2×4 blocks: each z and y plane is the row 1 1 2 2.
      const x = tf.tensor5d([1, 2], [1, 1, 1, 2, 1]);
      const out = new UpSampling3D().apply(x) as tf.Tensor;
      assert.deepEqual(out.shape, [1, 2, 2, 4, 1]);
      assert.deepEqual(Array.from(out.dataSync()), [1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2]);
      tf.dispose([x, out]);
    });

    it('matches the nearest-neighbour oracle for anisotropic sizes, and its gradient sums each block', () => {
      const shape = [2, 2, 3, 2, 3];
      const size: [number, number, number] = [2, 1, 3];
      const v = Float32Array.from({ length: 72 }, (_, i) => Math.cos(i));
      const layer = new UpSampling3D({ size });
      const out = tf.tidy(() => layer.apply(tf.tensor5d(v, shape as [number, number, number, number, number])) as tf.Tensor);
      assert.deepEqual(out.shape, [2, 4, 3, 6, 3]);
      assert.deepEqual(Array.from(out.dataSync()), Array.from(upsampleOracle(v, shape, size)));
      const g = Float32Array.from({ length: out.size }, (_, i) => (i % 5) + 1);
      const [dx] = tf.tidy(() =>
        tf.grads((x: tf.Tensor) => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, tf.tensor(g, out.shape))))([tf.zeros(shape)]),
      );
      // The gradient is the adjoint of the oracle: Σ over the output voxels that copy input i.
      const expected = Array.from({ length: 72 }, (_, i) => {
        const onehot = new Float32Array(72);
        onehot[i] = 1;
        return upsampleOracle(onehot, shape, size).reduce((a, u, j) => a + u * g[j], 0);
      });
      assert.deepEqual(Array.from(dx.dataSync()), expected);
      tf.dispose([out, dx]);
    });
  });
}

describe('UpSampling3D configuration', () => {
  it('serialises its size and rejects bad sizes and ranks', async () => {
    await initEngine({ backend: 'cpu' });
    const x = tfl.input({ shape: [2, 3, 4, 1] });
    const model = tfl.model({ inputs: x, outputs: new UpSampling3D({ size: [1, 2, 3], name: 'up' }).apply(x) as tfl.SymbolicTensor });
    assert.deepEqual(model.outputs[0].shape, [null, 2, 6, 12, 1]);
    const copy = await tfl.models.modelFromJSON({ modelTopology: JSON.parse(JSON.stringify(model.toJSON(null, false))) });
    assert.deepEqual((copy.getLayer('up') as UpSampling3D).size, [1, 2, 3]);
    assert.throws(() => new UpSampling3D({ size: 0 }), /size \[0, 0, 0\] must be positive integers/);
    assert.throws(() => new UpSampling3D().apply(tfl.input({ shape: [2, 2, 1] })), /input rank 4, expected 5/);
  });
});
