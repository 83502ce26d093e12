import * as tf from '@tensorflow/tfjs-core';
import { assertProbs } from './assertProbs.js';
import { assertSegmentationLabels } from './assertSegmentationLabels.js';

/** Options of {@link weightedCrossEntropy}. */
export interface WeightedCrossEntropyOptions {
  /** Per-class weights, length C (e.g. {@link classWeightsFromCounts}). Default: all 1 (plain mean). */
  weights?: ArrayLike<number>;
}

/**
 * Class-weighted softmax cross-entropy from **logits** (computed as `logSoftmax`, which is stable where
 * `log(softmax)` underflows, like `tf.losses.softmaxCrossEntropy`):
 * `Σ_x w[y_x] · (−log softmax(z_x)[y_x]) / Σ_x w[y_x]` over the pixels x whose label y_x is not −1 — the weighted
 * mean of PyTorch's `CrossEntropyLoss(weight=w, ignore_index=-1)`, the reference's term. When no pixel carries
 * weight (all ignored, or only zero-weight classes) the loss is 0.
 *
 * @param logits - float32, channels-last `[B, H, W, C]` or `[B, D, H, W, C]` (pre-softmax scores).
 * @param labels - int32 `[B, H, W]` / `[B, D, H, W]`, class indices in `[0, C)`, −1 = ignore.
 * @returns scalar, nats per (weighted) pixel.
 * @throws RangeError for bad shapes or dtypes, labels outside `[−1, C)`, or `weights` of the wrong length or
 *   with a negative or non-finite entry.
 */
export function weightedCrossEntropy(logits: tf.Tensor, labels: tf.Tensor, options: WeightedCrossEntropyOptions = {}): tf.Scalar {
  const op = 'weightedCrossEntropy';
  assertProbs(logits, op, 'logits');
  const C = logits.shape[logits.rank - 1];
  const weights = options.weights ?? new Float32Array(C).fill(1);
  if (weights.length !== C) throw new RangeError(`${op}: ${weights.length} class weights for ${C} classes`);
  for (let c = 0; c < C; c++) {
    if (!(weights[c] >= 0) || !Number.isFinite(weights[c])) throw new RangeError(`${op}: weight of class ${c} is ${weights[c]}, expected a finite number ≥ 0`);
  }
  assertSegmentationLabels(labels, logits.shape.slice(0, -1), C, op);
  return tf.tidy(() => {
    const mask = tf.expandDims(tf.cast(tf.greaterEqual(labels, 0), 'float32'), -1);
    const target = tf.mul(tf.oneHot(tf.maximum(labels, tf.scalar(0, 'int32')), C), mask);
    const weighted = tf.mul(target, tf.tensor1d(Float32Array.from(weights)));
    const numerator = tf.neg(tf.sum(tf.mul(weighted, tf.logSoftmax(logits))));
    // A floor instead of divNoNan (whose gradient does not exist in tfjs): with no weighted pixel the numerator is 0.
    return tf.div(numerator, tf.maximum(tf.sum(weighted), 1e-30)) as tf.Scalar;
  });
}
