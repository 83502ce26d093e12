import type { VoxelArray } from '../../src/volume/Volume.js';
import { sliceAxis, type SliceAxisIndex } from '../../src/volume/sliceAxis.js';

/** Options of {@link insertSlice}. */
export interface InsertSliceOptions {
  /** Slicing axis (0 = x sagittal, 1 = y coronal, 2 = z axial). */
  axis: SliceAxisIndex;
  /** Slice index along the axis, in `[0, depth)`. */
  index: number;
}

/**
 * Write a 2D slice `[H, W]` back into a volume: the inverse of `extractSlice`, with the same layout
 * ({@link sliceAxis}), so a 2D model's slice-by-slice predictions can be stacked into a 3D label map.
 *
 * @param target - voxel values, x fastest, one frame of `dims`; modified in place.
 * @param dims - `[nx, ny, nz]` in voxels.
 * @param slice - `[H, W]` row-major values.
 * @throws RangeError when `index` is outside the volume or `slice` has the wrong length.
 */
export function insertSlice(
  target: VoxelArray,
  dims: readonly [number, number, number],
  slice: ArrayLike<number>,
  options: InsertSliceOptions,
): void {
  const g = sliceAxis(dims, options.axis);
  const { index } = options;
  if (!Number.isInteger(index) || index < 0 || index >= g.depth) {
    throw new RangeError(`insertSlice: index ${index} is outside the volume, expected an integer in 0..${g.depth - 1} along axis ${options.axis}`);
  }
  if (slice.length !== g.height * g.width) {
    throw new RangeError(`insertSlice: slice has ${slice.length} values, expected ${g.height}×${g.width}`);
  }
  const base = index * g.sliceStride;
  let o = 0;
  for (let r = 0; r < g.height; r++) {
    let v = base + r * g.rowStride;
    for (let c = 0; c < g.width; c++, v += g.colStride) target[v] = slice[o++];
  }
}
