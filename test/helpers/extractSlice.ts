import type { VoxelArray } from '../../src/volume/Volume.js';
import { sliceAxis, type SliceAxisIndex } from '../../src/volume/sliceAxis.js';

/** Options of {@link extractSlice}. */
export interface ExtractSliceOptions {
  /** Slicing axis (0 = x sagittal, 1 = y coronal, 2 = z axial). */
  axis: SliceAxisIndex;
  /** Slice index along the axis, in `[0, depth)`. */
  index: number;
}

/**
 * Copy one 2D slice out of a volume, laid out `[H, W]` row-major as {@link sliceAxis} defines
 * (coronal: H = z, W = x; no flip).
 *
 * @param data - voxel values, x fastest, one frame of `dims`.
 * @param dims - `[nx, ny, nz]` in voxels.
 * @param out - optional destination of length `H·W` (reused to avoid allocations); a new Float32Array otherwise.
 * @returns `out`, `[H, W]` row-major.
 * @throws RangeError when `index` is outside the volume or `data`/`out` have the wrong length.
 * @example
 * // 4×3×2 volume with v = i + 10j + 100k: the coronal slice 1 is [[10, 11, 12, 13], [110, 111, 112, 113]].
 */
export function extractSlice<T extends Float32Array | Int32Array = Float32Array>(
  data: VoxelArray | ArrayLike<number>,
  dims: readonly [number, number, number],
  options: ExtractSliceOptions,
  out?: T,
): T {
  const g = sliceAxis(dims, options.axis);
  const { index } = options;
  if (data.length < dims[0] * dims[1] * dims[2]) {
    throw new RangeError(`extractSlice: data has ${data.length} values, expected ${dims.join('×')}`);
  }
  if (!Number.isInteger(index) || index < 0 || index >= g.depth) {
    throw new RangeError(`extractSlice: index ${index} is outside the volume, expected an integer in 0..${g.depth - 1} along axis ${options.axis}`);
  }
  const result = (out ?? new Float32Array(g.height * g.width)) as T;
  if (result.length !== g.height * g.width) {
    throw new RangeError(`extractSlice: out has ${result.length} values, expected ${g.height}×${g.width}`);
  }
  const base = index * g.sliceStride;
  let o = 0;
  for (let r = 0; r < g.height; r++) {
    let v = base + r * g.rowStride;
    for (let c = 0; c < g.width; c++, v += g.colStride) result[o++] = data[v];
  }
  return result;
}
