import type { Volume } from '../volume/Volume.js';
import type { LabelRuns } from './labelRuns.js';

/**
 * Above this many distinct values a map is refused as implausible: the largest brain parcellations in use stay far
 * below (AAL 117 labels, FreeSurfer aparc.a2009s+aseg ≈ 190, the macaque INIA19 NeuroMaps 725, Schaefer 1 000 or
 * Lausanne scale 5 ≈ 1 030 with subcortical structures), while a 12- or 16-bit MR image holds thousands of grey
 * levels. It is also under `PRIOR_LIMITS.maxLabels` (4 096), so the refusal comes with the reason before the limit.
 */
export const MAX_PLAUSIBLE_LABELS = 2000;

/**
 * Above this share of differing x-neighbours (among pairs with a voxel ≠ 0) a map is not piecewise constant, which
 * every label map is: measured on the bundled data, label maps at 1 mm lie at 0.09–0.25 (AAL 0.11, HarvardOxford
 * 0.09, JHU 0.25, INIA19 0.19) and images at 0.91 (Colin27 T1, 8-bit, 249 grey levels) to 1.00 (INIA19 T1).
 */
export const MAX_PLAUSIBLE_EDGE_SHARE = 0.75;

/** The piecewise-constancy test only applies with more than this many distinct values (a noisy binary mask is still a mask). */
const MIN_LABELS_FOR_EDGE_TEST = 16;

/** Options of {@link assertPlausibleLabelMap}. */
export interface AssertPlausibleLabelMapOptions {
  /**
   * Accept a float datatype holding whole numbers, and a map that looks like an image (too many distinct values,
   * not piecewise constant): `--allow-float-labels`. Non-whole values are refused whatever this says. @default false
   */
  allowFloatLabels?: boolean;
  /** File name named in the error. */
  source?: string;
  /**
   * The runs of `volume.data` as `labelRuns(data, dims)` gives them (codes, no `encode`), when the caller has them:
   * for integer data the statistics are then read from the runs (~200 000 for a 1 mm brain) instead of the voxels
   * (7 million). Ignored for float data, whose every voxel is checked to be whole.
   */
  runs?: LabelRuns;
}

/** What {@link assertPlausibleLabelMap} measured. */
export interface PlausibleLabelMapStats {
  /** Distinct values, counted up to `MAX_PLAUSIBLE_LABELS + 1`. */
  distinctValues: number;
  /** Share of x-neighbour voxel pairs (with a voxel ≠ 0) whose values differ, in [0, 1]. */
  edgeShare: number;
  /** Whether the file's datatype is float32 or float64 (integers scaled by `scl_slope` are not). */
  floatData: boolean;
}

/**
 * Refuse what is not plausibly a label map before it is checked or counted (issue 16): a T1 image given by mistake
 * would otherwise give thousands of meaningless "pairs". Refused, with one line naming the file, what was found
 * and the override:
 *
 * 1. a non-whole value (always: it cannot be a label);
 * 2. a map that looks like an image: more than {@link MAX_PLAUSIBLE_LABELS} distinct values, or more than
 *    16 distinct values with over {@link MAX_PLAUSIBLE_EDGE_SHARE} of x-neighbours differing (override:
 *    `allowFloatLabels`);
 * 3. a float datatype (float32, float64) holding whole numbers (override: `allowFloatLabels`): label tools write
 *    integer types, and a float map is more often an image, a probability map or a resampled (interpolated) map than
 *    labels. An integer datatype scaled by `scl_slope` / `scl_inter` to whole numbers is accepted.
 *
 * Cost: one pass over the voxels, with a Set insertion only where the value changes (a 1 mm AAL brain: 120–170 ms on
 * a loaded 2-core machine, where its check took 700 ms).
 *
 * @param volume - the map as read (`data` x fastest; `header.datatype` and `header.sclSlope` say how it was stored).
 * @throws RangeError naming the source, what was found and `--allow-float-labels` when the override applies.
 */
