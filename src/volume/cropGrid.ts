import type { CropBox } from './headBoundingBox.js';

/**
 * The voxels of `box` out of a grid with `channels` values per voxel (voxel-major, channels last, x fastest), as a
 * new grid of `box.size`, same layout.
 *
 * @param data - `nx·ny·nz·channels` values.
 * @param dims - `[nx, ny, nz]`.
 * @throws RangeError when the box leaves the grid.
 */
export function cropGrid<T extends Float32Array | Int32Array>(data: T, dims: readonly number[], box: CropBox, channels = 1): T {
  const [nx, ny, nz] = dims;
  const [x0, y0, z0] = box.start;
  const [sx, sy, sz] = box.size;
  if (x0 < 0 || y0 < 0 || z0 < 0 || x0 + sx > nx || y0 + sy > ny || z0 + sz > nz) {
    throw new RangeError(`cropGrid: box at [${box.start}] of size [${box.size}] leaves the ${nx}×${ny}×${nz} grid`);
  }
  const out = new (data.constructor as new (n: number) => T)(sx * sy * sz * channels);
  const row = sx * channels;
  for (let z = 0; z < sz; z++) {
    for (let y = 0; y < sy; y++) {
      const from = (((z0 + z) * ny + y0 + y) * nx + x0) * channels;
      out.set(data.subarray(from, from + row), (z * sy + y) * row);
    }
  }
  return out;
}

/**
 * The inverse of {@link cropGrid}: write a grid of `box.size` into `target` (a grid of `dims`) at `box.start`, in
 * place; voxels outside the box keep their values.
 *
 * @throws RangeError when the box leaves the grid or `part` does not have the box's size.
 */
export function pasteGrid<T extends Float32Array | Int32Array>(target: T, dims: readonly number[], box: CropBox, part: T, channels = 1): T {
  const [nx, ny] = dims;
  const [x0, y0, z0] = box.start;
  const [sx, sy, sz] = box.size;
  if (x0 < 0 || y0 < 0 || z0 < 0 || x0 + sx > nx || y0 + sy > ny || z0 + sz > dims[2] || part.length !== sx * sy * sz * channels) {
    throw new RangeError(`pasteGrid: a part of ${part.length} values at [${box.start}] of size [${box.size}] does not fit the ${dims.join('×')} grid`);
  }
  const row = sx * channels;
  for (let z = 0; z < sz; z++) {
    for (let y = 0; y < sy; y++) {
      target.set(part.subarray((z * sy + y) * row, (z * sy + y + 1) * row), (((z0 + z) * ny + y0 + y) * nx + x0) * channels);
    }
  }
  return target;
}
