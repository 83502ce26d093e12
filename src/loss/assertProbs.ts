import type * as tf from '@tensorflow/tfjs-core';

/** @throws RangeError unless `probs` is a float32 rank-4 or rank-5 tensor with a non-empty grid. */
export function assertProbs(probs: tf.Tensor, op: string): void {
  if (probs.rank !== 4 && probs.rank !== 5) {
    throw new RangeError(
      `${op}: probabilities have shape [${probs.shape.join(', ')}] (rank ${probs.rank}), expected [B, H, W, C] or [B, D, H, W, C]`,
    );
  }
  if (probs.dtype !== 'float32') throw new RangeError(`${op}: probabilities are ${probs.dtype}, expected float32`);
  if (probs.size === 0) throw new RangeError(`${op}: probabilities have shape [${probs.shape.join(', ')}], expected no empty axis`);
}
