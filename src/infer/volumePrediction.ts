/** What the whole-volume predictors return: `'labels'` only, or also the probabilities. */
export type PredictOutput = 'labels' | 'labelsAndProbabilities';

/** A whole-volume prediction on the image's grid. */
export interface VolumePrediction {
  /** Label code of each voxel's most probable class (first one on ties), x fastest, length nx·ny·nz. */
  labels: Int32Array;
  /**
   * Only when asked for: class probabilities, voxel-major and channels-last (index `voxel·C + c`, voxel
   * x fastest), length nx·ny·nz·C.
   */
  probabilities?: Float32Array;
  /** Only when asked for (`predictSlices`' `'labelsAndLogits'`): the model's raw outputs, laid out as `probabilities`. */
  logits?: Float32Array;
  /** Number of classes C. */
  numClasses: number;
}

/**
 * The label codes of the C output channels: `classes` checked against C, or `0…C−1`.
 *
 * @throws RangeError naming `where` when `classes` does not have C integer entries.
 */
export function resolveClasses(classes: readonly number[] | undefined, numClasses: number, where: string): Int32Array {
  if (classes === undefined) return Int32Array.from({ length: numClasses }, (_, i) => i);
  if (classes.length !== numClasses || !classes.every(Number.isInteger)) {
    throw new RangeError(`${where}: classes lists ${classes.length} label codes, expected ${numClasses} integers (one per output channel)`);
  }
  return Int32Array.from(classes);
}

/** Index (0…n−1) of the largest of `values[offset…offset+n)`, the first one on ties. */
export function argmaxAt(values: ArrayLike<number>, offset: number, n: number): number {
  let best = 0;
  let max = values[offset];
  for (let c = 1; c < n; c++) {
    const v = values[offset + c];
    if (v > max) {
      max = v;
      best = c;
    }
  }
  return best;
}

/**
 * Softmax over each run of `n` values of `values` (channels-last logits → probabilities), in place; the max is
 * subtracted first so large logits do not overflow. What `tf.softmax` computes over the last axis, for the batch
 * forward passes that run outside tfjs.
 */
export function softmaxInPlace(values: Float32Array, n: number): Float32Array {
  for (let o = 0; o < values.length; o += n) {
    let max = -Infinity;
    for (let c = 0; c < n; c++) max = Math.max(max, values[o + c]);
    let sum = 0;
    for (let c = 0; c < n; c++) sum += values[o + c] = Math.exp(values[o + c] - max);
    for (let c = 0; c < n; c++) values[o + c] /= sum;
  }
  return values;
}
