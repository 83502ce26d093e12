import type { VoxelArray } from '../volume/Volume.js';
import { assertLabelMap } from './assertLabelMap.js';
import { countRunAdjacency } from './countRunAdjacency.js';
import { labelCodes } from './labelCodes.js';
import { labelRuns, type LabelRuns } from './labelRuns.js';
import { forwardOffsets, resolveNeighbourhood, type NeighbourhoodOptions } from './neighbourhood.js';
import { PRIOR_LIMITS } from './PRIOR_LIMITS.js';

/** Options of {@link countPresentAdjacency}. */
export interface CountPresentAdjacencyOptions extends NeighbourhoodOptions {
  /** When given, labels must lie in `[0, numLabels)` (−1 = ignored). */
  numLabels?: number;
  /** File name named in error messages. */
  source?: string;
  /** Most distinct labels accepted. @default PRIOR_LIMITS.maxLabels */
  maxLabels?: number;
  /**
   * The runs of `labels` as `labelRuns(labels, dims)` gives them (codes, no `encode`), when the caller has them
   * already (`countFileAdjacency` shares them with `assertPlausibleLabelMap`); read, not modified. Only for maps in
   * an integer typed array of at most 32 bits other than `Uint32Array` (codes that fit the runs' `Int32Array`).
   */
  runs?: LabelRuns;
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
 * the run-length one of `countAdjacency` (`countRunAdjacency`). Maps in an integer typed array of at most 32 bits
 * (every atlas read from an integer NIfTI datatype) are split into runs first and their labels found among the
 * runs (~200 000 for a 1 mm brain) rather than among the voxels (7 million): one pass over the voxels instead of two.
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
  const maxLabels = options.maxLabels ?? PRIOR_LIMITS.maxLabels;
  let codes: number[];
  let runs: LabelRuns;
  if (options.runs !== undefined || isInt32Labels(labels)) {
    const raw = options.runs ?? labelRuns(labels, dims);
    if (raw.count > 0 && (raw.dims[0] !== nx || raw.dims[1] !== ny || raw.dims[2] !== nz)) {
      throw new RangeError(`${source}: runs of a ${raw.dims.join('×')} grid for a ${nx}×${ny}×${nz} map`);
    }
    codes = runCodes(raw, labels, source, maxLabels);
    checkNumLabels(codes, labels, options.numLabels, source);
    runs = encodeRuns(raw, codes);
  } else {
    const present = labelCodes(labels, { source, maxLabels });
    codes = present.codes;
    checkNumLabels(codes, labels, options.numLabels, source);
    runs = labelRuns(labels, dims, { encode: present.indexOf });
  }
  return { labels: codes, counts: countRunAdjacency(runs, codes.length, offsets) };
}

/** Typed arrays whose every value fits the `Int32Array` of `labelRuns` unchanged (and is an integer). */
function isInt32Labels(labels: VoxelArray | ArrayLike<number>): labels is Uint8Array | Int8Array | Uint16Array | Int16Array | Int32Array {
  return labels instanceof Uint8Array || labels instanceof Int8Array || labels instanceof Uint16Array || labels instanceof Int16Array || labels instanceof Int32Array;
}

function checkNumLabels(codes: number[], labels: VoxelArray | ArrayLike<number>, numLabels: number | undefined, source: string): void {
  if (numLabels !== undefined && codes.length > 0 && codes[codes.length - 1] >= numLabels) {
    // The thorough check only on the error path, for its message (each value and its voxel count).
    assertLabelMap(labels, { numLabels, source });
  }
}

/** Codes below this are looked up in flat tables (fast); larger ones in a Map, as in `labelCodes`. */
const SMALL = 1 << 16;

/**
 * The distinct codes ≥ 0 among the runs' labels, ascending, with the checks and messages of `labelCodes`: runs are
 * listed in voxel order, so the first run over `maxLabels` starts at the voxel `labelCodes` names.
 */
function runCodes(runs: LabelRuns, labels: VoxelArray | ArrayLike<number>, source: string, maxLabels: number): number[] {
  const { rowPtr, runStart, runLabel } = runs;
  const nx = runs.dims[0];
  const small = new Uint8Array(SMALL);
  const large = new Set<number>();
  let distinct = 0;
  for (let r = 0; r < runs.count; r++) {
    const code = runLabel[r];
    if (code >= 0 && code < SMALL) {
      if (small[code] === 1) continue;
      small[code] = 1;
    } else {
      if (code === -1 || large.has(code)) continue;
      // Negative labels: the thorough scan names every value and its voxel count.
      if (code < -1) assertLabelMap(labels, { source });
      large.add(code);
    }
    if (++distinct > maxLabels) {
      let row = 0;
      while (rowPtr[row + 1] <= r) row++;
      throw new RangeError(`${source}: label ${code} (voxel ${row * nx + runStart[r]}) is distinct label number ${distinct}, over the limit of ${maxLabels} distinct labels`);
    }
  }
  const codes: number[] = [];
  for (let c = 0; c < SMALL; c++) if (small[c] === 1) codes.push(c);
  codes.push(...[...large].sort((a, b) => a - b));
  return codes;
}

/** A copy of `runs` whose labels are indices into `codes` (−1 stays −1); `runs` itself when codes are 0 … K−1. */
function encodeRuns(runs: LabelRuns, codes: number[]): LabelRuns {
  // Every code is its own index in maps whose labels are all present (AAL: 0 … 116), and the copy would be the same.
  if (codes.every((c, i) => c === i)) return runs;
  const table = new Int32Array(SMALL).fill(-1);
  const map = new Map<number, number>();
  codes.forEach((c, i) => (c < SMALL ? (table[c] = i) : map.set(c, i)));
  const runLabel = new Int32Array(runs.count);
  const source = runs.runLabel;
  for (let r = 0; r < runs.count; r++) {
    const code = source[r];
    runLabel[r] = code >= 0 && code < SMALL ? table[code] : code === -1 ? -1 : map.get(code)!;
  }
  return { ...runs, runLabel };
}
