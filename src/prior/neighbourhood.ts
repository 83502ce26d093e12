/**
 * Neighbourhoods for label adjacency (METHOD.md §1): which voxel offsets count as "touching".
 *
 * - `connectivity` 26: offsets at Chebyshev distance 1 (3×3×3 cube minus the centre), the reference's default;
 * - 18: the cube minus its 8 corners (offsets with at most two non-zero components);
 * - 6: face neighbours only (one non-zero component).
 *
 * A `radius` r > 1 grows the neighbourhood to Chebyshev distance ≤ r, like the reference's `--n-size`;
 * connectivity then limits how many components may be non-zero (3, 2 or 1).
 */

import { PRIOR_LIMITS } from './PRIOR_LIMITS.js';

/** Neighbourhood shape: 6 (faces), 18 (faces + edges) or 26 (faces + edges + corners). */
export type Connectivity = 6 | 18 | 26;

/** How neighbours are defined; see the module comment. */
export interface NeighbourhoodOptions {
  /** @default 26 */
  connectivity?: Connectivity;
  /** Chebyshev radius in voxels, an integer in 1 … `PRIOR_LIMITS.maxRadius` (10). @default 1 */
  radius?: number;
}

/** The connectivities nonadj accepts, for validation and help texts. */
export const CONNECTIVITIES: readonly Connectivity[] = [6, 18, 26];

/**
 * Check and fill in neighbourhood options.
 *
 * @throws RangeError naming the bad value: a connectivity other than the numbers 6, 18, 26, or a radius that is not
 *   an integer in 1 … `PRIOR_LIMITS.maxRadius`.
 */
export function resolveNeighbourhood(options: NeighbourhoodOptions = {}): Required<NeighbourhoodOptions> {
  const connectivity = options.connectivity ?? 26;
  const radius = options.radius ?? 1;
  if (!CONNECTIVITIES.includes(connectivity)) {
    // JSON.stringify shows a string "26" as a string, so the message does not read "26, expected … 26".
    throw new RangeError(`connectivity is ${typeof connectivity === 'string' ? JSON.stringify(connectivity) : String(connectivity)}, expected the number 6, 18 or 26`);
  }
  // The limit keeps the offset list and the scans bounded: (2r+1)³ − 1 offsets, each a pass over the runs.
  if (!Number.isInteger(radius) || radius < 1 || radius > PRIOR_LIMITS.maxRadius) {
    throw new RangeError(`radius is ${typeof radius === 'string' ? JSON.stringify(radius) : String(radius)}, expected an integer in 1 … ${PRIOR_LIMITS.maxRadius}`);
  }
  return { connectivity, radius };
}

/**
 * All neighbour offsets `[di, dj, dk]` (in voxels) of the neighbourhood, the centre excluded.
 * The list is symmetric: with `[a, b, c]` it also holds `[-a, -b, -c]`.
 *
 * @returns offsets in a fixed order (dk, then dj, then di ascending).
 */
export function neighbourOffsets(options: NeighbourhoodOptions = {}): Array<[number, number, number]> {
  const { connectivity, radius } = resolveNeighbourhood(options);
  const maxNonZero = connectivity === 26 ? 3 : connectivity === 18 ? 2 : 1;
  const out: Array<[number, number, number]> = [];
  for (let dk = -radius; dk <= radius; dk++) {
    for (let dj = -radius; dj <= radius; dj++) {
      for (let di = -radius; di <= radius; di++) {
        const nonZero = (di !== 0 ? 1 : 0) + (dj !== 0 ? 1 : 0) + (dk !== 0 ? 1 : 0);
        if (nonZero === 0 || nonZero > maxNonZero) continue;
        out.push([di, dj, dk]);
      }
    }
  }
  return out;
}

/**
 * Half of {@link neighbourOffsets}: one offset of each `±` pair, the one that is lexicographically
 * positive in `(dk, dj, di)`. Visiting each voxel with these offsets sees every unordered neighbour
 * pair exactly once, which halves the work of counting.
 */
export function forwardOffsets(options: NeighbourhoodOptions = {}): Array<[number, number, number]> {
  return neighbourOffsets(options).filter(([di, dj, dk]) => dk > 0 || (dk === 0 && (dj > 0 || (dj === 0 && di > 0))));
}
