/** The geometry of one augmented copy: a flip of array axis 0 (then a shift), in voxels along array axes i, j, k. */
export interface FlipShift {
  /** Whether axis 0 was reversed (x → nx − 1 − x; left–right on a LIA grid). */
  flip: boolean;
  /** Integer shift `[di, dj, dk]` in voxels, applied after the flip. */
  shift: readonly [number, number, number];
}

/**
 * Map a grid that an exact integer augmentation moved (voxel x of the original at `flip(x) + shift` in the copy, the
 * grid kept, as `bench/brainchop/augmentColin27.ts` writes its copies) back onto the original's grid: `out[x] =
 * data[flip(x) + shift]`, and `fill` where that falls off the grid. No resampling, so labels stay labels; a copy's
 * segmentation mapped back is a segmentation of the original scan, voxel for voxel.
 *
 * @param data - the copy's voxels (NIfTI order, x fastest: index `i + j·nx + k·nx·ny`), one frame.
 * @param dims - `[nx, ny, nz]` of both grids.
 * @param geometry - the copy's flip and shift (`copies.json`).
 * @param options.fill - the value of voxels whose source is off the grid (default 0: background).
 * @returns the original grid's voxels, `Int32Array(nx·ny·nz)`.
 */
export function undoFlipShift(data: ArrayLike<number>, dims: readonly [number, number, number], geometry: FlipShift, options: { fill?: number } = {}): Int32Array {
  const [nx, ny, nz] = dims;
  if (data.length !== nx * ny * nz) throw new RangeError(`undoFlipShift: ${data.length} voxels, expected ${nx}·${ny}·${nz} = ${nx * ny * nz}`);
  if (!geometry.shift.every(Number.isInteger)) throw new RangeError(`undoFlipShift: shift [${geometry.shift.join(', ')}] must be whole voxels`);
  const [dx, dy, dz] = geometry.shift;
  const out = new Int32Array(nx * ny * nz).fill(options.fill ?? 0);
  for (let z = 0; z < nz; z++) {
    const z2 = z + dz;
    if (z2 < 0 || z2 >= nz) continue;
    for (let y = 0; y < ny; y++) {
      const y2 = y + dy;
      if (y2 < 0 || y2 >= ny) continue;
      for (let x = 0; x < nx; x++) {
        const x2 = (geometry.flip ? nx - 1 - x : x) + dx;
        if (x2 < 0 || x2 >= nx) continue;
        out[x + nx * (y + ny * z)] = data[x2 + nx * (y2 + ny * z2)];
      }
    }
  }
  return out;
}
