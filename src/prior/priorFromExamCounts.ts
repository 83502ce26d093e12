import { AdjacencyPrior, type PriorExam } from './AdjacencyPrior.js';
import type { ExamCounts } from './ExamCounts.js';
import { assertPriorOptions } from './assertPriorOptions.js';
import { PRIOR_LIMITS } from './PRIOR_LIMITS.js';

/** Options of {@link priorFromExamCounts}: how labels are handled when the prior is built. */
export interface PriorFromExamCountsOptions {
  /** Number of labels `L` (rows are codes `0 … L−1`). Default: the largest label present + 1. */
  numLabels?: number;
  /** Rows for the labels present only, ascending (codes kept in `prior.labels`); see `ExtractPriorOptions.contiguous`. */
  contiguous?: boolean;
  /** Structure names by label code. */
  names?: ReadonlyMap<number, { name: string }>;
  /**
   * A pair is allowed only when it touches in at least this many exams; the counts of rarer pairs are set to 0
   * (forbidden), so one noisy annotation does not allow a pair forever. A label whose every pair is dropped is then
   * empty, as if it never occurred. @default 1 (every contact counts, the reference's rule)
   */
  minExams?: number;
  /** Recorded in the prior, e.g. `nonadj 0.1.0`. */
  tool?: string;
}

/** Result of {@link priorFromExamCounts} (and of `extractPrior`). */
export interface ExtractPriorResult {
  prior: AdjacencyPrior;
  /** Number of labels counted (`L`, before any relabelling). */
  numLabels: number;
  /** True when `numLabels` was not given and was taken as the largest label + 1. */
  numLabelsInferred: boolean;
  /**
   * Label codes 0 … `numLabels`−1 (before any relabelling) that never occur in any exam, or occur with no
   * neighbour pair: their rows are empty. Ascending, at most the first 1 000 (see `emptyLabelCount`).
   */
  emptyLabels: number[];
  /** How many such codes there are. */
  emptyLabelCount: number;
  /** Unordered pairs (the diagonal included) that touch in some exam but in fewer than `minExams`: made forbidden. */
  pairsBelowMinExams: number;
}

/**
 * Build the prior from counts summed over exams (`countExams`, or partial counts summed by `sumExamCounts`): one
 * function for both, so that `nonadj merge` writes byte for byte the `graph.json` one `extract` run writes.
 *
 * @throws RangeError for an invalid `numLabels` or `minExams`, more distinct labels than `PRIOR_LIMITS.maxLabels`,
 *   or (without `contiguous`) a largest code that needs a dense prior over the limit, naming the exam that holds it.
 */
export function priorFromExamCounts(sums: ExamCounts, options: PriorFromExamCountsOptions = {}): ExtractPriorResult {
  const { numLabels } = options;
  const minExams = options.minExams ?? 1;
  const limit = PRIOR_LIMITS.maxLabels;
  assertPriorOptions(sums.exams.length, options);
  const union = sums.labels;
  const U = union.length;
  if (U > limit) throw new RangeError(`extractPrior: the exams hold ${U} distinct labels, over the limit of ${limit}`);
  let maxCode = -1;
  let maxCodeFile = '';
  for (const e of sums.exams) if (e.maxLabel > maxCode) [maxCode, maxCodeFile] = [e.maxLabel, e.file];
  const L = numLabels ?? maxCode + 1;
  if (L < 1) throw new RangeError(`extractPrior: every voxel of every exam is -1 (ignored), expected at least one label`);
  // Rows: every code 0 … L−1, or (contiguous) only the labels present, so that memory follows the labels present
  // and not their codes.
  const codes = options.contiguous ? union : null;
  const K = codes ? U : L;
  if (!codes && L > limit) {
    throw new RangeError(
      `extractPrior: label ${maxCode} in ${maxCodeFile} needs a ${L}×${L} prior (codes 0 … ${L - 1}), over the limit of ${limit} labels; ` +
        `relabel to the ${U} labels present with --contiguous (contiguous: true)`,
    );
  }
  const counts = new Float64Array(K * K);
  let pairsBelowMinExams = 0;
  for (let a = 0; a < U; a++) {
    const row = (codes ? a : union[a]) * K;
    for (let b = 0; b < U; b++) {
      let c = sums.counts[a * U + b];
      if (c > 0 && sums.examCounts[a * U + b] < minExams) {
        c = 0;
        if (a <= b) pairsBelowMinExams++;
      }
      counts[row + (codes ? b : union[b])] = c;
    }
  }
  const priorExams: PriorExam[] = sums.exams.map((e) => ({ id: e.id, file: e.file, dims: e.dims, spacingMm: e.spacingMm }));
  const rowCodes = codes ?? Array.from({ length: L }, (_, code) => code);
  const names = rowCodes.map((code) => options.names?.get(code)?.name ?? null);
  const meta = { connectivity: sums.connectivity, radius: sums.radius, labels: rowCodes, names, exams: priorExams, tool: options.tool, minExams };
  let prior = AdjacencyPrior.fromCounts(counts, meta);
  const emptyRows = prior.emptyRows().map((i) => prior.labels[i]);
  // Codes 0 … L−1 that no exam holds (with contiguous, the gaps between the codes present), listed up to a bound:
  // with codes up to 2^31 the full list would not fit in memory.
  const present = new Set(union);
  const emptyLabelCount = L - U + emptyRows.filter((c) => present.has(c)).length;
  const emptyLabels: number[] = [];
  if (codes) {
    const isolated = new Set(emptyRows);
    let c = 0;
    for (const code of [...codes, L]) {
      for (; c < code && emptyLabels.length < EMPTY_LABELS_LISTED; c++) emptyLabels.push(c);
      if (emptyLabels.length >= EMPTY_LABELS_LISTED) break;
      if (isolated.has(code)) emptyLabels.push(code);
      c = code + 1;
    }
  } else {
    emptyLabels.push(...emptyRows.slice(0, EMPTY_LABELS_LISTED));
  }
  if (options.contiguous) prior = prior.contiguous();
  return { prior, numLabels: L, numLabelsInferred: numLabels === undefined, emptyLabels, emptyLabelCount, pairsBelowMinExams };
}

/** At most this many codes are listed in `ExtractPriorResult.emptyLabels`. */
const EMPTY_LABELS_LISTED = 1000;
