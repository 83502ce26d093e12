import type { VoxelArray } from '../volume/Volume.js';
import { reflectIndex } from '../numeric/reflectIndex.js';
import { sliceAxis, type SliceAxisIndex } from '../volume/sliceAxis.js';

/** A volume's voxels and grid, as the data pipeline needs them (a `Volume` fits). */
export interface GridData<T extends VoxelArray | ArrayLike<number> = VoxelArray | ArrayLike<number>> {
  /** `[nx, ny, nz]` in voxels. */
  dims: readonly [number, number, number];
  /** Voxel values, x fastest (one frame). */
  data: T;
}

/** Options of {@link make25dSample}. */
export interface Make25dSampleOptions {
  /** Slicing axis: 0 = x (sagittal), 1 = y (coronal, the reference's choice), 2 = z (axial). */
  axis: SliceAxisIndex;
  /** Index of the centre slice (the target) along `axis`. */
  index: number;
  /** Number of consecutive slices stacked as channels, odd (the reference uses 7). */
  k: number;
  /**
   * Crop or pad each slice to `[H, W]`, centred (when the difference is odd, the extra row or column is padded at,
   * or cropped from, the end). Networks with p pooling levels need multiples of 2^p. Omit to keep the slice size.
   */
  padTo?: readonly [number, number];
  /** Image value in padded pixels; pass what a zero voxel becomes after standardisation. @default 0 */
  imagePad?: number;
  /**
   * Label in padded pixels: −1 ("ignored", METHOD.md §1: no loss and no adjacency there) or 0 (background).
   * @default -1
   */
  labelPad?: -1 | 0;
}

/** Result of {@link make25dSample}. */
export interface Make25dSampleResult {
  /**
   * `[H, W, k]` channels-last, float32. Channel `c` holds slice `index + c − (k − 1)/2` (increasing slice index,
   * the target slice in the middle channel), mirrored numpy-`reflect`-style (edge-exclusive, `d c b | a b c d`)
   * past either end of the volume.
   */
  image: Float32Array;
  /** `[H, W]` labels of the centre slice, int32 (−1 or 0 in padding, see `labelPad`); null without labels. */
  label: Int32Array | null;
  /** Rows H and columns W of the sample (after `padTo`). */
  height: number;
  width: number;
}

/**
 * Build one 2.5D training sample: k consecutive slices as channels around slice `index`, and the labels of the
 * centre slice, with the slice layout of {@link sliceAxis} (coronal: H = z, W = x, no flip).
 *
 * @param image - the (standardised) image, x fastest.
 * @param labels - the label map on the same grid, or null for an unlabelled image.
 * @throws RangeError when `k` is not a positive odd integer, `index` is outside the volume, `padTo` is not two
 *   positive integers, or the label grid differs from the image grid.
 * @example
 * // 4×3×2 volume, coronal (axis 1), k = 3 at index 0: channels are slices [1, 0, 1] (reflect).
 * make25dSample(vol, null, { axis: 1, index: 0, k: 3 }).image; // [H=2, W=4, 3]
 */
export function make25dSample(
  image: GridData,
  labels: GridData | null,
  options: Make25dSampleOptions,
): Make25dSampleResult {
  const { axis, index, k } = options;
  const g = sliceAxis(image.dims, axis);
  if (!Number.isInteger(k) || k < 1 || k % 2 === 0) {
    throw new RangeError(`make25dSample: k is ${k}, expected a positive odd number of slices (7 in the reference)`);
  }
  if (!Number.isInteger(index) || index < 0 || index >= g.depth) {
    throw new RangeError(`make25dSample: index ${index} is outside the volume, expected an integer in 0..${g.depth - 1} along axis ${axis}`);
  }
  if (labels && labels.dims.some((d, i) => d !== image.dims[i])) {
    throw new RangeError(`make25dSample: label grid ${labels.dims.join('×')} differs from image grid ${image.dims.join('×')}`);
  }
  const [height, width] = options.padTo ?? [g.height, g.width];
  if (![height, width].every((n) => Number.isInteger(n) && n > 0)) {
    throw new RangeError(`make25dSample: padTo is ${JSON.stringify(options.padTo)}, expected [H, W] positive integers`);
  }
  const imagePad = options.imagePad ?? 0;
  const labelPad = options.labelPad ?? -1;
  const rowOffset = centreOffset(g.height, height);
  const colOffset = centreOffset(g.width, width);

  const out = new Float32Array(height * width * k).fill(imagePad);
  const half = (k - 1) / 2;
  const src = image.data;
  for (let ch = 0; ch < k; ch++) {
    const base = reflectIndex(index + ch - half, g.depth) * g.sliceStride;
    for (let r = 0; r < height; r++) {
      const sr = r + rowOffset;
      if (sr < 0 || sr >= g.height) continue;
      const c0 = Math.max(0, -colOffset);
      const c1 = Math.min(width, g.width - colOffset);
      let v = base + sr * g.rowStride + (c0 + colOffset) * g.colStride;
      for (let c = c0, o = (r * width + c0) * k + ch; c < c1; c++, o += k, v += g.colStride) out[o] = src[v];
    }
  }

  let label: Int32Array | null = null;
  if (labels) {
    label = new Int32Array(height * width).fill(labelPad);
    const base = index * g.sliceStride;
    const lab = labels.data;
    for (let r = 0; r < height; r++) {
      const sr = r + rowOffset;
      if (sr < 0 || sr >= g.height) continue;
      const c0 = Math.max(0, -colOffset);
      const c1 = Math.min(width, g.width - colOffset);
      let v = base + sr * g.rowStride + (c0 + colOffset) * g.colStride;
      for (let c = c0, o = r * width + c0; c < c1; c++, o++, v += g.colStride) label[o] = lab[v];
    }
  }
  return { image: out, label, height, width };
}

/** Source offset of output row 0 when centring `size` source rows in `target` rows (extra goes to the end). */
function centreOffset(size: number, target: number): number {
  return size >= target ? Math.floor((size - target) / 2) : -Math.floor((target - size) / 2);
}
