import { seededRandom } from '../numeric/seededRandom.js';

/** One cell of a seeds × subjects experiment: the arm's value and its matched control's, same seed and subject. */
export interface PairedCell {
  /** Training seed (or any replicate id) of the cell. */
  seed: string | number;
  /** Test subject of the cell. */
  subject: string | number;
  /** Value of the arm (e.g. forbidden contacts, Dice). Finite. */
  arm: number;
  /** Value of the matched control (same seed, same subject). Finite. */
  control: number;
}

/** Options of {@link bootstrapPairedDifference}. */
export interface BootstrapPairedDifferenceOptions {
  /** Bootstrap resamples B. @default 2000 */
  resamples?: number;
  /** Coverage of the percentile intervals, in (0, 1). @default 0.95 */
  confidence?: number;
  /** Seed of the resampling (`seededRandom`): the same seed and cells give the same intervals. @default 1 */
  seed?: number;
}

/** A point estimate with its percentile bootstrap interval. */
export interface BootstrapInterval {
  /** The statistic on the data as observed. */
  estimate: number;
  /** Percentile interval bounds (numpy's linear interpolation over the B resampled values). */
  low: number;
  high: number;
  /** `low ≤ 0 ≤ high`. */
  containsZero: boolean;
  /** Resamples on which the statistic was defined (B unless a ratio had a zero denominator). */
  resamples: number;
}

/** Result of {@link bootstrapPairedDifference}. */
export interface BootstrapPairedDifferenceResult {
  /** Distinct seeds and subjects (every seed × subject cell is present once). */
  seeds: number;
  subjects: number;
  /** Mean over cells of arm − control, with its interval. */
  meanDifference: BootstrapInterval;
  /** `(mean arm − mean control) / mean control` over cells; null when the control mean is 0. */
  relativeChange: BootstrapInterval | null;
  /**
   * Median over subjects of each subject's relative change `(Ā_j − C̄_j) / C̄_j`, Ā_j and C̄_j its means over
   * seeds; subjects with C̄_j = 0 have none and are left out (see `subjectsWithoutRelativeChange`). null when no
   * subject has one.
   */
  medianRelativeChange: BootstrapInterval | null;
  /** Subjects left out of the median because their control mean is 0. */
  subjectsWithoutRelativeChange: number;
  /** Per seed (in order of first appearance): means over subjects of the arm, the control and their difference. */
  perSeed: Array<{ seed: string | number; meanArm: number; meanControl: number; meanDifference: number }>;
  /** Whether the interval of the mean difference contains 0 (the difference is not resolved at this confidence). */
  containsZero: boolean;
}

/**
 * Paired comparison of an arm with its matched control in a replicated experiment where every training seed is
 * tested on every subject (seeds and subjects are crossed), with a two-level bootstrap: each resample draws the
 * seed set with replacement and, independently, the subject set with replacement, and takes the statistic over the
 * crossed cells of the two resampled sets (a cell counts once per copy of its seed times once per copy of its
 * subject). This carries both sources of variation — which seeds training happened to use, and which subjects the
 * test set happened to hold — into the interval; resampling cells as if independent would ignore that cells
 * sharing a seed (or a subject) are correlated and give intervals too narrow.
 *
 * Intervals are percentile intervals. With few seeds (3, say) the seed level has few distinct resamples and its
 * spread is underestimated by a factor (S − 1)/S in variance, so intervals under-cover somewhat (measured in the
 * test: see `bootstrapPairedDifference.test.ts`).
 *
 * @param cells - one entry per (seed, subject): a complete crossed design, each cell once.
 * @throws RangeError for no cells, a missing or repeated (seed, subject) cell, non-finite values, or bad options.
 * @example
 * bootstrapPairedDifference([
 *   { seed: 1, subject: 'a', arm: 2, control: 4 }, { seed: 1, subject: 'b', arm: 3, control: 5 },
 *   { seed: 2, subject: 'a', arm: 2, control: 4 }, { seed: 2, subject: 'b', arm: 3, control: 5 },
 * ]).meanDifference; // { estimate: -2, low: -2, high: -2, containsZero: false, resamples: 2000 }
 */