export function assertPlausibleLabelMap(
  volume: Pick<Volume, 'data' | 'dims' | 'header'>,
  options: AssertPlausibleLabelMapOptions = {},
): PlausibleLabelMapStats {
  const source = options.source ?? 'label map';
  const { data } = volume;
  const nx = volume.dims[0];
  // Integers scaled by scl_slope / scl_inter are read as floats; they are whole-checked below but count as an integer
  // datatype: the file says it stores integers.
  const floatValues = data instanceof Float32Array || data instanceof Float64Array;
  const floatData = volume.header.datatype === 'float32' || volume.header.datatype === 'float64';
  const { runs } = options;
  if (runs !== undefined && runs.dims.some((n, axis) => n !== volume.dims[axis])) {
    throw new RangeError(`assertPlausibleLabelMap: runs of a ${runs.dims.join('×')} grid for the ${volume.dims.join('×')} map ${source}`);
  }
  const { distinct, edges, pairs } = floatValues || runs === undefined ? scanVoxels(data, nx, source, floatValues) : scanRuns(runs);
  const stats: PlausibleLabelMapStats = { distinctValues: distinct, edgeShare: pairs > 0 ? edges / pairs : 0, floatData };
  if (options.allowFloatLabels) return stats;
  const override = '--allow-float-labels reads it as labels anyway';
  const stored = volume.header.datatype + (floatValues && !floatData ? ` scaled by scl_slope ${volume.header.sclSlope}, scl_inter ${volume.header.sclInter}` : '');
  if (distinct > MAX_PLAUSIBLE_LABELS) {
    throw new RangeError(
      `${source}: more than ${MAX_PLAUSIBLE_LABELS} distinct values (${stored}), implausibly many for a label map (is this an image, e.g. a T1?); ${override}`,
    );
  }
  if (distinct > MIN_LABELS_FOR_EDGE_TEST && stats.edgeShare > MAX_PLAUSIBLE_EDGE_SHARE) {
    throw new RangeError(
      `${source}: ${distinct} distinct values and ${Math.round(100 * stats.edgeShare)} % of neighbouring voxels differ (${stored}); ` +
        `a label map is piecewise constant (≤ ${Math.round(100 * MAX_PLAUSIBLE_EDGE_SHARE)} %): is this an image, e.g. a T1?; ${override}`,
    );
  }
  if (floatData) {
    throw new RangeError(`${source}: stored as ${stored}, expected an integer datatype for a label map (its ${distinct} values are whole numbers); ${override}`);
  }
  return stats;
}

/** Distinct values (counted up to `MAX_PLAUSIBLE_LABELS + 1`), differing x-neighbours and x-neighbour pairs with a voxel ≠ 0. */
interface EdgeCounts {
  distinct: number;
  edges: number;
  pairs: number;
}

function scanVoxels(data: Volume['data'], nx: number, source: string, floatValues: boolean): EdgeCounts {
  const distinct = new Set<number>();
  let edges = 0;
  let pairs = 0;
  let previous = NaN;
  for (let v = 0; v < data.length; v++) {
    const x = data[v];
    if (floatValues && !Number.isInteger(x)) {
      throw new RangeError(`${source}: voxel ${v} holds ${String(x)}, expected an integer label (is this an image rather than a label map?)`);
    }
    // Only where the value changes: a label map is long runs, and a Set insertion per voxel tripled the cost.
    if (x !== previous) {
      if (distinct.size <= MAX_PLAUSIBLE_LABELS) distinct.add(x);
      previous = x;
    }
    if ((v % nx) + 1 < nx) {
      const y = data[v + 1];
      if (x !== 0 || y !== 0) {
        pairs++;
        if (x !== y) edges++;
      }
    }
  }
  return { distinct: distinct.size, edges, pairs };
}

/**
 * The same counts from the runs: every run boundary inside a row is one differing x-neighbour pair, and of a row's
 * `nx − 1` pairs only those inside a run of 0 have both voxels 0.
 */
function scanRuns(runs: LabelRuns): EdgeCounts {
  const [nx, ny, nz] = runs.dims;
  const { rowPtr, runStart, runLabel } = runs;
  const rows = ny * nz;
  // Codes 0 … 65535 (every 8-bit and most 16-bit atlases) are ticked in a table, a Set takes the others: a Set
  // insertion per label change was most of this scan's 5 ms on AAL. As in scanVoxels, the count stops past the limit.
  const seen = new Uint8Array(1 << 16);
  let small = 0;
  const others = new Set<number>();
  let zeroPairs = 0;
  let previous = NaN;
  for (let row = 0; row < rows; row++) {
    const end = rowPtr[row + 1];
    for (let r = rowPtr[row]; r < end; r++) {
      const x = runLabel[r];
      if (x === 0) zeroPairs += (r + 1 < end ? runStart[r + 1] : nx) - runStart[r] - 1;
      if (x !== previous) {
        if (x >= 0 && x < 1 << 16) {
          if (seen[x] === 0) {
            seen[x] = 1;
            small++;
          }
        } else if (small + others.size <= MAX_PLAUSIBLE_LABELS) others.add(x);
        previous = x;
      }
    }
  }
  const distinct = Math.min(small + others.size, MAX_PLAUSIBLE_LABELS + 1);
  return { distinct, edges: runs.count - rows, pairs: rows * (nx - 1) - zeroPairs };
}
