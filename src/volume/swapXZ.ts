/**
 * Exchange the x and z axes of a grid with `channels` values per voxel (voxel-major, channels last, x fastest):
 * voxel (x, y, z) of the input is voxel (z, y, x) of the output, whose dims are `[nz, ny, nx]`. Applied twice it is
 * the identity.
 *
 * Why: nonadj feeds a volume to a 3D network as `[D, H, W] = [z, y, x]` (its voxel order, no copy), brainchop feeds
 * its array order `(x, y, z)` as `(D, H, W)`; a brainchop model gets its convention from the swapped grid.
 *
 * @param dims - `[nx, ny, nz]` of `data`.
 * @returns the swapped grid and its dims `[nz, ny, nx]`.
 */
export function swapXZ<T extends Float32Array | Int32Array>(data: T, dims: readonly number[], channels = 1): { data: T; dims: [number, number, number] } {
  const [nx, ny, nz] = dims;
  if (data.length !== nx * ny * nz * channels) throw new RangeError(`swapXZ: ${data.length} values, expected ${nx}·${ny}·${nz}·${channels}`);
  const out = new (data.constructor as new (n: number) => T)(data.length);
  let v = 0;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, v++) {
        const to = ((x * ny + y) * nz + z) * channels;
        for (let c = 0; c < channels; c++) out[to + c] = data[v * channels + c];
      }
    }
  }
  return { data: out, dims: [nz, ny, nx] };
}
