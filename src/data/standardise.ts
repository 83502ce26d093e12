import type { VoxelArray } from '../volume/Volume.js';
import { regionMoments, type IntensityRegion } from './intensityStats.js';

/**
 * How to standardise intensities:
 * - `{ mode: 'dataset', mean, std }`: with statistics of the training set (`intensityStats`), the same for every
 *   image (store them with the model so segmentation uses the same ones);
 * - `{ mode: 'image', region }`: with each image's own mean and std over `region` (default `'nonzero'`, see
 *   `IntensityRegion`).
 */
export type StandardiseOptions =
  | { mode: 'dataset'; mean: number; std: number }
  | { mode: 'image'; region?: Exclude<IntensityRegion, 'foreground'> };

/**
 * Z-score intensities: `(v − mean) / std`, every voxel (the region only chooses which voxels give the statistics).
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
 * The mean and std {@link standardise} uses for `volume` (so a caller knows what, e.g., a zero voxel becomes:
 * `−mean / std`).
 *
 * @throws RangeError as {@link standardise}.
 */
export function standardiseParams(
  volume: { data: VoxelArray | ArrayLike<number> },
  options: StandardiseOptions,
): { mean: number; std: number } {
  let mean: number, std: number;
  if (options.mode === 'dataset') {
    ({ mean, std } = options);
  } else {
    const region = options.region ?? 'nonzero';
    const m = regionMoments(volume.data, region);
    if (m.count === 0) throw new RangeError(`standardise: no voxel lies in region '${region}' (an all-zero image?)`);
    mean = m.mean;
    std = Math.sqrt(m.m2 / m.count);
  }
  if (!(std > 0) || !Number.isFinite(std) || !Number.isFinite(mean)) {
    throw new RangeError(`standardise: mean ${mean}, std ${std}; expected a finite mean and a positive finite std (constant image?)`);
  }
  return { mean, std };
}
