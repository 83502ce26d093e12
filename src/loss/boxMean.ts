import * as tf from '@tensorflow/tfjs-core';

/**
 * Box mean over the 3×3 (3×3×3) window including the centre, zero padded, divisor 9 (27) everywhere; the same
 * shape as the input. Average pooling of the zero-padded input with a valid window gives exactly that divisor
 * (a `'same'` pool would divide by the in-bounds count instead). The operator is self-adjoint, which the sparse
 * gradient relies on.
 */
export function boxMean(probs: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    if (probs.rank === 4) {
      const padded = tf.pad(probs as tf.Tensor4D, [[0, 0], [1, 1], [1, 1], [0, 0]]);
      return tf.avgPool(padded, 3, 1, 'valid');
    }
    const padded = tf.pad(probs as tf.Tensor5D, [[0, 0], [1, 1], [1, 1], [1, 1], [0, 0]]);
    return tf.avgPool3d(padded, 3, 1, 'valid');
  });
}
