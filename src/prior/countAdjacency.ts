import type { VoxelArray } from '../volume/Volume.js';
import { assertLabelMap } from './assertLabelMap.js';
import { forEachRunPair } from './forEachRunPair.js';
import { labelRuns } from './labelRuns.js';
import { forwardOffsets, resolveNeighbourhood, type NeighbourhoodOptions } from './neighbourhood.js';

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
 * (a 1 mm brain row of 181 voxels holds ~5 runs).
 *
 * @param labels - label map, x fastest (`i + j·nx + k·nx·ny`), integer values.
 * @param dims - `[nx, ny, nz]` in voxels.
 * @throws RangeError for non-integer labels, labels outside `[0, numLabels)` other than −1, or a length mismatch.
 * @example
 * // two voxels side by side, labels 0 and 1, 6-connectivity:
 * countAdjacency(new Uint8Array([0, 1]), [2, 1, 1], { connectivity: 6 }).counts; // [0, 1, 1, 0]
 */
export function countAdjacency(
  labels: VoxelArray | ArrayLike<number>,
  dims: readonly [number, number, number],
  options: CountAdjacencyOptions = {},
): CountAdjacencyResult {
  const [nx, ny, nz] = dims;
  const source = options.source ?? 'countAdjacency';
  if (labels.length !== nx * ny * nz) {
    throw new RangeError(`${source}: ${labels.length} labels for a ${nx}×${ny}×${nz} grid, expected ${nx * ny * nz}`);
  }
  const offsets = forwardOffsets(resolveNeighbourhood(options));
  // Labels are checked once per run, not per voxel: a run holds one value (NaN !== NaN starts a run at every voxel).
  const limit = options.numLabels ?? Infinity;
  let max = -1;
  let valid = true;
  const runs = labelRuns(labels, dims, {
    encode: (l) => {
      if (!(Number.isInteger(l) && l >= -1 && l < limit)) valid = false;
      if (l > max) max = l;
      return l;
    },
  });
  // The slow, thorough check only on the error path, for its message (value, voxel count, file).
  if (!valid) assertLabelMap(labels, { numLabels: options.numLabels, source });
  const L = options.numLabels ?? max + 1;
  const half = new Float64Array(L * L);
  const { runLabel } = runs;
  forEachRunPair(runs, offsets, (runA, runB, x0, x1) => {
    const a = runLabel[runA];
    const b = runLabel[runB];
    if (a >= 0 && b >= 0) half[a * L + b] += x1 - x0;
  });

  // Each unordered pair was seen once, from its forward end: M = H + Hᵀ gives both ends.
  const counts = new Float64Array(L * L);
  for (let i = 0; i < L; i++) {
    for (let j = 0; j < L; j++) counts[i * L + j] = half[i * L + j] + half[j * L + i];
  }
  return { numLabels: L, counts };
}
