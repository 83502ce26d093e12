import { PRIOR_LIMITS } from './PRIOR_LIMITS.js';

/**
 * Check the label-handling options of a prior before any exam is read, so a bad value fails in milliseconds and not
 * after minutes of counting (`extractPrior`, `extract --shard`), and again when the prior is built.
 *
 * @param examCount - number of exams the prior will sum (bounds `minExams`); `undefined` when not known yet (a shard).
 * @throws RangeError naming the option, its value and what was expected.
 */
export function assertPriorOptions(examCount: number | undefined, options: { numLabels?: number; contiguous?: boolean; minExams?: number }): void {
  const { numLabels, minExams = 1 } = options;
  if (numLabels !== undefined && (!Number.isInteger(numLabels) || numLabels < 1)) {
    throw new RangeError(`nb_labels is ${numLabels}, expected a positive integer`);
  }
  if (numLabels !== undefined && !options.contiguous && numLabels > PRIOR_LIMITS.maxLabels) {
    throw new RangeError(
      `nb_labels is ${numLabels}, over the limit of ${PRIOR_LIMITS.maxLabels} labels of a dense prior; relabel to the labels present with --contiguous (contiguous: true)`,
    );
  }
  if (!Number.isInteger(minExams) || minExams < 1) throw new RangeError(`min-exams is ${minExams}, expected a positive integer`);
  if (examCount !== undefined && minExams > examCount) {
    throw new RangeError(`min-exams is ${minExams} but there are ${examCount} exam(s): no pair could be allowed; expected at most ${examCount}`);
  }
}
