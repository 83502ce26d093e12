import * as tf from '@tensorflow/tfjs-core';

/**
 * Box mean over the 3×3 (3D: 3×3×3) window including the centre, with zero padding and a divisor of 9 (27)
 * everywhere, as in the reference layer (METHOD.md §2).
 *
 * Computed as a `'same'` average pool, which divides by the number of in-bounds pixels `n(x)`, times `n(x)/9`
 * (`n(x)/27`): that gives the zero-padded sum / 9 without an explicit pad, whose gradient (a slice) is very slow
 * for 5D tensors on the wasm backend (1.8 s for 1×16³×135). The operator is self-adjoint, which the sparse
 * gradient of `makeNonAdjacencyLoss` relies on.
 *
 * @param probs - float32 `[B, H, W, C]` or `[B, D, H, W, C]`, channels-last.
 * @returns the same shape.
 */
export function boxMean(probs: tf.Tensor): tf.Tensor {
  const spatial = probs.shape.slice(1, -1);
  // n(x)/3^k is separable: the product over the axes of (in-bounds neighbours along that axis, incl. itself)/3.
  const factor = new Float32Array(spatial.reduce((a, b) => a * b, 1)).fill(1);
  let stride = factor.length;
  for (const n of spatial) {
    stride /= n;
    for (let i = 0; i < factor.length; i++) {
      const k = Math.floor(i / stride) % n;
      factor[i] *= ((k > 0 ? 1 : 0) + 1 + (k < n - 1 ? 1 : 0)) / 3;
    }
  }
  return tf.tidy(() => {
    const pooled = probs.rank === 4 ? tf.avgPool(probs as tf.Tensor4D, 3, 1, 'same') : tf.avgPool3d(probs as tf.Tensor5D, 3, 1, 'same');
    return tf.mul(pooled, tf.tensor(factor, [1, ...spatial, 1], 'float32'));
  });
}
