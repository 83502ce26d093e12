import type { VoxelArray } from '../volume/Volume.js';
import { regionMoments, type IntensityRegion } from './intensityStats.js';

/**
 * How to standardise intensities. Every mode is an affine map `(v − offset) / scale` whose two numbers
 * {@link standardiseParams} returns (as `mean` and `std`, the z-score's names):
 * - `{ mode: 'dataset', mean, std }`: z-score with statistics of the training set (`intensityStats`), the same for
 *   every image (store them with the model so segmentation uses the same ones);
 * - `{ mode: 'image', region }`: z-score with each image's own mean and std over `region` (default `'nonzero'`, see
 *   `IntensityRegion`);
 * - `{ mode: 'minmax' }`: each image to [0, 1] by its own minimum and maximum (brainchop's default,
 *   `minMaxNormalizeVolumeData`);
 * - `{ mode: 'quantile', lower, upper }`: each image mapped so that its `lower` quantile goes to 0 and its `upper`
 *   quantile to 1, without clipping, the quantiles taken over every voxel as brainchop's `quantileNormalizeVolumeData`
 *   does (the sorted values at indices ⌊N·lower⌋ and ⌈N·upper⌉ − 1; brainchop uses 0.05 and 0.95);
 * - `{ mode: 'none' }`: the intensities as they are (offset 0, scale 1).
 */
export type StandardiseOptions =
  | { mode: 'dataset'; mean: number; std: number }
  | { mode: 'image'; region?: Exclude<IntensityRegion, 'foreground'> }
  | { mode: 'minmax' }
  | { mode: 'quantile'; lower: number; upper: number }
  | { mode: 'none' };

/**
 * Standardise intensities: `(v − mean) / std`, every voxel, with the offset and scale of `options` (for a z-score the
 * region only chooses which voxels give the statistics).
 *
 * @param volume - anything with `data` (a `Volume`); `data` is not modified.
 * @returns float32 values, same layout and length as `volume.data`.
 * @throws RangeError when `std` is not a positive finite number (a constant image in `'image'` mode), or no voxel
 *   lies in the region.
 */
export function standardise(volume: { data: VoxelArray | ArrayLike<number> }, options: StandardiseOptions): Float32Array {
  const { mean, std } = standardiseParams(volume, options);
  const data = volume.data;
  const out = new Float32Array(data.length);
  const inv = 1 / std;
  for (let v = 0; v < data.length; v++) out[v] = (data[v] - mean) * inv;
  return out;
}

/**
 * The offset (`mean`) and scale (`std`) {@link standardise} uses for `volume` (so a caller knows what, e.g., a zero
 * voxel becomes: `−mean / std`). For `minmax` they are the minimum and the range, for `quantile` the lower quantile
 * and the distance between the two, for `none` 0 and 1.
 *
 * @throws RangeError as {@link standardise}, and for quantiles outside 0 ≤ lower < upper ≤ 1.
 */
export function standardiseParams(
  volume: { data: VoxelArray | ArrayLike<number> },
  options: StandardiseOptions,
): { mean: number; std: number } {
  let mean: number, std: number;
  if (options.mode === 'dataset') {
    ({ mean, std } = options);
  } else if (options.mode === 'none') {
    return { mean: 0, std: 1 };
  } else if (options.mode === 'minmax') {
    let min = Infinity;
    let max = -Infinity;
    for (let v = 0; v < volume.data.length; v++) {
      const x = volume.data[v];
      if (x < min) min = x;
      if (x > max) max = x;
    }
    mean = min;
    std = max - min;
  } else if (options.mode === 'quantile') {
    const { lower, upper } = options;
    if (!(lower >= 0 && lower < upper && upper <= 1)) {
      throw new RangeError(`standardise: quantiles ${lower}, ${upper}; expected 0 ≤ lower < upper ≤ 1`);
    }
    const sorted = Float64Array.from(volume.data as ArrayLike<number>).sort();
    const n = sorted.length;
    // brainchop's indices (tensor-utils.js calculateQuantiles), so that the same image gets the same numbers.
    mean = sorted[Math.min(n - 1, Math.floor(n * lower))];
    std = sorted[Math.max(0, Math.ceil(n * upper) - 1)] - mean;
  } else {
    const region = options.region ?? 'nonzero';
    const m = regionMoments(volume.data, region);
    if (m.count === 0) throw new RangeError(`standardise: no voxel lies in region '${region}' (an all-zero image?)`);
    mean = m.mean;
    std = Math.sqrt(m.m2 / m.count);
  }
  if (!(std > 0) || !Number.isFinite(std) || !Number.isFinite(mean)) {
    throw new RangeError(
      `standardise: ${options.mode} offset ${mean}, scale ${std}; expected a finite offset and a positive finite scale (constant image?)`,
    );
  }
  return { mean, std };
}
