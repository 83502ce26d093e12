/**
 * World (RAS+ mm) → voxel indices through the inverse of a row-major voxel→world affine (`ViewerGrid.affine`),
 * rounded to the nearest voxel centre. The page uses it to name the voxel under the cursor on the file's own grid,
 * the grid the pair table's centroids are given on.
 */
export function makeWorldToVoxel(affine: readonly number[]): (mm: ArrayLike<number>) => [number, number, number] {
  const [a, b, c, tx, d, e, f, ty, g, h, i, tz] = affine;
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  if (!Number.isFinite(det) || det === 0) throw new RangeError(`makeWorldToVoxel: singular affine ${affine.join(' ')}`);
  // Inverse of the 3×3 part by cofactors; the translation is undone first.
  const inv = [
    (e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det,
    (f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det,
    (d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det,
  ];
  return (mm) => {
    const x = mm[0] - tx;
    const y = mm[1] - ty;
    const z = mm[2] - tz;
    return [
      Math.round(inv[0] * x + inv[1] * y + inv[2] * z),
      Math.round(inv[3] * x + inv[4] * y + inv[5] * z),
      Math.round(inv[6] * x + inv[7] * y + inv[8] * z),
    ];
  };
}
