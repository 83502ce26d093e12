/**
 * Mirror an index into `[0, n)` the way numpy's `np.pad(..., mode='reflect')` does: reflection about the edge
 * sample, which is **not** repeated (`d c b | a b c d | c b a`, "edge-exclusive"). Indices further out keep
 * bouncing with period `2(n − 1)`, so any integer maps into range, as numpy's repeated padding does.
 *
 * @param i - any integer index.
 * @param n - length of the axis, a positive integer (for `n = 1` every index maps to 0).
 * @returns the mirrored index in `[0, n)`.
 * @example
 * reflectIndex(-1, 4); // 1   (… b | a b c d)
 * reflectIndex(4, 4);  // 2   (a b c d | c …)
 */
export function reflectIndex(i: number, n: number): number {
  if (i >= 0 && i < n) return i;
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  const t = ((i % period) + period) % period;
  return t < n ? t : period - t;
}
