import type * as tf from '@tensorflow/tfjs-core';

/**
 * @param what - what the tensor holds, for the messages (`'probabilities'`, `'logits'`).
 * @throws RangeError unless `probs` is a float32 rank-4 or rank-5 tensor with a non-empty grid.
 */
export function assertProbs(probs: tf.Tensor, op: string, what = 'probabilities'): void {
  if (probs.rank !== 4 && probs.rank !== 5) {
    throw new RangeError(
      `${op}: ${what} have shape [${probs.shape.join(', ')}] (rank ${probs.rank}), expected [B, H, W, C] or [B, D, H, W, C]`,
    );
  }
  if (probs.dtype !== 'float32') throw new RangeError(`${op}: ${what} are ${probs.dtype}, expected float32`);
  if (probs.size === 0) throw new RangeError(`${op}: ${what} have shape [${probs.shape.join(', ')}], expected no empty axis`);
}
