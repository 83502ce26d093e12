/**
 * The kind of a quantitative chart axis for these values: logarithmic once they span more than two decades, so that
 * small values are not crushed against the axis by large ones, else linear.
 *
 * Zeros cannot sit on a log axis. When some value is 0 the span is measured from 1 (the values are counts such as
 * forbidden contacts, where 1 is the smallest non-zero step) and a wide span gets `'log1p'`: a log axis of 1 + value,
 * which puts 0 at the axis' origin and keeps the usual log ticks (Vega's symlog scale would too, but its ticks are
 * unreadable: 0k, 5k, 10k, 25k).
 *
 * @param values - the values the axis shows (non-finite ones are ignored).
 * @returns `'linear'` when the finite values are empty, include a negative value or span at most 100×; otherwise
 *   `'log'` (all positive) or `'log1p'` (some zero).
 */
export function chartScaleType(values: readonly number[]): 'linear' | 'log' | 'log1p' {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0 || finite.some((v) => v < 0)) return 'linear';
  const hasZero = finite.some((v) => v === 0);
  const positive = finite.filter((v) => v > 0);
  if (positive.length === 0) return 'linear';
  const lo = hasZero ? 1 : Math.min(...positive);
  const hi = Math.max(...positive);
  if (!(hi / lo > 100)) return 'linear';
  return hasZero ? 'log1p' : 'log';
}
