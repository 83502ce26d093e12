import type { VoxelArray } from '../volume/Volume.js';
import { assertLabelMap } from './assertLabelMap.js';
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
 * Works on run-length-encoded rows along x: two rows are compared run against run, so the cost grows with the
 * number of label runs rather than with the number of voxels (a 1 mm brain row of 181 voxels holds ~10 runs).
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

  const rows = ny * nz;
  const rowPtr = new Int32Array(rows + 1);
  // Label maps hold few runs per row (~10 in a 1 mm brain), so start small and grow: memory stays a fraction of the
  // volume instead of the 8 bytes per voxel a worst-case allocation would take.
  let runStart = new Int32Array(Math.max(1024, rows * 8));
  let runLabel = new Int32Array(runStart.length);
  // Labels are checked once per run, not per voxel: a run holds one value (NaN !== NaN starts a run at every voxel).
  const limit = options.numLabels ?? Infinity;
  let max = -1;
  let valid = true;
  let r = 0;
  for (let row = 0; row < rows; row++) {
    rowPtr[row] = r;
    const base = row * nx;
    let prev = NaN;
    for (let x = 0; x < nx; x++) {
      const l = labels[base + x];
      if (l !== prev) {
        if (r === runStart.length) {
          runStart = grow(runStart);
          runLabel = grow(runLabel);
        }
        if (!(Number.isInteger(l) && l >= -1 && l < limit)) valid = false;
        if (l > max) max = l;
        runStart[r] = x;
        runLabel[r] = l;
        r++;
        prev = l;
      }
    }
  }
  rowPtr[rows] = r;
  // The slow, thorough check only on the error path, for its message (value, voxel count, file).
  if (!valid) assertLabelMap(labels, { numLabels: options.numLabels, source });
  const L = options.numLabels ?? max + 1;
  const half = new Float64Array(L * L);

  for (const [di, dj, dk] of offsets) {
    const x0 = Math.max(0, -di);
    const x1 = Math.min(nx, nx - di);
    if (x1 <= x0) continue;
    for (let k = Math.max(0, -dk); k < Math.min(nz, nz - dk); k++) {
      for (let j = Math.max(0, -dj); j < Math.min(ny, ny - dj); j++) {
        const rowA = j + k * ny;
        const rowB = j + dj + (k + dk) * ny;
        let pa = rowPtr[rowA];
        const endA = rowPtr[rowA + 1];
        let pb = rowPtr[rowB];
        const endB = rowPtr[rowB + 1];
        // Runs containing x0 (in A) and x0 + di (in B).
        while (pa + 1 < endA && runStart[pa + 1] <= x0) pa++;
        while (pb + 1 < endB && runStart[pb + 1] <= x0 + di) pb++;
        let x = x0;
        while (x < x1) {
          const stopA = pa + 1 < endA ? runStart[pa + 1] : nx;
          const stopB = (pb + 1 < endB ? runStart[pb + 1] : nx) - di;
          const stop = Math.min(stopA, stopB, x1);
          const a = runLabel[pa];
          const b = runLabel[pb];
          if (a >= 0 && b >= 0) half[a * L + b] += stop - x;
          x = stop;
          if (x === stopA) pa++;
          if (x === stopB) pb++;
        }
      }
    }
  }

  // Each unordered pair was seen once, from its forward end: M = H + Hᵀ gives both ends.
  const counts = new Float64Array(L * L);
  for (let i = 0; i < L; i++) {
    for (let j = 0; j < L; j++) counts[i * L + j] = half[i * L + j] + half[j * L + i];
  }
  return { numLabels: L, counts };
}

function grow(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
