import type { VoxelArray } from './Volume.js';

/** A box of voxels: `start` (inclusive) and `size`, both `[x, y, z]` in voxel indices. */
export interface CropBox {
  start: [number, number, number];
  size: [number, number, number];
}

/**
 * The bounding box of the head in a 3D image, grown by `marginVoxels` on every side and clipped to the grid: the box
 * of the voxels brighter than lo + 0.1·(hi − lo), where lo and hi are the image's 1 % and 99 % quantiles (the sorted
 * values at ⌊0.01·N⌋ and ⌊0.99·N⌋), so a few hot voxels do not move the threshold and the background (the lower
 * quantile, 0 in a conformed T1) never passes it. `bench/meshnet_reference.py` applies the same rule for its
 * PyTorch runs.
 *
 * @param image - `dims` `[nx, ny, nz]` and `data` x fastest (raw intensities, before standardisation).
 * @param marginVoxels - voxels added on every side (≥ 0).
 * @returns the box, or the whole grid when no voxel passes the threshold (a constant image).
 * @throws RangeError for a negative or fractional margin, or data whose length is not nx·ny·nz.
 */
export function headBoundingBox(image: { dims: readonly [number, number, number] | readonly number[]; data: VoxelArray | ArrayLike<number> }, marginVoxels: number): CropBox {
  const [nx, ny, nz] = image.dims;
  const data = image.data;
  if (!Number.isInteger(marginVoxels) || marginVoxels < 0) throw new RangeError(`headBoundingBox: margin ${marginVoxels}, expected an integer ≥ 0`);
  if (data.length !== nx * ny * nz) throw new RangeError(`headBoundingBox: data has ${data.length} values, expected ${nx}·${ny}·${nz}`);
  const sorted = Float64Array.from(data as ArrayLike<number>).sort();
  const n = sorted.length;
  const lo = sorted[Math.floor(0.01 * n)];
  const hi = sorted[Math.min(n - 1, Math.floor(0.99 * n))];
  const threshold = lo + 0.1 * (hi - lo);
  const min = [nx, ny, nz];
  const max = [-1, -1, -1];
  let v = 0;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, v++) {
        if (!(data[v] > threshold)) continue;
        if (x < min[0]) min[0] = x;
        if (x > max[0]) max[0] = x;
        if (y < min[1]) min[1] = y;
        if (y > max[1]) max[1] = y;
        if (z < min[2]) min[2] = z;
        if (z > max[2]) max[2] = z;
      }
    }
  }
  if (max[0] < 0) return { start: [0, 0, 0], size: [nx, ny, nz] };
  const dims = [nx, ny, nz];
  const start = [0, 1, 2].map((a) => Math.max(0, min[a] - marginVoxels)) as [number, number, number];
  const stop = [0, 1, 2].map((a) => Math.min(dims[a], max[a] + 1 + marginVoxels));
  return { start, size: [0, 1, 2].map((a) => stop[a] - start[a]) as [number, number, number] };
}
