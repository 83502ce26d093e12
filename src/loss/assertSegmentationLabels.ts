import type * as tf from '@tensorflow/tfjs-core';

/**
 * Check a label map against the network output it goes with.
 *
 * @param labels - int32 `[B, H, W]` or `[B, D, H, W]`: class indices in `[0, numClasses)`, −1 = ignore.
 * @param gridShape - the output's shape without its class axis (`[B, H, W]` or `[B, D, H, W]`).
 * @throws RangeError naming `op` when the dtype or shape differ, or a label lies outside `[−1, numClasses)`.
 *   The value check reads the labels back (4 bytes per pixel, against `4·C` for the probabilities).
 */
export function assertSegmentationLabels(labels: tf.Tensor, gridShape: readonly number[], numClasses: number, op: string): void {
  if (labels.dtype !== 'int32') throw new RangeError(`${op}: labels are ${labels.dtype}, expected int32 class indices`);
  if (labels.rank !== gridShape.length || labels.shape.some((n, i) => n !== gridShape[i])) {
    throw new RangeError(`${op}: labels have shape [${labels.shape.join(', ')}], expected [${gridShape.join(', ')}] (the output without its class axis)`);
  }
  const values = labels.dataSync();
  let bad = 0;
  let example = 0;
  for (const v of values) {
    if (v < -1 || v >= numClasses) {
      if (bad === 0) example = v;
      bad++;
    }
  }
  if (bad > 0) {
    throw new RangeError(`${op}: ${bad} labels lie outside [0, ${numClasses}) and are not −1 (ignore), e.g. ${example}`);
  }
}
