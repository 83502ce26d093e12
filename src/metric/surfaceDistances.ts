import { euclideanDistanceTransform } from './euclideanDistanceTransform.js';
import { surfaceMask } from './surfaceMask.js';

/** Options of {@link surfaceDistances}. */
export interface SurfaceDistancesOptions {
  /** Voxel size `[dx, dy, dz]` in millimetres. @default [1, 1, 1] */
  spacingMm?: readonly [number, number, number];
}

/** Directed surface distances between two masks, in millimetres. */
export interface SurfaceDistances {
  /** For each surface voxel of A (in voxel order), the distance to the nearest surface voxel of B. */
  aToB: Float64Array;
  /** For each surface voxel of B, the distance to the nearest surface voxel of A. */
  bToA: Float64Array;
}

/**
 * Surface-to-surface distances between two binary masks on one grid, as MONAI's `get_surface_distance` computes
 * them: surfaces by {@link surfaceMask}, distances from an exact anisotropic Euclidean distance transform of the
 * other mask's surface ({@link euclideanDistanceTransform}), so a voxel lying on both surfaces is at 0.
 *
 * The grid may be a crop of a larger one: as long as it holds every voxel of both masks and a voxel on the crop's
 * faces counts as surface (a neighbour outside the crop is outside both masks), the result equals that of the
 * full grid, because every feature and every query point lies inside the crop.
 *
 * @param a - `nx·ny·nz` values, x fastest; nonzero = inside A.
 * @param b - the same for B.
 * @param dims - `[nx, ny, nz]` in voxels.
 * @throws RangeError when either mask is empty (the distances are undefined) or has the wrong length.
 */
export function surfaceDistances(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  dims: readonly [number, number, number],
  options: SurfaceDistancesOptions = {},
): SurfaceDistances {
  const sa = surfaceMask(a, dims);
  const sb = surfaceMask(b, dims);
  const na = countOnes(sa);
  const nb = countOnes(sb);
  if (na === 0 || nb === 0) throw new RangeError(`surfaceDistances: mask ${na === 0 ? 'a' : 'b'} is empty, so surface distances are undefined`);
  const spacingMm = options.spacingMm ?? [1, 1, 1];
  return {
    aToB: sample(euclideanDistanceTransform(sb, dims, { spacingMm }), sa, na),
    bToA: sample(euclideanDistanceTransform(sa, dims, { spacingMm }), sb, nb),
  };
}

function countOnes(mask: Uint8Array): number {
  let n = 0;
  for (let v = 0; v < mask.length; v++) n += mask[v];
  return n;
}

function sample(distance: Float64Array, at: Uint8Array, count: number): Float64Array {
  const out = new Float64Array(count);
  let t = 0;
  for (let v = 0; v < at.length; v++) if (at[v]) out[t++] = distance[v];
  return out;
}
