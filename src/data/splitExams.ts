import { seededRandom } from '../numeric/seededRandom.js';

/** Options of {@link splitExams}. */
export interface SplitExamsOptions {
  /** Validation exams: a count (integer ≥ 1, or 0) or a fraction in `(0, 1)` of the dataset (rounded, at least 1). @default 0 */
  validation?: number;
  /** Test exams, same form as `validation`. @default 0 */
  test?: number;
  /** Seed of the shuffle (see `seededRandom`). */
  seed: number;
}

/** Result of {@link splitExams}: three disjoint lists whose union is the input, each in input order. */
export interface SplitExamsResult<T> {
  train: T[];
  validation: T[];
  test: T[];
}

/**
 * Split exams into training, validation and test sets, deterministically: the same exams (in the same order) and
 * seed always give the same split. The exams are shuffled with the seed; test takes the first ones, validation
 * the next ones, training the rest; each list keeps the input order.
 *
 * @throws RangeError when a size is negative, fractional ≥ 1, or not an integer, or when the dataset has fewer
 *   exams than the split needs (at least one training exam plus the validation and test exams).
 */
export function splitExams<T>(exams: readonly T[], options: SplitExamsOptions): SplitExamsResult<T> {
  const n = exams.length;
  const count = (name: string, v: number | undefined): number => {
    if (v === undefined || v === 0) return 0;
    if (v > 0 && v < 1) return Math.max(1, Math.round(v * n));
    if (Number.isInteger(v) && v >= 1) return v;
    throw new RangeError(`splitExams: ${name} is ${v}, expected an exam count (integer ≥ 0) or a fraction in (0, 1)`);
  };
  const nVal = count('validation', options.validation);
  const nTest = count('test', options.test);
  if (n < nVal + nTest + 1) {
    throw new RangeError(`splitExams: the dataset has ${n} exam${n === 1 ? '' : 's'}, expected at least ${nVal + nTest + 1} (${nVal} validation + ${nTest} test + 1 training)`);
  }
  const order = seededRandom(options.seed).shuffle([...Array(n).keys()]);
  const part = new Int8Array(n); // 0 train, 1 validation, 2 test
  order.forEach((e, rank) => (part[e] = rank < nTest ? 2 : rank < nTest + nVal ? 1 : 0));
  const result: SplitExamsResult<T> = { train: [], validation: [], test: [] };
  exams.forEach((e, i) => (part[i] === 2 ? result.test : part[i] === 1 ? result.validation : result.train).push(e));
  return result;
}
