import type { SurfaceDistances } from './surfaceDistances.js';

/**
 * Average symmetric surface distance (ASSD) in millimetres: the mean of every directed distance of both
 * directions pooled, `(Σ d(A→B) + Σ d(B→A)) / (|∂A| + |∂B|)`, as MONAI's `compute_average_surface_distance`
 * with `symmetric=True` computes it (medpy's `assd` instead averages the two directed means).
 *
 * @param distances - directed surface distances from `surfaceDistances`, mm.
 * @returns mm.
 * @throws RangeError when both directions are empty.
 */
export function averageSurfaceDistance(distances: SurfaceDistances): number {
  const n = distances.aToB.length + distances.bToA.length;
  if (n === 0) throw new RangeError('averageSurfaceDistance: no surface voxels');
  let sum = 0;
  for (const d of distances.aToB) sum += d;
  for (const d of distances.bToA) sum += d;
  return sum / n;
}
