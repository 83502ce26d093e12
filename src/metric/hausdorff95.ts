import { percentile } from './percentile.js';
import type { SurfaceDistances } from './surfaceDistances.js';

/** Options of {@link hausdorff95}. */
export interface Hausdorff95Options {
  /** Percentile of each directed distance set; 100 gives the classic Hausdorff distance. @default 95 */
  percentile?: number;
}

/**
 * The 95th-percentile Hausdorff distance in millimetres, MONAI's definition (`compute_hausdorff_distance` with
 * `percentile=95`, `directed=False`): the larger of the two *directed* 95th percentiles, each with numpy's linear
 * interpolation. (medpy's `hd95` instead takes the 95th percentile of both directions pooled, which is never larger.)
 *
 * @param distances - directed surface distances from {@link surfaceDistances}, mm.
 * @returns mm.
 * @throws RangeError when a direction is empty.
 */
export function hausdorff95(distances: SurfaceDistances, options: Hausdorff95Options = {}): number {
  const q = options.percentile ?? 95;
  return Math.max(percentile(distances.aToB, q), percentile(distances.bToA, q));
}
