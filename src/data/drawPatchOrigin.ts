import type { SeededRandom } from '../numeric/seededRandom.js';

/**
 * A uniformly placed patch's origin: inside `region` (by default the whole grid) where the patch fits along an axis,
 * centred on the region where it is larger (the part past the grid then gets `extractPatch3d`'s padding). Used by
 * `adaptModel` to draw its 3D patches inside the head's bounding box, so that no step is spent on air.
 *
 * @param dims - the grid `[nx, ny, nz]`.
 * @param size - the patch `[sx, sy, sz]` in voxels (x, y, z order, like `dims`).
 * @param region - a box `{ start, size }` in voxels of the grid (x, y, z), inside it; default the whole grid.
 * @returns the origin `[x, y, z]` (may be negative where the patch is larger than the region).
 * @throws RangeError when the region is not inside the grid.
 * @example
 * drawPatchOrigin([10, 10, 10], [4, 4, 4], rng, { start: [2, 2, 2], size: [4, 4, 4] }); // [2, 2, 2]
 */
export function drawPatchOrigin(
  dims: readonly number[],
  size: readonly [number, number, number],
  rng: SeededRandom,
  region: { start: readonly number[]; size: readonly number[] } = { start: [0, 0, 0], size: dims },
): [number, number, number] {
  for (let i = 0; i < 3; i++) {
    if (!(region.start[i] >= 0 && region.size[i] >= 1 && region.start[i] + region.size[i] <= dims[i])) {
      throw new RangeError(
        `drawPatchOrigin: region start [${region.start.join(', ')}] size [${region.size.join(', ')}] is not inside the grid [${dims.join(', ')}]`,
      );
    }
  }
  return size.map((s, i) => {
    const n = region.size[i];
    return region.start[i] + (n >= s ? rng.int(n - s + 1) : -Math.floor((s - n) / 2));
  }) as [number, number, number];
}
