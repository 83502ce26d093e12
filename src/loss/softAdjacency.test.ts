import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { LOSS_TEST_BACKENDS, useBackend } from '../../test/helpers/lossBackends.js';
import { softAdjacency } from './softAdjacency.js';

/** One-hot `[1, H, W, C]` (or `[1, D, H, W, C]` when `labels` is 3D) from nested label arrays. */
function oneHot(labels: number[][] | number[][][], C: number): tf.Tensor {
  const grid = (typeof labels[0][0] === 'number' ? [labels] : labels) as number[][][];
  const flat = grid.flat(2);
  const t = tf.cast(tf.oneHot(tf.tensor1d(flat, 'int32'), C), 'float32');
  const shape = typeof labels[0][0] === 'number' ? [1, grid[0].length, grid[0][0].length, C] : [1, grid.length, grid[0].length, grid[0][0].length, C];
  return tf.reshape(t, shape);
}

/**
 * Independent oracle: the reference's definition written channels-first with plain loops (METHOD.md §2),
 * float64. `p` is channels-last `[B, (D,) H, W, C]` flattened; `dims` = [B, D, H, W, C] with D = 1 for 2D.
 */
function bruteForce(p: Float32Array, dims: number[], is3d: boolean): Float64Array {
  const [B, D, H, W, C] = dims;
  const at = (b: number, d: number, h: number, w: number, c: number): number =>
    d < 0 || d >= D || h < 0 || h >= H || w < 0 || w >= W ? 0 : p[(((b * D + d) * H + h) * W + w) * C + c];
  const A = new Float64Array(C * C);
  const dz = is3d ? 1 : 0;
  const div = is3d ? 27 : 9;
  for (let b = 0; b < B; b++)
    for (let d = 0; d < D; d++)
      for (let h = 0; h < H; h++)
        for (let w = 0; w < W; w++)
          for (let j = 0; j < C; j++) {
            let q = 0;
            for (let a = -dz; a <= dz; a++) for (let y = -1; y <= 1; y++) for (let x = -1; x <= 1; x++) q += at(b, d + a, h + y, w + x, j);
            q /= div;
            for (let i = 0; i < C; i++) A[i * C + j] += at(b, d, h, w, i) * q;
          }
  const N = B * D * H * W;
  return A.map((v) => v / N);
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

for (const backend of LOSS_TEST_BACKENDS) {
  describe(`softAdjacency (${backend})`, () => {
    before(() => useBackend(backend));

    it('two pixels side by side, labels 0 and 1: every ordered pair incl. self once, / (9·2)', () => {
      // pairs (x0,x0)=0-0, (x0,x1)=0-1, (x1,x0)=1-0, (x1,x1)=1-1 → M = [[1,1],[1,1]], A = M/18
      const a = softAdjacency(oneHot([[0, 1]], 2));
      assertClose(a.dataSync(), [1 / 18, 1 / 18, 1 / 18, 1 / 18], 1e-7, 'A');
    });

    it('3×3 one-hot image, label 1 in the centre: in-bounds 3×3 pair counts incl. centre / (9·9)', () => {
      // centre↔ring: 8 each way; centre self: 1; ring: 8 self + corners 4×2 + edges 4×4 ring neighbours = 32.
      // total 49 = Σ in-bounds window sizes (4·4 corners + 4·6 edges + 9 centre).
      const a = softAdjacency(
        oneHot(
          [
            [0, 0, 0],
            [0, 1, 0],
            [0, 0, 0],
          ],
          2,
        ),
      );
      assertClose(a.dataSync(), [32 / 81, 8 / 81, 8 / 81, 1 / 81], 1e-7, 'A');
    });

    it('3D: two voxels side by side (1×1×2 volume): the same pairs / (27·2)', () => {
      const a = softAdjacency(oneHot([[[0, 1]]], 2));
      assertClose(a.dataSync(), [1 / 54, 1 / 54, 1 / 54, 1 / 54], 1e-7, 'A');
    });

    it('3D: labels stacked along depth touch; the 2D layer on the same slices would not see it', () => {
      // 2×1×1 volume, labels 0 over 1 → same four pairs as above, / (27·2)
      const a = softAdjacency(oneHot([[[0]], [[1]]], 2));
      assertClose(a.dataSync(), [1 / 54, 1 / 54, 1 / 54, 1 / 54], 1e-7, 'A');
    });

    for (const [name, shape] of [
      ['2D', [2, 5, 6, 4]],
      ['2D, one row', [1, 1, 7, 3]],
      ['3D', [2, 3, 4, 5, 3]],
    ] as const) {
      it(`matches a loop implementation of the definition on random probabilities (${name})`, () => {
        const p = tf.softmax(tf.randomNormal([...shape], 0, 2, 'float32', 7));
        const is3d = shape.length === 5;
        const dims = is3d ? [...shape] : [shape[0], 1, shape[1], shape[2], shape[3]];
        const expected = bruteForce(p.dataSync() as Float32Array, dims, is3d);
        assertClose(softAdjacency(p).dataSync(), expected, 1e-6, 'A');
      });
    }

    it('is symmetric', () => {
      const p = tf.softmax(tf.randomNormal([2, 7, 9, 6], 0, 3, 'float32', 11));
      const a = softAdjacency(p);
      assertClose(a.dataSync(), tf.transpose(a).dataSync(), 1e-7, 'A vs Aᵀ');
      const p3 = tf.softmax(tf.randomNormal([1, 4, 5, 3, 4], 0, 3, 'float32', 12));
      const a3 = softAdjacency(p3);
      assertClose(a3.dataSync(), tf.transpose(a3).dataSync(), 1e-7, 'A3 vs A3ᵀ');
    });

    it('its gradient matches the cpu backend (guards the pooling-gradient kernels)', async () => {
      const x = tf.randomNormal([1, 4, 5, 3], 0, 1, 'float32', 5);
      const w = tf.randomUniform([3, 3], 0, 1, 'float32', 6);
      const f = (t: tf.Tensor): tf.Scalar => tf.sum(tf.mul(softAdjacency(tf.softmax(t)), w));
      const here = tf.grad(f)(x).dataSync();
      await useBackend('cpu');
      const onCpu = tf.grad(f)(x).dataSync();
      await useBackend(backend);
      assertClose(here, onCpu, 1e-6, 'dA/dx');
    });

    it('rejects a rank-3 tensor and int32 input, naming the shape', () => {
      assert.throws(() => softAdjacency(tf.zeros([4, 4, 2])), /softAdjacency: probabilities have shape \[4, 4, 2\] \(rank 3\)/);
      assert.throws(() => softAdjacency(tf.zeros([1, 4, 4, 2], 'int32')), /int32, expected float32/);
    });
  });
}
