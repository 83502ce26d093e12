/**
 * The q-th percentile with linear interpolation between order statistics, as `numpy.percentile` computes it by
 * default (`method='linear'`): the value at rank `(n − 1)·q / 100` of the sorted sample.
 *
 * @param values - the sample (not modified).
 * @param q - percentile in `[0, 100]`.
 * @throws RangeError for an empty sample or q outside `[0, 100]`.
 * @example percentile([1, 2, 3, 4], 50) === 2.5
 */
export function percentile(values: ArrayLike<number>, q: number): number {
  if (values.length === 0) throw new RangeError('percentile: empty sample');
  if (!(q >= 0 && q <= 100)) throw new RangeError(`percentile: q is ${q}, expected a number in [0, 100]`);
  const sorted = Float64Array.from(values).sort();
  const rank = ((sorted.length - 1) * q) / 100;
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}
