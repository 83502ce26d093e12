/**
 * A difference as the demo's tables print it: fixed digits with an explicit sign taken from the printed value, so
 * that −0.004 at 2 digits reads "±0.00" rather than "−0.00" or "+0.00"; the minus sign is U+2212.
 *
 * @param x - the value (any unit; the caller scales it first, e.g. Dice × 100 for points).
 * @param digits - digits after the decimal point (0…20, as `toFixed`).
 * @example formatSigned(-85.4, 0); // '−85'
 */
export function formatSigned(x: number, digits: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`formatSigned: value is ${x}, expected a finite number`);
  const t = Math.abs(x).toFixed(digits);
  return `${Number(t) === 0 ? '±' : x > 0 ? '+' : '−'}${t}`;
}
