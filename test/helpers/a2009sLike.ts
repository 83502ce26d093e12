/**
 * An aparc.a2009s+aseg-sized label map made from the bundled AAL atlas: FreeSurfer's code ranges (1xxx/2xxx,
 * 11xxx/12xxx, 13xxx/14xxx for left/right) on real anatomy, for tests and benchmarks of large label codes (issue 16).
 * Each AAL region gets one code per axial band (k < 0.4·nz, < 0.55·nz, above), so regions crossing a band edge
 * become two or three labels: 190 labels in all (background included) on the 1 mm atlas, the largest code 14175.
 *
 * @param aal - AAL labels 0 … 116, x fastest.
 * @param dims - `[nx, ny, nz]`.
 * @returns the relabelled map (int16: codes ≤ 14175).
 */
export function a2009sLike(aal: ArrayLike<number>, dims: readonly [number, number, number]): Int16Array {
  const [nx, ny, nz] = dims;
  const out = new Int16Array(aal.length);
  const [low, high] = [0.4 * nz, 0.55 * nz];
  for (let k = 0; k < nz; k++) {
    const base = k * nx * ny;
    // AAL's odd labels are left, even right: left 13xxx/11xxx/1xxx, right 14xxx/12xxx/2xxx, as FreeSurfer's tables.
    const [left, right] = k < low ? [13100, 14100] : k < high ? [11100, 12100] : [1100, 2100];
    for (let v = 0; v < nx * ny; v++) {
      const a = aal[base + v];
      if (a !== 0) out[base + v] = (a % 2 === 1 ? left : right) + Math.ceil(a / 2) + 17;
    }
  }
  return out;
}
