import * as tf from '@tensorflow/tfjs-core';
import type { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import { crossEntropyDiceFromLogits } from './crossEntropyDiceFromLogits.js';
import { makeNonAdjacencyLoss, type NonAdjacencyLossOptions } from './makeNonAdjacencyLoss.js';
import { resolveNonAdjacencyImplementation } from './resolveNonAdjacencyImplementation.js';
import { softDiceLoss } from './softDiceLoss.js';
import { weightedCrossEntropy } from './weightedCrossEntropy.js';

/** Options of {@link makeSegmentationLoss}. */
export interface SegmentationLossOptions extends Omit<NonAdjacencyLossOptions, 'lambda' | 'inputs'> {
  /** The adjacency prior (or its count matrix); its label count is the number of classes. */
  prior: AdjacencyPrior | ReadonlyArray<ArrayLike<number>>;
  /** Weight λ of the NonAdjLoss; a call may override it (the λ controller changes it between epochs). @default 1 */
  lambda?: number;
  /** Weight of the soft Dice term. @default 5 (the reference) */
  diceWeight?: number;
  /** Class weights of the cross-entropy, length C (see {@link classWeightsFromCounts}). Default: all 1. */
  classWeights?: ArrayLike<number>;
  /** Smoothing term of the Dice loss. @default 1 */
  diceSmooth?: number;
}

/** The total and its parts, all scalars (the caller disposes them, or `tf.keep`s the parts inside `minimize`). */
export interface SegmentationLossResult {
  /** `crossEntropy + diceWeight · dice + λ · nonAdjacency`: what to minimise. */
  total: tf.Scalar;
  /** Class-weighted cross-entropy on the labelled items (0 when none). */
  crossEntropy: tf.Scalar;
  /** Soft Dice loss on the labelled items (0 when none), not multiplied by `diceWeight`. */
  dice: tf.Scalar;
  /** NonAdjLoss on **all** items with λ = 1 (the λ controller needs it unweighted, also while λ is 0). */
  nonAdjacency: tf.Scalar;
}

/** Per-call options of a {@link SegmentationLoss}. */
export interface SegmentationLossCall {
  /** Overrides the λ the loss was made with. */
  lambda?: number;
  /**
   * Data-parallel training (a batch split across threads, each calling the loss on its share): pools the
   * cross-entropy's and Dice's sums over the shares, see `CrossEntropyDiceOptions.pool`. `crossEntropy` and `dice` are
   * then the whole batch's values. Needs the fused path (wasm, cpu, tensorflow backends) and labelled items.
   */
  pool?: (sums: Float64Array) => Float64Array;
  /**
   * The fraction of the whole batch's items these logits are (with `pool`). The NonAdjLoss is a mean over all the
   * batch's pixels, so a share's is weighted by its fraction: `nonAdjacency` (and its part of `total`) is then this
   * share's contribution, and the shares' contributions add up to the batch's NonAdjLoss. @default 1
   */
  share?: number;
}

/** A segmentation loss bound to its prior and weights. */
export type SegmentationLoss = (logits: tf.Tensor, labels: tf.Tensor | null, options?: SegmentationLossCall) => SegmentationLossResult;

/**
 * The reference training loss (Ganaye et al. 2018/2019; METHOD.md §3 and §5): class-weighted cross-entropy
 * + 5 × soft Dice + λ · NonAdjLoss, with the semi-supervised split of §5: the first `labels.shape[0]` items of the
 * batch are labelled and get all three terms, the rest (unlabelled) only reach the NonAdjLoss. The cross-entropy
 * takes the logits. Where the NonAdjLoss runs sparse (wasm, cpu) it takes the logits too and returns their
 * gradient directly (`inputs: 'logits'`), and the cross-entropy and the Dice term are computed together from the
 * labelled logits with their gradient in closed form ({@link crossEntropyDiceFromLogits}: one softmax, no softmax
 * backward pass); elsewhere (GPU backends) one softmax feeds the Dice and the NonAdjLoss, as tf ops.
 *
 * @returns `(logits, labels, { lambda }) → { total, crossEntropy, dice, nonAdjacency }`; `logits` float32
 *   `[B, H, W, C]` / `[B, D, H, W, C]`; `labels` int32 `[b, H, W]` / `[b, D, H, W]` with `b ≤ B` (−1 = ignore), or
 *   null when the whole batch is unlabelled.
 * @throws RangeError (from the returned function) when `labels` has more items than `logits`, or as the terms do.
 * @example
 * const loss = makeSegmentationLoss({ prior, lambda: 0.2, classWeights });
 * optimizer.minimize(() => loss(model.apply(x) as tf.Tensor, y).total);
 */
export function makeSegmentationLoss(options: SegmentationLossOptions): SegmentationLoss {
  const { prior, lambda = 1, diceWeight = 5, classWeights, diceSmooth, ...nonAdjacencyOptions } = options;
  const nonAdjacencyFromLogits = makeNonAdjacencyLoss(prior, { ...nonAdjacencyOptions, lambda: 1, inputs: 'logits' });
  const nonAdjacencyFromProbs = makeNonAdjacencyLoss(prior, { ...nonAdjacencyOptions, lambda: 1, inputs: 'softmax', onWarning: undefined });
  const implementation = nonAdjacencyOptions.implementation ?? 'auto';
  if (!Number.isFinite(diceWeight) || diceWeight < 0) throw new RangeError(`makeSegmentationLoss: diceWeight is ${diceWeight}, expected a finite number ≥ 0`);
  return (logits, labels, call = {}) => {
    const lam = call.lambda ?? lambda;
    if (!Number.isFinite(lam) || lam < 0) throw new RangeError(`makeSegmentationLoss: lambda is ${lam}, expected a finite number ≥ 0`);
    const labelled = labels === null ? 0 : labels.shape[0];
    const share = call.share ?? 1;
    if (!(share > 0 && share <= 1)) throw new RangeError(`makeSegmentationLoss: share is ${share}, expected a fraction in (0, 1]`);
    if (call.pool && (labelled === 0 || resolveNonAdjacencyImplementation(implementation) !== 'sparse')) {
      throw new RangeError(`makeSegmentationLoss: pool needs labelled items (got ${labelled}) and the fused loss of the wasm, cpu and tensorflow backends (backend ${tf.getBackend()})`);
    }
    if (labelled > logits.shape[0]) {
      throw new RangeError(`makeSegmentationLoss: ${labelled} labelled items for a batch of ${logits.shape[0]}`);
    }
    return tf.tidy(() => {
      const fused = resolveNonAdjacencyImplementation(implementation) === 'sparse';
      const probs = fused ? null : tf.softmax(logits);
      // One softmax for both fused terms (they read it; their gradients w.r.t. the logits are in closed form).
      const shared = fused && labels !== null && labelled > 0 ? tf.softmax(logits) : undefined;
      let crossEntropy: tf.Scalar = tf.scalar(0);
      let dice: tf.Scalar = tf.scalar(0);
      if (labels !== null && labelled > 0) {
        const all = labelled === logits.shape[0];
        const begin = logits.shape.map(() => 0);
        const size = logits.shape.map((n, i) => (i === 0 ? labelled : n));
        const labelledLogits = all ? logits : tf.slice(logits, begin, size);
        if (probs === null) {
          ({ crossEntropy, dice } = crossEntropyDiceFromLogits(labelledLogits, labels, { weights: classWeights, smooth: diceSmooth, pool: call.pool, softmax: shared }));
        } else {
          crossEntropy = weightedCrossEntropy(labelledLogits, labels, { weights: classWeights });
          dice = softDiceLoss(all ? probs : tf.slice(probs, begin, size), labels, { smooth: diceSmooth });
        }
      }
      const whole = probs === null ? nonAdjacencyFromLogits(logits, shared) : nonAdjacencyFromProbs(probs);
      const nonAdj = share === 1 ? whole : (tf.mul(whole, share) as tf.Scalar);
      const total = tf.addN([crossEntropy, tf.mul(dice, diceWeight), tf.mul(nonAdj, lam)]) as tf.Scalar;
      return { total, crossEntropy, dice, nonAdjacency: nonAdj };
    });
  };
}
