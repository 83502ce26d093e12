import { diceScore } from './diceScore.js';

/** Options of {@link batchDiceCoefficient}. */
export interface BatchDiceCoefficientOptions {
  /** Number of items B in the batch; the arrays hold B equal, consecutive items. */
  batchSize: number;
  /** Class index of the background (row 0 of the prior: its first label). @default 0 */
  backgroundClass?: number;
}

/** Result of {@link batchDiceCoefficient}. */
export interface BatchDiceCoefficientResult {
  /** Mean over the items that have a value of each item's mean Dice over classes; null when no item has one. */
  meanDice: number | null;
  /** Each item's mean Dice (`diceScore`), null when neither its labels nor its prediction hold a foreground class. */
  perItem: Array<number | null>;
  /** Items with a value (the denominator of `meanDice`). */
  itemsCounted: number;
}

/**
 * The training Dice *coefficient* of one batch (METHOD.md §4: the 0…1 score the reference's λ heuristic divides by
 * the mean NonAdjLoss of the warm-up epoch, not the Dice loss): for each item, the mean over classes of the Dice of
 * the arg-max prediction against the labels, by `diceScore` (so with the convention of every Dice in nonadj:
 * background excluded, a class present in the labels or the prediction counts, a class in neither does not,
 * ignored voxels (−1) not evaluated); then the mean over the items that have a value.
 *
 * @param labels - `Int32Array` of B·H·W (or B·D·H·W) class indices, item-major, the layout of the training batch;
 *   −1 = ignored voxel.
 * @param prediction - arg-max class index per voxel, same length and layout (e.g. `tf.argMax(probs, -1)`'s data).
 * @throws RangeError when the lengths differ or are not B equal items, or for invalid class indices.
 * @example
 * // Item 0: class 1 found exactly; item 1: a class 2 that is not there.
 * batchDiceCoefficient(Int32Array.from([1, 0, 0, 0]), Int32Array.from([1, 0, 0, 2]), { batchSize: 2 }).meanDice; // (1 + 0) / 2
 */
export function batchDiceCoefficient(labels: Int32Array, prediction: ArrayLike<number>, options: BatchDiceCoefficientOptions): BatchDiceCoefficientResult {
  const B = options.batchSize;
  if (!Number.isInteger(B) || B < 1) throw new RangeError(`batchDiceCoefficient: batchSize is ${B}, expected a positive integer`);
  if (prediction.length !== labels.length) {
    throw new RangeError(`batchDiceCoefficient: prediction has ${prediction.length} values and labels ${labels.length}, expected the same number`);
  }
  if (labels.length % B !== 0) throw new RangeError(`batchDiceCoefficient: ${labels.length} labels do not split into ${B} equal items`);
  const per = labels.length / B;
  const pred = ArrayBuffer.isView(prediction) ? (prediction as unknown as Int32Array) : Int32Array.from(prediction);
  const perItem: Array<number | null> = [];
  let sum = 0;
  let counted = 0;
  for (let b = 0; b < B; b++) {
    const d = diceScore(pred.subarray(b * per, (b + 1) * per), labels.subarray(b * per, (b + 1) * per), {
      backgroundLabel: options.backgroundClass ?? 0,
      source: `batchDiceCoefficient: item ${b}`,
    }).meanDice;
    perItem.push(d);
    if (d !== null) {
      sum += d;
      counted++;
    }
  }
  return { meanDice: counted === 0 ? null : sum / counted, perItem, itemsCounted: counted };
}
