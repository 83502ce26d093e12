import * as tf from '@tensorflow/tfjs-core';
import { assertProbs } from './assertProbs.js';
import { boxMean } from './boxMean.js';

/**
 * The soft adjacency estimator of Ganaye et al. (MICCAI 2018, MedIA 2019; METHOD.md §2): the expected
 * label-contact matrix of a probabilistic segmentation, differentiable with respect to the probabilities.
 *
 * With `Q` the 3×3 (3D: 3×3×3) box mean of `P` over a zero-padded window **including the centre**, whose divisor
 * stays 9 (27) at the border:
 *
 * `A[i][j] = (1 / (B·H·W)) Σ_{n,h,w} P[n,h,w,i] · Q[n,h,w,j]` (3D: over `n,d,h,w`, normalised by `B·D·H·W`).
 *
 * Layout: **channels-last** (`[B, H, W, C]`, `[B, D, H, W, C]`), as tfjs convolutions take it; the reference
 * PyTorch layer is channels-first (`[B, C, H, W]`) and otherwise computes exactly this (same padding, divisor and
 * normalisation). The 3D form is this project's extension (the reference has none).
 *
 * Dense formulation (the box mean of {@link boxMean}, then one matMul): cost O(C²·pixels); it runs on every
 * backend with ordinary autodiff. On wasm its backward pass is slow (tfjs-backend-wasm's BatchMatMul with
 * `transposeA`, which the matMul gradient uses, is ~40× slower than a transpose + plain matMul); for the loss on
 * CPU backends use the sparse path of {@link makeNonAdjacencyLoss}.
 *
 * @param probs - class probabilities, float32, `[B, H, W, C]` (2D) or `[B, D, H, W, C]` (3D); normally a softmax
 *   output (each pixel sums to 1), though nothing here requires it.
 * @returns `[C, C]` float32, row = class at the pixel, column = class in its neighbourhood; symmetric up to rounding.
 *   For one-hot input, `A[i][j]` = (ordered in-bounds pairs of pixels within Chebyshev distance 1, centre included,
 *   labelled (i, j)) / (9 or 27 · pixels).
 * @throws RangeError when `probs` is not rank 4 or 5, or is not float32.
 * @example
 * const a = softAdjacency(tf.softmax(logits)); // logits [2, 128, 128, 135] → a [135, 135]
 */
export function softAdjacency(probs: tf.Tensor): tf.Tensor2D {
  assertProbs(probs, 'softAdjacency');
  return tf.tidy(() => {
    const C = probs.shape[probs.rank - 1];
    const pixels = probs.size / C;
    const q = boxMean(probs);
    const p2 = tf.reshape(probs, [pixels, C]);
    const q2 = tf.reshape(q, [pixels, C]);
    // An explicit transpose then a plain matMul: the wasm BatchMatMul with transposeA is ~10× slower.
    return tf.div(tf.matMul(tf.transpose(p2), q2), pixels) as tf.Tensor2D;
  });
}
