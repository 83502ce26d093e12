import { checkSegmentation } from '../metric/checkSegmentation.js';
import { diceScore } from '../metric/diceScore.js';
import type { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import type { Volume } from '../volume/Volume.js';

/**
 * The default tolerance of the adaptation guard: every label of the original's segmentation keeps a Dice of at least
 * 0.9 with it. Fixed before any adapted result was scored, from geometry rather than from a result: a Dice of 0.9
 * keeps 82 % of a structure (`2x/(1+x) = 0.9`), which for a ball the size of the smallest structures of a 1 mm brain
 * segmentation (one pallidum, ~1 200 voxels, radius 6.6 voxels) is its boundary moved inwards by 0.43 voxel
 * everywhere: less than the grid's own resolution, while a one-voxel erosion of that ball already falls to Dice 0.76.
 * A structure that collapses (session 6's pallidum, Dice 0.617 → 0.134 against AAL) fails it long before it is gone.
 */
export const GUARD_MIN_DICE = 0.9;

/** Result of {@link checkAgainstOriginal}, summed or minimised over the scans. */
export interface CheckAgainstOriginalResult {
  /** Forbidden contacts (unordered 26-neighbour voxel pairs, or the prior's neighbourhood) and pairs, summed over the scans. */
  forbiddenContacts: number;
  forbiddenPairs: number;
  /**
   * The label with the lowest Dice between the segmentation and the original's of the same scan, over the labels
   * (background 0 excluded) present in the original's, and the scan (index) where it is; null when the originals hold
   * no label but the background.
   */
  worst: { label: number; dice: number; scan: number } | null;
  /** Whether every such label of every scan keeps Dice ≥ `minDice`. */
  passed: boolean;
}

/**
 * One check of the adaptation guard (`adaptModel`'s `guard`): how far the segmentations made with the adapted
 * weights are from the original model's segmentations of the same scans (per label Dice, for every label the
 * original segments), and how many contacts they make that the prior forbids (`checkSegmentation`). No ground truth
 * is used: the original's segmentation is the reference the guard keeps the adapted model close to.
 *
 * @param segmentations - one label map per scan (label codes, those of the prior), made with the adapted weights.
 * @param originals - the original model's label maps of the same scans, same order, each on the same grid.
 * @param prior - the adjacency prior whose forbidden contacts are counted.
 * @param minDice - tolerance in [0, 1]. @default {@link GUARD_MIN_DICE}
 * @throws RangeError for lists of different lengths, grids of different sizes, or a tolerance outside [0, 1].
 * @example
 * // one 1×1×4 scan, original [0, 1, 1, 2], adapted [0, 1, 2, 2]: label 1 Dice 2·1/(1+2) = 0.667 (worst), label 2 0.667… →
 * checkAgainstOriginal([adapted], [original], prior, 0.9).passed; // false
 */
export function checkAgainstOriginal(
  segmentations: readonly Volume[], originals: readonly Volume[], prior: AdjacencyPrior, minDice: number = GUARD_MIN_DICE,
): CheckAgainstOriginalResult {
  const op = 'checkAgainstOriginal';
  if (!(minDice >= 0 && minDice <= 1)) throw new RangeError(`${op}: minDice is ${minDice}, expected a number in [0, 1]`);
  if (segmentations.length !== originals.length) {
    throw new RangeError(`${op}: ${segmentations.length} segmentations and ${originals.length} originals, expected one original per segmentation`);
  }
  let forbiddenContacts = 0;
  let forbiddenPairs = 0;
  let worst: CheckAgainstOriginalResult['worst'] = null;
  segmentations.forEach((seg, scan) => {
    const original = originals[scan];
    if (seg.data.length !== original.data.length) {
      throw new RangeError(`${op}: scan ${scan} has ${seg.data.length} voxels and its original ${original.data.length}, expected the same grid`);
    }
    const check = checkSegmentation(seg, prior);
    forbiddenContacts += check.forbiddenContacts;
    forbiddenPairs += check.forbiddenPairs;
    // The labels the original segments: a label the adapted model adds is not a loss of structure (its contacts count).
    const present = new Set<number>();
    for (const v of original.data) if (v > 0) present.add(v);
    const dice = diceScore(seg.data, original.data, { labels: [...present].sort((a, b) => a - b), source: op });
    for (const d of dice.labels) {
      const value = d.dice ?? 1;
      if (worst === null || value < worst.dice) worst = { label: d.label, dice: value, scan };
    }
  });
  const w = worst as CheckAgainstOriginalResult['worst'];
  return { forbiddenContacts, forbiddenPairs, worst: w, passed: w === null || w.dice >= minDice };
}
