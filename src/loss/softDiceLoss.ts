import * as tf from '@tensorflow/tfjs-core';
import { assertProbs } from './assertProbs.js';
import { assertSegmentationLabels } from './assertSegmentationLabels.js';

/** Options of {@link softDiceLoss}. */
export interface SoftDiceLossOptions {
  /** Number of classes C; must equal the probabilities' last axis when given. */
  numClasses?: number;
  /**
   * Added to the numerator and the denominator of every class's Dice (> 0). With the default 1 (as in the
   * reference's pilot), a class absent from the labels and predicted nowhere scores Dice 1 (loss 0) instead of
   * 0/0, and a class absent from the labels but predicted with total mass m costs `1 − 1/(m + 1)`. @default 1
   */
  smooth?: number;
}

/**
 * Soft Dice loss, averaged over classes: `mean_c [1 − (2 Σ p_c t_c + s) / (Σ p_c + Σ t_c + s)]`, the sums running
 * over every pixel of every batch item (pooled over the batch, not per image). Pixels labelled −1 are left out
 * of every sum. The reference training loss weighs this term by 5 (see {@link makeSegmentationLoss}).
 *
 * @param probs - class probabilities, float32, channels-last `[B, H, W, C]` or `[B, D, H, W, C]`.
 * @param labels - int32 `[B, H, W]` / `[B, D, H, W]`, class indices in `[0, C)`, −1 = ignore.
 * @returns scalar in `[0, 1]`, unitless.
 * @throws RangeError for bad shapes or dtypes, labels outside `[−1, C)`, a `numClasses` that differs from C, or
 *   `smooth ≤ 0`.
 */
export function softDiceLoss(probs: tf.Tensor, labels: tf.Tensor, options: SoftDiceLossOptions = {}): tf.Scalar {
  const op = 'softDiceLoss';
  assertProbs(probs, op);
  const C = probs.shape[probs.rank - 1];
  if (options.numClasses !== undefined && options.numClasses !== C) {
    throw new RangeError(`${op}: numClasses is ${options.numClasses}, but the probabilities have ${C} channels`);
  }
  const smooth = options.smooth ?? 1;
  if (!(smooth > 0) || !Number.isFinite(smooth)) throw new RangeError(`${op}: smooth is ${smooth}, expected a finite number > 0`);
  assertSegmentationLabels(labels, probs.shape.slice(0, -1), C, op);
  return tf.tidy(() => {
    const mask = tf.expandDims(tf.cast(tf.greaterEqual(labels, 0), 'float32'), -1);
    const target = tf.mul(tf.oneHot(tf.maximum(labels, tf.scalar(0, 'int32')), C), mask);
    const p = tf.mul(probs, mask);
    const axes = Array.from({ length: probs.rank - 1 }, (_, i) => i);
    const intersection = tf.sum(tf.mul(p, target), axes);
    const denominator = tf.add(tf.sum(p, axes), tf.sum(target, axes));
    const dice = tf.div(tf.add(tf.mul(intersection, 2), smooth), tf.add(denominator, smooth));
    return tf.mean(tf.sub(1, dice)) as tf.Scalar;
  });
}
