import type { GridData } from './make25dSample.js';

/** Options of {@link extractPatch3d}. */
export interface ExtractPatch3dOptions {
  /** Voxel `[i, j, k]` of the volume at patch position (0, 0, 0); may lie outside the volume. */
  origin: readonly [number, number, number];
  /** Patch size `[sx, sy, sz]` in voxels (x, y, z order, like `dims`). */
  size: readonly [number, number, number];
  /** Image value past the volume's border. @default 0 */
  imagePad?: number;
  /** Label past the border: −1 (ignored, METHOD.md §1) or 0 (background). @default -1 */
  labelPad?: -1 | 0;
}

/** Result of {@link extractPatch3d}. */
export interface ExtractPatch3dResult {
  /** `[D, H, W, 1]` = `[sz, sy, sx, 1]` channels-last float32 (the Volume tensor view, no transpose). */
  image: Float32Array;
  /** `[D, H, W]` = `[sz, sy, sx]` int32, or null without labels. */
  label: Int32Array | null;
}

/**
 * Cut a 3D patch out of a volume (and its labels) for 3D models: patch voxel (d, h, w) is volume voxel
 * `origin + (w, h, d)`; voxels past the border get `imagePad` / `labelPad`.
 *
 * @param image - intensities (standardised), x fastest.
 * @param labels - label map on the same grid, or null.
 * @throws RangeError when `size` is not three positive integers, `origin` not three integers, or the grids differ.
 */
export function extractPatch3d(image: GridData, labels: GridData | null, options: ExtractPatch3dOptions): ExtractPatch3dResult {
  const { origin, size } = options;
  if (size.length !== 3 || !size.every((s) => Number.isInteger(s) && s > 0)) {
    throw new RangeError(`extractPatch3d: size ${JSON.stringify(size)}, expected three positive integers [sx, sy, sz]`);
  }
  if (origin.length !== 3 || !origin.every((o) => Number.isInteger(o))) {
    throw new RangeError(`extractPatch3d: origin ${JSON.stringify(origin)}, expected three integers [i, j, k]`);
  }
  if (labels && labels.dims.some((d, i) => d !== image.dims[i])) {
    throw new RangeError(`extractPatch3d: label grid ${labels.dims.join('×')} differs from image grid ${image.dims.join('×')}`);
  }
  const [nx, ny, nz] = image.dims;
  const [sx, sy, sz] = size;
  const [ox, oy, oz] = origin;
  const out = new Float32Array(sx * sy * sz).fill(options.imagePad ?? 0);
  const lab = labels ? new Int32Array(sx * sy * sz).fill(options.labelPad ?? -1) : null;
  // Only the part inside the volume is copied, row by row along x.
  const x0 = Math.max(0, -ox), x1 = Math.min(sx, nx - ox);
  for (let d = Math.max(0, -oz); d < Math.min(sz, nz - oz); d++) {
    for (let h = Math.max(0, -oy); h < Math.min(sy, ny - oy); h++) {
      const src = ox + nx * (oy + h + ny * (oz + d));
      const dst = (d * sy + h) * sx;
      for (let w = x0; w < x1; w++) out[dst + w] = image.data[src + w];
      if (lab && labels) for (let w = x0; w < x1; w++) lab[dst + w] = labels.data[src + w];
    }
  }
  return { image: out, label: lab };
}