export function bootstrapPairedDifference(cells: readonly PairedCell[], options: BootstrapPairedDifferenceOptions = {}): BootstrapPairedDifferenceResult {
  const B = options.resamples ?? 2000;
  const confidence = options.confidence ?? 0.95;
  if (!Number.isInteger(B) || B < 1) throw new RangeError(`bootstrapPairedDifference: resamples is ${B}, expected a positive integer`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`bootstrapPairedDifference: confidence is ${confidence}, expected a number in (0, 1)`);
  if (cells.length === 0) throw new RangeError('bootstrapPairedDifference: no cells, expected one per (seed, subject)');

  const seedIds: Array<string | number> = [];
  const subjectIds: Array<string | number> = [];
  const seedIndex = new Map<string | number, number>();
  const subjectIndex = new Map<string | number, number>();
  for (const c of cells) {
    if (!seedIndex.has(c.seed)) seedIndex.set(c.seed, seedIds.push(c.seed) - 1);
    if (!subjectIndex.has(c.subject)) subjectIndex.set(c.subject, subjectIds.push(c.subject) - 1);
  }
  const S = seedIds.length;
  const J = subjectIds.length;
  // Row-major [seed][subject].
  const arm = new Float64Array(S * J).fill(NaN);
  const control = new Float64Array(S * J).fill(NaN);
  for (const c of cells) {
    if (!Number.isFinite(c.arm) || !Number.isFinite(c.control)) {
      throw new RangeError(`bootstrapPairedDifference: cell (seed ${c.seed}, subject ${c.subject}) has arm ${c.arm} and control ${c.control}, expected finite numbers`);
    }
    const t = seedIndex.get(c.seed)! * J + subjectIndex.get(c.subject)!;
    if (!Number.isNaN(arm[t])) throw new RangeError(`bootstrapPairedDifference: cell (seed ${c.seed}, subject ${c.subject}) appears twice, expected once`);
    arm[t] = c.arm;
    control[t] = c.control;
  }
  if (cells.length !== S * J) {
    const t = arm.findIndex((x) => Number.isNaN(x));
    throw new RangeError(
      `bootstrapPairedDifference: ${cells.length} cells for ${S} seeds × ${J} subjects; cell (seed ${seedIds[Math.floor(t / J)]}, subject ${subjectIds[t % J]}) is missing, expected a complete crossed design`,
    );
  }

  const seedWeights = new Float64Array(S);
  const subjectWeights = new Float64Array(J);
  const armOfSubject = new Float64Array(J);
  const controlOfSubject = new Float64Array(J);
  const relatives: number[] = [];
  /** The three statistics for the given seed and subject multiplicities. */
  const statistics = (): [number, number, number] => {
    // Per-subject sums over the (weighted) seeds, then the crossed means: cell (s, j) has weight w_s · w_j.
    let sumArm = 0;
    let sumControl = 0;
    let sumDifference = 0;
    let total = 0;
    relatives.length = 0;
    for (let j = 0; j < J; j++) {
      let a = 0;
      let c = 0;
      let d = 0;
      let w = 0;
      for (let s = 0; s < S; s++) {
        const ws = seedWeights[s];
        if (ws === 0) continue;
        a += ws * arm[s * J + j];
        c += ws * control[s * J + j];
        // Differences summed cell by cell, not as a difference of sums: exact when every cell differs by the same amount.
        d += ws * (arm[s * J + j] - control[s * J + j]);
        w += ws;
      }
      armOfSubject[j] = a;
      controlOfSubject[j] = c;
      const wj = subjectWeights[j];
      if (wj === 0) continue;
      sumArm += wj * a;
      sumControl += wj * c;
      sumDifference += wj * d;
      total += wj * w;
      // Ā_j / C̄_j: the seed weights cancel in the ratio.
      if (c !== 0) for (let k = 0; k < wj; k++) relatives.push((a - c) / c);
    }
    const meanDifference = sumDifference / total;
    const relative = sumControl === 0 ? NaN : (sumArm - sumControl) / sumControl;
    return [meanDifference, relative, relatives.length === 0 ? NaN : median(relatives)];
  };

  seedWeights.fill(1);
  subjectWeights.fill(1);
  const observed = statistics();
  const subjectsWithoutRelativeChange = controlOfSubject.filter((c) => c === 0).length;
  const perSeed = seedIds.map((seed, s) => {
    let a = 0;
    let c = 0;
    for (let j = 0; j < J; j++) {
      a += arm[s * J + j];
      c += control[s * J + j];
    }
    return { seed, meanArm: a / J, meanControl: c / J, meanDifference: (a - c) / J };
  });

  const rng = seededRandom(options.seed ?? 1);
  const draws: [number[], number[], number[]] = [[], [], []];
  for (let b = 0; b < B; b++) {
    seedWeights.fill(0);
    subjectWeights.fill(0);
    for (let s = 0; s < S; s++) seedWeights[rng.int(S)]++;
    for (let j = 0; j < J; j++) subjectWeights[rng.int(J)]++;
    const values = statistics();
    for (let q = 0; q < 3; q++) if (!Number.isNaN(values[q])) draws[q].push(values[q]);
  }
  const alpha = (1 - confidence) / 2;
  const interval = (q: number): BootstrapInterval | null => {
    if (Number.isNaN(observed[q]) || draws[q].length === 0) return null;
    const sorted = Float64Array.from(draws[q]).sort();
    const low = quantile(sorted, alpha);
    const high = quantile(sorted, 1 - alpha);
    return { estimate: observed[q], low, high, containsZero: low <= 0 && high >= 0, resamples: sorted.length };
  };
  const meanDifference = interval(0)!;
  return {
    seeds: S,
    subjects: J,
    meanDifference,
    relativeChange: interval(1),
    medianRelativeChange: interval(2),
    subjectsWithoutRelativeChange,
    perSeed,
    containsZero: meanDifference.containsZero,
  };
}

/** Median of a non-empty list (sorts it in place). */
function median(xs: number[]): number {
  xs.sort((a, b) => a - b);
  const n = xs.length;
  return n % 2 ? xs[n >> 1] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
}

/** Quantile p ∈ [0, 1] of a sorted sample with numpy's default linear interpolation. */
function quantile(sorted: Float64Array, p: number): number {
  const rank = (sorted.length - 1) * p;
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}
