/**
 * A mean with its standard deviation over seeds, `0.820 ± 0.004`; the mean alone when there is no spread to show (one
 * seed, or the baseline, which is one model whatever the seed).
 *
 * @param mean - the mean (null or non-finite prints `–`).
 * @param sd - its standard deviation over seeds (null: none).
 * @param seeds - the number of seeds behind the mean.
 * @param digits - decimals of both numbers.
 */
export function formatMeanSd(mean: number | null | undefined, sd: number | null, seeds: number, digits: number): string {
  if (mean === null || mean === undefined || !Number.isFinite(mean)) return '–';
  return sd === null || seeds < 2 ? mean.toFixed(digits) : `${mean.toFixed(digits)} ± ${sd.toFixed(digits)}`;
}
