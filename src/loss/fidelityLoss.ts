import * as tf from '@tensorflow/tfjs-core';

/**
 * The fidelity term of test-time adaptation (`adaptModel`): the mean over pixels (or voxels) of the Kullback–Leibler
 * divergence from the original model's soft prediction `q` to the adapted model's `p = softmax(z)`,
 *
 *   `fidelity = (1/N) Σ_x Σ_c q_c(x) · (log q_c(x) − log p_c(x))`,  N = every pixel of the batch,
 *
 * in nats per pixel, ≥ 0, and 0 exactly when `p = q` everywhere. Its gradient w.r.t. the logits is
 * `(p − q) / N` (ordinary autodiff through `logSoftmax`; `Σ q log q` does not depend on `z`, it only makes the value
 * start at 0).
 *
 * Why it rules out the trivial fix of NonAdjLoss (one label everywhere, which has no forbidden contact): as `p`
 * tends to one label k at every pixel, `log p_c(x) → −∞` for every other class, so the term grows without bound
 * wherever the original gave another class any probability, whereas at the start (`p = q`) it is 0 and λ·NonAdjLoss
 * is at most `λ / nForbidden` (its `ΣA ≤ 1`). So the confident collapse is never a minimum of fidelity + λ·NonAdjLoss.
 * (A soft drift of the arg-max, at a finite KL, is not excluded: its extent is set by λ; see `adaptModel`.)
 * Cross-entropy against `q` has the same gradient; KL is used for its value, which reads as "how far the adapted
 * model has moved" (0 at the start).
 *
 * @param logits - the adapted model's logits, float32 `[B, H, W, C]` or `[B, D, H, W, C]`, channels-last.
 * @param target - the original model's probabilities, same shape, each pixel's vector summing to 1 (a softmax).
 *   A constant: the caller computes it outside any gradient tape (its gradient is never asked for).
 * @returns a scalar, nats per pixel.
 * @throws RangeError when the shapes differ or the rank is below 2.
 * @example
 * // One pixel, two classes, p = (½, ½), q = (1, 0): fidelity = log 2, gradient w.r.t. z = (−½, ½).
 * fidelityLoss(tf.tensor2d([[0, 0]]), tf.tensor2d([[1, 0]])); // 0.693…
 */
export function fidelityLoss(logits: tf.Tensor, target: tf.Tensor): tf.Scalar {
  if (logits.rank < 2 || logits.shape.some((d, i) => d !== target.shape[i]) || logits.rank !== target.rank) {
    throw new RangeError(`fidelityLoss: logits [${logits.shape.join(', ')}] and target [${target.shape.join(', ')}] must have one shape, [..., C]`);
  }
  return tf.tidy(() => {
    const q = target;
    const pixels = logits.size / logits.shape[logits.rank - 1];
    // q·log q with 0·log 0 = 0: a class the original gave no probability adds nothing.
    const entropyPart = tf.sum(tf.mul(q, tf.log(tf.maximum(q, 1e-30))));
    const crossPart = tf.sum(tf.mul(q, tf.logSoftmax(logits, -1)));
    return tf.div(tf.sub(entropyPart, crossPart), pixels) as tf.Scalar;
  });
}
