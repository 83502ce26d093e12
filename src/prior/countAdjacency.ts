import type { VoxelArray } from '../volume/Volume.js';
import { countPresentAdjacency } from './countPresentAdjacency.js';
import type { NeighbourhoodOptions } from './neighbourhood.js';
import { PRIOR_LIMITS } from './PRIOR_LIMITS.js';

/** Options of {@link countAdjacency}. */
export interface CountAdjacencyOptions extends NeighbourhoodOptions {
  /** Number of labels `L`; labels must lie in `[0, L)` (−1 = ignored). Default: max label + 1. */
  numLabels?: number;
  /** File name named in error messages. */
  source?: string;
}

/** Result of {@link countAdjacency}. */
export interface CountAdjacencyResult {
  /** Number of labels `L` (the matrix is `L × L`). */
  numLabels: number;
  /**
   * `L × L` row-major counts: `counts[i·L + j]` is the number of ordered neighbour pairs (v, u) with
   * label(v) = i and label(u) = j. Symmetric; the diagonal counts same-label pairs (each unordered pair twice).
   * Exact integers (float64 holds integers exactly up to 2^53).
   */
  counts: Float64Array;
}

/**
 * Count label adjacencies in a 3D label map (METHOD.md §1): for every voxel v with label i and every
 * neighbour u with label j, add 1 to `M[i][j]`. Nothing is counted across the volume border; voxels labelled
 * −1 take part in no pair; voxel spacing is ignored.
 *
 * Works on run-length-encoded rows along x (`labelRuns`, `forEachRunPair`, shared with `metric/`): two rows are
 * compared run against run, so the cost grows with the number of label runs rather than with the number of voxels
 * (a 1 mm brain row of 181 voxels holds ~5 runs). The counting itself runs over the labels present
 * (`countPresentAdjacency`); only the returned matrix is dense, so `L` is limited to `PRIOR_LIMITS.maxLabels`.
 *
 * @param labels - label map, x fastest (`i + j·nx + k·nx·ny`), integer values.
 * @param dims - `[nx, ny, nz]` in voxels.
 * @throws RangeError for non-integer labels, labels outside `[0, numLabels)` other than −1, a length mismatch, or
 *   an `L` over `PRIOR_LIMITS.maxLabels` (naming the label that needs it).
 * @example
 * // two voxels side by side, labels 0 and 1, 6-connectivity:
 * countAdjacency(new Uint8Array([0, 1]), [2, 1, 1], { connectivity: 6 }).counts; // [0, 1, 1, 0]
 */
export function countAdjacency(
  labels: VoxelArray | ArrayLike<number>,
  dims: readonly [number, number, number],
  options: CountAdjacencyOptions = {},
): CountAdjacencyResult {
  const source = options.source ?? 'countAdjacency';
  const limit = PRIOR_LIMITS.maxLabels;
  if (options.numLabels !== undefined && options.numLabels > limit) {
    throw new RangeError(`${source}: numLabels is ${options.numLabels}, over the limit of ${limit} labels of a dense L×L matrix`);
  }
  const present = countPresentAdjacency(labels, dims, options);
  const K = present.labels.length;
  const L = options.numLabels ?? (K > 0 ? present.labels[K - 1] + 1 : 0);
  if (L > limit) {
    throw new RangeError(`${source}: label ${L - 1} needs a ${L}×${L} matrix, over the limit of ${limit} labels; count the labels present instead (countPresentAdjacency)`);
  }
  const counts = new Float64Array(L * L);
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < K; j++) counts[present.labels[i] * L + present.labels[j]] = present.counts[i * K + j];
  }
  return { numLabels: L, counts };
}
