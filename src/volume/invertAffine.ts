/**
 * Inverse of a row-major 4×4 affine `[M | t; 0 0 0 1]` (voxel → RAS, or any such map): `[M⁻¹ | −M⁻¹·t]`.
 *
 * @param affine - row-major 4×4 (16 numbers); the last row is taken to be `0 0 0 1`.
 * @returns row-major 4×4 (`Float64Array(16)`).
 * @throws RangeError when `M` is singular (|det| below 1e-12 of the product of its column lengths) or not finite.
 */
export function invertAffine(affine: ArrayLike<number>): Float64Array {
  const [a, b, c, , d, e, f, , g, h, k] = Array.from(affine);
  const det = a * (e * k - f * h) - b * (d * k - f * g) + c * (d * h - e * g);
  const scale = Math.hypot(a, d, g) * Math.hypot(b, e, h) * Math.hypot(c, f, k);
  if (!Number.isFinite(det) || !(Math.abs(det) > 1e-12 * scale)) {
    throw new RangeError(`invertAffine: the 3×3 part [${[a, b, c, d, e, f, g, h, k].join(', ')}] is singular (determinant ${det}), expected an invertible voxel→world map`);
  }
  // Adjugate over the determinant.
  const m = [
    (e * k - f * h) / det, (c * h - b * k) / det, (b * f - c * e) / det,
    (f * g - d * k) / det, (a * k - c * g) / det, (c * d - a * f) / det,
    (d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det,
  ];
  const t = [affine[3], affine[7], affine[11]];
  const out = new Float64Array(16);
  for (let r = 0; r < 3; r++) {
    out[4 * r] = m[3 * r];
    out[4 * r + 1] = m[3 * r + 1];
    out[4 * r + 2] = m[3 * r + 2];
    out[4 * r + 3] = -(m[3 * r] * t[0] + m[3 * r + 1] * t[1] + m[3 * r + 2] * t[2]);
  }
  out[15] = 1;
  return out;
}
