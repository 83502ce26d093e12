/**
 * Surface voxels of a binary mask: voxels of the mask with at least one face neighbour (6-connectivity) outside
 * the mask or outside the grid. This is what MONAI's `get_mask_edges` and medpy's `__surface_distances` take as
 * the surface (the mask minus its binary erosion with a cross-shaped element and a zero border).
 *
 * @param mask - `nx·ny·nz` values, x fastest; nonzero = inside.
 * @param dims - `[nx, ny, nz]` in voxels.
 * @returns `Uint8Array(nx·ny·nz)`, 1 on surface voxels.
 * @throws RangeError when `mask.length` is not `nx·ny·nz`.
 */
export function surfaceMask(mask: ArrayLike<number>, dims: readonly [number, number, number]): Uint8Array {
  const [nx, ny, nz] = dims;
  const plane = nx * ny;
  if (mask.length !== plane * nz) throw new RangeError(`surfaceMask: mask has ${mask.length} voxels, expected ${nx}×${ny}×${nz} = ${plane * nz}`);
  const out = new Uint8Array(plane * nz);
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      const base = j * nx + k * plane;
      const edgeRow = j === 0 || j === ny - 1 || k === 0 || k === nz - 1;
      for (let i = 0; i < nx; i++) {
        const v = base + i;
        if (!mask[v]) continue;
        if (edgeRow || i === 0 || i === nx - 1) {
          out[v] = 1;
          continue;
        }
        if (!mask[v - 1] || !mask[v + 1] || !mask[v - nx] || !mask[v + nx] || !mask[v - plane] || !mask[v + plane]) out[v] = 1;
      }
    }
  }
  return out;
}
