import type { VoxelArray } from '../volume/Volume.js';
import { assertLabelMap } from './assertLabelMap.js';
import { forEachRunPair } from './forEachRunPair.js';
import { labelCodes } from './labelCodes.js';
import { labelRuns } from './labelRuns.js';
import { forwardOffsets, resolveNeighbourhood, type NeighbourhoodOptions } from './neighbourhood.js';

/** Options of {@link countPresentAdjacency}. */
export interface CountPresentAdjacencyOptions extends NeighbourhoodOptions {
  /** When given, labels must lie in `[0, numLabels)` (−1 = ignored). */
  numLabels?: number;
  /** File name named in error messages. */
  source?: string;
  /** Most distinct labels accepted. @default PRIOR_LIMITS.maxLabels */
  maxLabels?: number;
}

/** Result of {@link countPresentAdjacency}. */
export interface CountPresentAdjacencyResult {
  /** The `K` distinct label codes ≥ 0 present, ascending: row/column `i` stands for code `labels[i]`. */
  labels: number[];
  /**
   * `K × K` row-major counts over the labels present: `counts[i·K + j]` is the number of ordered neighbour pairs
   * (v, u) with label(v) = `labels[i]` and label(u) = `labels[j]`. Symmetric; exact integers.
   */
  counts: Float64Array;
}

/**
 * Count label adjacencies (METHOD.md §1) over the labels present only: codes are mapped to indices `0 … K−1`
 * first, so memory grows with the number of distinct labels, whatever their codes (see `labelCodes`). The scan is
 * the run-length one of `countAdjacency`.
 *
 * @param labels - label map, x fastest (`i + j·nx + k·nx·ny`), integer values ≥ −1.
 * @param dims - `[nx, ny, nz]` in voxels.
 * @throws RangeError naming `source` for non-integer labels, labels below −1, labels ≥ `numLabels` (with their voxel
 *   counts), more than `maxLabels` distinct labels, or a length mismatch.
 * @example
 * countPresentAdjacency(new Uint16Array([0, 14175]), [2, 1, 1], { connectivity: 6 });
 * // { labels: [0, 14175], counts: [0, 1, 1, 0] }
 */
export function countPresentAdjacency(
  labels: VoxelArray | ArrayLike<number>,
  dims: readonly [number, number, number],
  options: CountPresentAdjacencyOptions = {},
): CountPresentAdjacencyResult {
  const [nx, ny, nz] = dims;
  const source = options.source ?? 'countAdjacency';
  if (labels.length !== nx * ny * nz) {
    throw new RangeError(`${source}: ${labels.length} labels for a ${nx}×${ny}×${nz} grid, expected ${nx * ny * nz}`);
  }
  const offsets = forwardOffsets(resolveNeighbourhood(options));
  const present = labelCodes(labels, { source, maxLabels: options.maxLabels });
  const { codes } = present;
  if (options.numLabels !== undefined && codes.length > 0 && codes[codes.length - 1] >= options.numLabels) {
    // The thorough check only on the error path, for its message (each value and its voxel count).
    assertLabelMap(labels, { numLabels: options.numLabels, source });
  }
  const K = codes.length;
  const runs = labelRuns(labels, dims, { encode: present.indexOf });
  const half = new Float64Array(K * K);
  const { runLabel } = runs;
  forEachRunPair(runs, offsets, (runA, runB, x0, x1) => {
    const a = runLabel[runA];
    const b = runLabel[runB];
    if (a >= 0 && b >= 0) half[a * K + b] += x1 - x0;
  });
  // Each unordered pair was seen once, from its forward end: M = H + Hᵀ gives both ends.
  const counts = new Float64Array(K * K);
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < K; j++) counts[i * K + j] = half[i * K + j] + half[j * K + i];
  }
  return { labels: codes, counts };
}
