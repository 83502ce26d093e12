import type { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import { labelCodes } from '../prior/labelCodes.js';
import type { Volume } from '../volume/Volume.js';
import { averageSurfaceDistance } from './averageSurfaceDistance.js';
import { checkSegmentation, type CheckSegmentationOptions, type CheckSegmentationResult } from './checkSegmentation.js';
import { hausdorff95 } from './hausdorff95.js';
import { surfaceDistances } from './surfaceDistances.js';

/** Options of {@link evaluateSegmentation}. */
export interface EvaluateSegmentationOptions {
  /** Label codes to evaluate. Default: every code ≥ 0 present in either map, background excluded (see `background`). */
  labels?: readonly number[];
  /** Whether the default label list includes the background label. @default 'exclude' */
  background?: 'exclude' | 'include';
  /** Code of the background. @default 0 */
  backgroundLabel?: number;
  /** Percentile of the Hausdorff distance. @default 95 */
  percentile?: number;
  /** When given, the prediction is also checked against it (`checkSegmentation`). */
  prior?: AdjacencyPrior;
  /** Options of that check (neighbourhood, names of unknown labels). */
  check?: CheckSegmentationOptions;
  /** Structure names by code (the prior's names are used first when a prior is given). */
  names?: ReadonlyMap<number, string>;
  /** Names of the two inputs in error messages. */
  source?: { prediction?: string; truth?: string };
}

/** Scores of one label. */
export interface LabelEvaluation {
  label: number;
  name: string;
  /** Voxels with this label in the prediction and in the truth. */
  predictionVoxels: number;
  truthVoxels: number;
  /** Dice in [0, 1]; 0 when the label is missing from one map; null when it is in neither. */
  dice: number | null;
  /** 95th-percentile Hausdorff distance (MONAI's definition, see `hausdorff95`), mm; null when missing from either map. */
  hausdorff95Mm: number | null;
  /** Average symmetric surface distance (see `averageSurfaceDistance`), mm; null when missing from either map. */
  assdMm: number | null;
  /** `'ok'`, or which map lacks the label. */
  status: 'ok' | 'missing-in-prediction' | 'missing-in-truth' | 'absent';
}

/** Result of {@link evaluateSegmentation}. */
export interface EvaluateSegmentationResult {
  /** One entry per evaluated label, ascending code. */
  labels: LabelEvaluation[];
  /** Means over the labels with a value (null when none): missing structures count 0 in Dice, nothing in distances. */
  meanDice: number | null;
  meanHausdorff95Mm: number | null;
  meanAssdMm: number | null;
  /** The prediction's abnormal-adjacency report, when a prior was given. */
  check: CheckSegmentationResult | null;
}

/**
 * Compare a predicted label map with the truth, label by label: Dice, 95th-percentile Hausdorff distance and
 * average symmetric surface distance in millimetres (spacing-aware, exact EDT), and, with a prior, the
 * abnormal-adjacency check of the prediction. A pure function (MONAI's `compute_*` pattern): summaries over cases
 * are `summarizeEvaluations`.
 *
 * Conventions: the surface of a label is its voxels with a face neighbour of another label or on the grid border;
 * HD95 is the larger of the two directed 95th percentiles (MONAI); a label missing from the prediction (or the
 * truth) scores Dice 0 and null distances; voxels labelled −1 belong to no label. Each label's distance transforms
 * run on the bounding box of the label in both maps, which gives the same distances as the full grid.
 *
 * @param prediction - 3D label map.
 * @param truth - 3D label map on the same grid.
 * @throws RangeError when the grids (dims) or affines differ (beyond 1e-4 relative), for 4D volumes, and for
 *   invalid label values (non-integer, NaN, below −1) or more distinct labels than `PRIOR_LIMITS.maxLabels` in
 *   either map (via `labelCodes`). Memory follows the labels present, not their codes.
 */
export function evaluateSegmentation(prediction: Volume, truth: Volume, options: EvaluateSegmentationOptions = {}): EvaluateSegmentationResult {
  const predName = options.source?.prediction ?? 'prediction';
  const truthName = options.source?.truth ?? 'truth';
  assertSameGrid(prediction, truth, predName, truthName);
  const [nx, ny, nz] = truth.dims;
  const plane = nx * ny;
  const pred = prediction.data;
  const tru = truth.data;
  if (options.labels) {
    for (const c of options.labels) {
      if (!Number.isSafeInteger(c) || c < 0) throw new RangeError(`evaluateSegmentation: label ${c} requested, expected integers ≥ 0`);
    }
  }

  // Voxel counts, intersections and bounding boxes per label present, indexed 0 … K−1 (codes mapped first, so
  // memory follows the labels present whatever their codes).
  const present = [
    ...new Set([...labelCodes(pred, { source: predName }).codes, ...labelCodes(tru, { source: truthName }).codes, ...(options.labels ?? [])]),
  ].sort((a, b) => a - b);
  const size = present.length;
  const small = new Int32Array(1 << 16).fill(-1);
  const large = new Map<number, number>();
  present.forEach((c, i) => (c < 1 << 16 ? (small[c] = i) : large.set(c, i)));
  const at = (code: number) => (code < 1 << 16 ? small[code] : large.get(code)!);
  const pCount = new Float64Array(size);
  const tCount = new Float64Array(size);
  const both = new Float64Array(size);
  const box = new Int32Array(6 * size);
  for (let c = 0; c < size; c++) box.set([nx, ny, nz, -1, -1, -1], 6 * c);
  const grow = (c: number, i: number, j: number, k: number) => {
    const o = 6 * c;
    if (i < box[o]) box[o] = i;
    if (j < box[o + 1]) box[o + 1] = j;
    if (k < box[o + 2]) box[o + 2] = k;
    if (i > box[o + 3]) box[o + 3] = i;
    if (j > box[o + 4]) box[o + 4] = j;
    if (k > box[o + 5]) box[o + 5] = k;
  };
  for (let k = 0, v = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      let lastP = -2;
      let lastT = -2;
      let pi = -1;
      let ti = -1;
      for (let i = 0; i < nx; i++, v++) {
        const p = pred[v];
        const t = tru[v];
        if (p >= 0) {
          // Only run starts and ends can move a box along x; the row's j and k are the same for the whole run.
          if (p !== lastP) {
            pi = at(p);
            grow(pi, i, j, k);
          } else if (i === nx - 1 || pred[v + 1] !== p) grow(pi, i, j, k);
          pCount[pi]++;
        }
        if (t >= 0) {
          if (t !== lastT) {
            ti = at(t);
            grow(ti, i, j, k);
          } else if (i === nx - 1 || tru[v + 1] !== t) grow(ti, i, j, k);
          tCount[ti]++;
          if (p === t) both[ti]++;
        }
        lastP = p;
        lastT = t;
      }
    }
  }

  const background = options.backgroundLabel ?? 0;
  let codes: number[];
  if (options.labels) {
    codes = [...new Set(options.labels)].sort((a, b) => a - b);
  } else {
    codes = present.filter((c) => {
      const e = at(c);
      if (pCount[e] + tCount[e] === 0) return false;
      return !(c === background && (options.background ?? 'exclude') === 'exclude');
    });
  }

  const nameOf = (code: number): string => {
    const prior = options.prior;
    if (prior) {
      const i = prior.indexOfLabel(code);
      if (i >= 0 && prior.names[i]) return prior.names[i]!;
    }
    return options.names?.get(code) ?? `label ${code}`;
  };

  const spacingMm = truth.spacingMm;
  const labels: LabelEvaluation[] = codes.map((code) => {
    const e = at(code);
    const p = pCount[e];
    const t = tCount[e];
    const base = { label: code, name: nameOf(code), predictionVoxels: p, truthVoxels: t };
    if (p === 0 || t === 0) {
      const status = p === 0 && t === 0 ? 'absent' : p === 0 ? 'missing-in-prediction' : 'missing-in-truth';
      return { ...base, dice: p + t === 0 ? null : 0, hausdorff95Mm: null, assdMm: null, status };
    }
    const o = 6 * e;
    const [i0, j0, k0, i1, j1, k1] = box.subarray(o, o + 6);
    const bx = i1 - i0 + 1;
    const by = j1 - j0 + 1;
    const bz = k1 - k0 + 1;
    const a = new Uint8Array(bx * by * bz);
    const b = new Uint8Array(bx * by * bz);
    for (let k = 0, w = 0; k < bz; k++) {
      for (let j = 0; j < by; j++) {
        const v0 = i0 + (j0 + j) * nx + (k0 + k) * plane;
        for (let i = 0; i < bx; i++, w++) {
          a[w] = pred[v0 + i] === code ? 1 : 0;
          b[w] = tru[v0 + i] === code ? 1 : 0;
        }
      }
    }
    const distances = surfaceDistances(a, b, [bx, by, bz], { spacingMm });
    return {
      ...base,
      dice: (2 * both[e]) / (p + t),
      hausdorff95Mm: hausdorff95(distances, { percentile: options.percentile ?? 95 }),
      assdMm: averageSurfaceDistance(distances),
      status: 'ok' as const,
    };
  });

  const mean = (values: Array<number | null>): number | null => {
    const xs = values.filter((x): x is number => x !== null);
    return xs.length === 0 ? null : xs.reduce((s, x) => s + x, 0) / xs.length;
  };
  return {
    labels,
    meanDice: mean(labels.map((l) => l.dice)),
    meanHausdorff95Mm: mean(labels.map((l) => l.hausdorff95Mm)),
    meanAssdMm: mean(labels.map((l) => l.assdMm)),
    check: options.prior ? checkSegmentation(prediction, options.prior, { source: predName, ...options.check }) : null,
  };
}

/** @throws RangeError naming both inputs when their grids or affines differ. */
function assertSameGrid(a: Volume, b: Volume, aName: string, bName: string): void {
  if (a.frames !== 1 || b.frames !== 1) {
    const [name, frames] = a.frames !== 1 ? [aName, a.frames] : [bName, b.frames];
    throw new RangeError(`evaluateSegmentation: ${name} has ${frames} frames, expected a single 3D label map`);
  }
  if (a.dims.some((d, i) => d !== b.dims[i])) {
    throw new RangeError(`evaluateSegmentation: ${aName} is ${a.dims.join('×')} voxels but ${bName} is ${b.dims.join('×')}, expected the same grid`);
  }
  for (let t = 0; t < 12; t++) {
    const x = a.affine[t];
    const y = b.affine[t];
    if (Math.abs(x - y) > 1e-4 * Math.max(1, Math.abs(x), Math.abs(y))) {
      const row = (m: Float64Array) => `[${Array.from(m.subarray(0, 12), (v) => +v.toFixed(4)).join(', ')}]`;
      throw new RangeError(`evaluateSegmentation: ${aName} and ${bName} have different affines (${row(a.affine)} vs ${row(b.affine)}), expected the same voxel→world mapping`);
    }
  }
}
