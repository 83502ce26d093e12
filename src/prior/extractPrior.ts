import { assertPriorOptions } from './assertPriorOptions.js';
import { countExams, type CountExamsOptions } from './countExams.js';
import type { ExamFile } from './findExams.js';
import { resolveNeighbourhood } from './neighbourhood.js';
import { priorFromExamCounts, type ExtractPriorResult, type PriorFromExamCountsOptions } from './priorFromExamCounts.js';

export type { ExtractPriorResult } from './priorFromExamCounts.js';

/** Options of {@link extractPrior}: how exams are counted and how the prior is built from the counts. */
export interface ExtractPriorOptions extends Omit<CountExamsOptions, 'hash'>, PriorFromExamCountsOptions {}

/**
 * Extract the adjacency prior of a set of annotated label maps (METHOD.md §1): count ordered neighbour pairs in
 * every exam (`countExams`) and build the prior from the exact sums (`priorFromExamCounts`).
 *
 * @param exams - label maps (3D NIfTI), e.g. from `findExams`.
 * @throws Error naming the exam file that cannot be read or holds invalid labels; RangeError for invalid options
 *   (checked before any exam is read) or a prior over `PRIOR_LIMITS`.
 */
export async function extractPrior(exams: readonly ExamFile[], options: ExtractPriorOptions = {}): Promise<ExtractPriorResult> {
  if (exams.length === 0) throw new Error('extractPrior: no exams given, expected at least one label map');
  resolveNeighbourhood(options);
  assertPriorOptions(exams.length, options);
  const sums = await countExams(exams, options);
  return priorFromExamCounts(sums, options);
}
