import type { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import { assertLabelMap } from '../prior/assertLabelMap.js';
import { labelCodes } from '../prior/labelCodes.js';
import type { Volume } from '../volume/Volume.js';
import { averageSurfaceDistance } from './averageSurfaceDistance.js';
import type { Connectivity } from '../prior/neighbourhood.js';
import { labelRuns } from '../prior/labelRuns.js';
import { checkSegmentation, type CheckSegmentationOptions, type CheckSegmentationResult } from './checkSegmentation.js';
import { diceScore } from './diceScore.js';
import { hausdorff95 } from './hausdorff95.js';
import { runComponents } from './runComponents.js';
import { surfaceDistances } from './surfaceDistances.js';

/** Options of {@link evaluateSegmentation}. */
export interface EvaluateSegmentationOptions {
  /** Label codes to evaluate. Default: every code ≥ 0 present in either map, background excluded (see `background`). */
  labels?: readonly number[];
  /** Whether the default label list includes the background label. @default 'exclude' */
  background?: 'exclude' | 'include';
  /** Code of the background. @default 0 */
  backgroundLabel?: number;
  /** Percentile of the Hausdorff distance reported as `hausdorff95Mm`. @default 95 */
  percentile?: number;
  /** Connectivity of the connected components counted per label (6, 18 or 26). @default 26 */
  componentConnectivity?: Connectivity;
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
  /** Dice in [0, 1] (`diceScore`'s convention): 0 when the label is missing from one map; null when it is in neither. */
  dice: number | null;
  /** 95th-percentile Hausdorff distance (MONAI's definition, see `hausdorff95`), mm; null when missing from either map. */
  hausdorff95Mm: number | null;
  /**
   * Maximum (100th-percentile, classic) Hausdorff distance, mm: the farthest surface voxel of either map from the
   * other's surface, so a far-away island that HD95 hides shows here. null when missing from either map.
   */
  hausdorff100Mm: number | null;
  /** Average symmetric surface distance (see `averageSurfaceDistance`), mm; null when missing from either map. */
  assdMm: number | null;
  /**
   * Connected components of the label in the whole prediction and in the truth (connectivity
   * `componentConnectivity`); 0 when the label is absent from that map. More than one in the prediction means
   * stray fragments (unless the structure itself is in pieces in the truth).
   */
  predictionComponents: number;
  truthComponents: number;
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
  meanHausdorff100Mm: number | null;
  meanAssdMm: number | null;
  /**
   * "Extra components": mean over the labels with a Dice value of `max(0, predictionComponents − 1)`; 0 when every
   * predicted structure is in one piece. null when no label has a Dice value.
   */
  meanExtraComponents: number | null;
  /** The prediction's abnormal-adjacency report, when a prior was given. */
  check: CheckSegmentationResult | null;
}

/**
 * Compare a predicted label map with the truth, label by label: Dice (`diceScore`), 95th-percentile and maximum
 * Hausdorff distances and average symmetric surface distance in millimetres (spacing-aware, exact EDT), the number
 * of connected components in each map, and, with a prior, the abnormal-adjacency check of the prediction. A pure
 * function (MONAI's `compute_*` pattern): summaries over cases are `summarizeEvaluations`.
 *
 * Conventions: the surface of a label is its voxels with a face neighbour of another label or on the grid border;
 * HD95 is the larger of the two directed 95th percentiles (MONAI), HD100 the larger of the two directed maxima; the
 * labels, Dice and voxel counts follow `diceScore` (background excluded by default; a label in either map counts; a
 * label missing from one map scores Dice 0 and null distances); voxels whose truth is −1 are not evaluated (in
 * Dice and distances; the component counts and the check look at the whole prediction). Each label's distance
 * transforms run on the bounding box of the label in both maps, which gives the same distances as the full grid.
 *
 * @param prediction - 3D label map.
 * @param truth - 3D label map on the same grid.
 * @throws RangeError when the grids (dims) or affines differ (beyond 1e-4 relative), for 4D volumes, and for
 *   invalid label values (non-integer, NaN, below −1).
 */
export function evaluateSegmentation(prediction: Volume, truth: Volume, options: EvaluateSegmentationOptions = {}): EvaluateSegmentationResult {
  const predName = options.source?.prediction ?? 'prediction';
  const truthName = options.source?.truth ?? 'truth';
  assertSameGrid(prediction, truth, predName, truthName);
  // Tables below are indexed by label; with large codes (FreeSurfer's reach 14 175, a corrupt file 2^31) they are
  // indexed by the labels present instead, so memory follows the labels, never the largest code.
  const background = options.backgroundLabel ?? 0;
  const present = new Set([
    ...labelCodes(prediction.data, { source: predName }).codes,
    ...labelCodes(truth.data, { source: truthName }).codes,
    ...(options.labels ?? []),
    background,
  ]);
  const codes = [...present].sort((a, b) => a - b);
  if (codes[codes.length - 1] < COMPACT_ABOVE) return evaluateByCode(prediction, truth, options);
  const index = new Map(codes.map((c, i) => [c, i]));
  const compact = (v: Volume): Volume => ({ ...v, data: Int32Array.from(v.data as ArrayLike<number>, (x) => (x < 0 ? x : index.get(x)!)) });
  const names = new Map(codes.map((c, i) => [i, nameOfCode(c, options)]));
  const r = evaluateByCode(compact(prediction), compact(truth), {
    ...options,
    prior: undefined,
    names,
    labels: options.labels?.map((c) => index.get(c)!),
    backgroundLabel: index.get(background),
  });
  return {
    ...r,
    labels: r.labels.map((l) => ({ ...l, label: codes[l.label] })),
    check: options.prior ? checkSegmentation(prediction, options.prior, { source: predName, ...options.check }) : null,
  };
}

/** Label codes from this value up are evaluated through compact indices (see `evaluateSegmentation`). */
const COMPACT_ABOVE = 1 << 16;

function nameOfCode(code: number, options: EvaluateSegmentationOptions): string {
  const prior = options.prior;
  if (prior) {
    const i = prior.indexOfLabel(code);
    if (i >= 0 && prior.names[i]) return prior.names[i]!;
  }
  return options.names?.get(code) ?? `label ${code}`;
}

function evaluateByCode(prediction: Volume, truth: Volume, options: EvaluateSegmentationOptions): EvaluateSegmentationResult {
  const predName = options.source?.prediction ?? 'prediction';
  const truthName = options.source?.truth ?? 'truth';
  assertSameGrid(prediction, truth, predName, truthName);
  const [nx, ny, nz] = truth.dims;
  const plane = nx * ny;
  const pStats = assertLabelMap(prediction.data, { source: predName });
  const tStats = assertLabelMap(truth.data, { source: truthName });
  const pred = prediction.data;
  const tru = truth.data;

  const background = options.backgroundLabel ?? 0;
  for (const c of options.labels ?? []) {
    if (!Number.isInteger(c) || c < 0) throw new RangeError(`evaluateSegmentation: label ${c} requested, expected integers ≥ 0`);
  }
  // Dice, voxel counts and the default label list come from the one Dice of nonadj (its convention holds here).
  const dice = diceScore(pred, tru, {
    labels: options.labels ? [...new Set(options.labels)].sort((a, b) => a - b) : undefined,
    background: options.background,
    backgroundLabel: background,
    source: 'evaluateSegmentation',
  });
  const codes = dice.labels.map((l) => l.label);

  // Bounding boxes of every code present (codes are indices of a small table, as in diceScore); prediction voxels
  // under a truth of −1 are not evaluated, so they take no part in boxes or distances either.
  const size = Math.max(pStats.max, tStats.max, ...codes, 0) + 1;
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
      for (let i = 0; i < nx; i++, v++) {
        const t = tru[v];
        const p = t < 0 ? -1 : pred[v];
        // Only run starts and ends can move a box along x; the row's j and k are the same for the whole run.
        if (p >= 0 && (p !== lastP || i === nx - 1 || (tru[v + 1] < 0 ? -1 : pred[v + 1]) !== p)) grow(p, i, j, k);
        if (t >= 0 && (t !== lastT || i === nx - 1 || tru[v + 1] !== t)) grow(t, i, j, k);
        lastP = p;
        lastT = t;
      }
    }
  }

  const nameOf = (code: number): string => nameOfCode(code, options);

  // Components per label in each map (runs + union–find, as everywhere in metric/).
  const connectivity = options.componentConnectivity ?? 26;
  const componentsPerCode = (data: ArrayLike<number>): Float64Array => {
    const c = runComponents(labelRuns(data, truth.dims), connectivity);
    const out = new Float64Array(size);
    for (let id = 0; id < c.count; id++) if (c.labelOf[id] < size) out[c.labelOf[id]]++;
    return out;
  };
  const pComponents = componentsPerCode(pred);
  const tComponents = componentsPerCode(tru);

  const spacingMm = truth.spacingMm;
  const labels: LabelEvaluation[] = dice.labels.map((d) => {
    const code = d.label;
    const p = d.predictionVoxels;
    const t = d.truthVoxels;
    const base = {
      label: code,
      name: nameOf(code),
      predictionVoxels: p,
      truthVoxels: t,
      dice: d.dice,
      predictionComponents: pComponents[code],
      truthComponents: tComponents[code],
    };
    if (p === 0 || t === 0) {
      const status = p === 0 && t === 0 ? 'absent' : p === 0 ? 'missing-in-prediction' : 'missing-in-truth';
      return { ...base, hausdorff95Mm: null, hausdorff100Mm: null, assdMm: null, status };
    }
    const o = 6 * code;
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
          const tv = tru[v0 + i];
          a[w] = tv >= 0 && pred[v0 + i] === code ? 1 : 0;
          b[w] = tv === code ? 1 : 0;
        }
      }
    }
    const distances = surfaceDistances(a, b, [bx, by, bz], { spacingMm });
    return {
      ...base,
      hausdorff95Mm: hausdorff95(distances, { percentile: options.percentile ?? 95 }),
      hausdorff100Mm: hausdorff95(distances, { percentile: 100 }),
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
    meanDice: dice.meanDice,
    meanHausdorff95Mm: mean(labels.map((l) => l.hausdorff95Mm)),
    meanHausdorff100Mm: mean(labels.map((l) => l.hausdorff100Mm)),
    meanAssdMm: mean(labels.map((l) => l.assdMm)),
    meanExtraComponents: mean(labels.map((l) => (l.dice === null ? null : Math.max(0, l.predictionComponents - 1)))),
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
