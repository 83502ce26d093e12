import { assertLabelMap } from '../prior/assertLabelMap.js';

/** Options of {@link diceScore}. */
export interface DiceScoreOptions {
  /**
   * Label codes to score, in the order wanted. Default: every code ≥ 0 carried by an evaluated voxel of either
   * map, ascending, without the background (see `background`). A listed code is scored even if it is the
   * background.
   */
  labels?: readonly number[];
  /** Whether the default label list keeps the background. @default 'exclude' */
  background?: 'exclude' | 'include';
  /** Code of the background: 0 for label maps in file codes, the prior's first label (row 0) for row indices. @default 0 */
  backgroundLabel?: number;
  /** Name of the inputs in error messages. @default 'diceScore' */
  source?: string;
}

/** Dice of one label. */
export interface LabelDice {
  label: number;
  /** `2·|P ∩ T| / (|P| + |T|)` in [0, 1]; 0 when the label is in one map only; null when in neither (not counted). */
  dice: number | null;
  /** Evaluated voxels (truth ≠ −1) carrying the label in the prediction, in the truth, and in both. */
  predictionVoxels: number;
  truthVoxels: number;
  intersectionVoxels: number;
}

/** Result of {@link diceScore}. */
export interface DiceScoreResult {
  /** One entry per scored label, in the order of `options.labels` (default: ascending code). */
  labels: LabelDice[];
  /** Mean of the non-null per-label Dice values; null when no label counts (every scored label absent from both). */
  meanDice: number | null;
}

/**
 * Dice overlap per label between a predicted and a reference label map, and its mean over labels: the one Dice of
 * nonadj, used by `evaluateSegmentation` (and so `nonadj evaluate` and the demo's test scores), by `validateModel`
 * (validation Dice during training) and by `batchDiceCoefficient` (the training-batch Dice of the λ heuristic).
 *
 * Convention:
 * - per label, `Dice = 2·|P ∩ T| / (|P| + |T|)`, P and T the evaluated voxels carrying the label in the prediction
 *   and in the truth;
 * - the background (code `backgroundLabel`: 0 in file codes, the prior's first label for row indices) is excluded
 *   from the default label list;
 * - a label counts when it is present in the truth OR in the prediction: a structure missing from the prediction
 *   scores 0, and so does a hallucinated one (present in the prediction only); a label absent from both has Dice
 *   null and is left out of the mean (MONAI's `ignore_empty`);
 * - voxels whose truth is −1 ("ignored structure", METHOD.md §1) are not evaluated: neither map counts them; a
 *   prediction of −1 belongs to no label.
 *
 * @param prediction - label map (integers ≥ −1), any layout, same length and layout as `truth`.
 * @param truth - reference label map.
 * @throws RangeError when the lengths differ, for invalid labels (NaN, non-integer, below −1), for codes ≥ 2^24,
 *   and for requested labels that are not integers ≥ 0.
 * @example
 * diceScore([1, 1, 0, 0], [1, 0, 0, 2]); // label 1: 2·1/(2+1); label 2 missing: 0 → meanDice 1/3
 */
export function diceScore(prediction: ArrayLike<number>, truth: ArrayLike<number>, options: DiceScoreOptions = {}): DiceScoreResult {
  const source = options.source ?? 'diceScore';
  if (prediction.length !== truth.length) {
    throw new RangeError(`${source}: prediction has ${prediction.length} voxels and truth ${truth.length}, expected the same number`);
  }
  for (const c of options.labels ?? []) {
    if (!Number.isInteger(c) || c < 0) throw new RangeError(`${source}: label ${c} requested, expected integers ≥ 0`);
  }
  const pMax = assertLabelMap(prediction, { source: `${source}: prediction` }).max;
  const tMax = assertLabelMap(truth, { source: `${source}: truth` }).max;
  // Counts indexed by code: label codes are small integers (a brain atlas has codes ≤ a few thousand).
  const size = Math.max(pMax, tMax, ...(options.labels ?? [0])) + 1;
  if (size > 1 << 24) throw new RangeError(`${source}: label code ${size - 1} is too large (expected < 2^24)`);
  const pCount = new Float64Array(size);
  const tCount = new Float64Array(size);
  const both = new Float64Array(size);
  for (let v = 0; v < truth.length; v++) {
    const t = truth[v];
    if (t < 0) continue;
    const p = prediction[v];
    tCount[t]++;
    if (p >= 0) {
      pCount[p]++;
      if (p === t) both[t]++;
    }
  }
  const background = options.backgroundLabel ?? 0;
  let codes: readonly number[];
  if (options.labels) codes = options.labels;
  else {
    const found: number[] = [];
    for (let c = 0; c < size; c++) {
      if (pCount[c] + tCount[c] === 0) continue;
      if (c === background && (options.background ?? 'exclude') === 'exclude') continue;
      found.push(c);
    }
    codes = found;
  }
  let sum = 0;
  let counted = 0;
  const labels = codes.map((label): LabelDice => {
    const p = pCount[label];
    const t = tCount[label];
    const dice = p + t === 0 ? null : (2 * both[label]) / (p + t);
    if (dice !== null) {
      sum += dice;
      counted++;
    }
    return { label, dice, predictionVoxels: p, truthVoxels: t, intersectionVoxels: both[label] };
  });
  return { labels, meanDice: counted === 0 ? null : sum / counted };
}
