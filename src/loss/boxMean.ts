import * as tf from '@tensorflow/tfjs-core';

/**
 * Box mean over the 3×3 (3D: 3×3×3) window including the centre, with zero padding and a divisor of 9 (27)
 * everywhere, as in the reference layer (METHOD.md §2): zero padding then an average pool with a valid window.
 *
 * Two things this avoids: a `'same'` pool divides its forward pass by the in-bounds count, and its gradient in
 * tfjs 4.22 does not match that (the dense-vs-sparse and finite-difference tests fail with it); and a 5D pad,
 * whose gradient (a 5D slice) takes 1.8 s for 1×16³×135 on the wasm backend. So 3D input is padded as 4D
 * tensors: H and W with depth folded into the batch, then depth with H·W folded into one axis.
 * The operator is self-adjoint, which the sparse gradient of `makeNonAdjacencyLoss` relies on.
 *
 * @param probs - float32 `[B, H, W, C]` or `[B, D, H, W, C]`, channels-last.
 * @returns the same shape.
 */
export function boxMean(probs: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    if (probs.rank === 4) {
      return tf.avgPool(tf.pad(probs as tf.Tensor4D, [[0, 0], [1, 1], [1, 1], [0, 0]]), 3, 1, 'valid');
    }
    const [B, D, H, W, C] = probs.shape;
    const hw = tf.pad(tf.reshape(probs, [B * D, H, W, C]), [[0, 0], [1, 1], [1, 1], [0, 0]]);
    const dhw = tf.pad(tf.reshape(hw, [B, D, (H + 2) * (W + 2), C]), [[0, 0], [1, 1], [0, 0], [0, 0]]);
    return tf.avgPool3d(tf.reshape(dhw, [B, D + 2, H + 2, W + 2, C]) as tf.Tensor5D, 3, 1, 'valid');
  });
}
