import type { BootstrapInterval } from '../stats/bootstrapPairedDifference.js';
import { formatSigned } from './formatSigned.js';

/** Options of {@link formatInterval}. */
export interface FormatIntervalOptions {
  /** Digits after the decimal point. */
  digits: number;
  /** Factor applied to the estimate and bounds before printing (100: a fraction as percent). @default 1 */
  scale?: number;
}

/**
 * A paired difference with its confidence interval as the demo's tables print it: `−1.00 [−1.40, −0.60]` (signed,
 * fixed digits, see `formatSigned`). When the interval contains 0 the cell reads `no detectable difference
 * [−0.50, +0.10]`: the data do not resolve the sign, so the point estimate is not printed (a signed number alone
 * would be read as an effect). Whether it contains 0 is the interval's own `containsZero` (computed on the unrounded
 * bounds).
 *
 * @param interval - the estimate and its bounds (null, e.g. a relative change against a control mean of 0, prints `–`).
 * @example formatInterval({ estimate: -0.8, low: -0.9, high: -0.7, containsZero: false, resamples: 2000 }, { digits: 0, scale: 100 }); // '−80 [−90, −70]'
 */
export function formatInterval(interval: BootstrapInterval | null | undefined, options: FormatIntervalOptions): string {
  if (!interval) return '–';
  const k = options.scale ?? 1;
  const bounds = `[${formatSigned(k * interval.low, options.digits)}, ${formatSigned(k * interval.high, options.digits)}]`;
  return interval.containsZero ? `no detectable difference ${bounds}` : `${formatSigned(k * interval.estimate, options.digits)} ${bounds}`;
}
