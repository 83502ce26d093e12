/**
 * Independent oracle for label-adjacency counts: a direct loop over every voxel and every offset of the
 * Chebyshev cube, written without the production code's neighbourhood tables or run-length encoding.
 *
 * @param labels - x fastest; −1 ignored.
 * @param dims - `[nx, ny, nz]`.
 * @returns `L × L` row-major ordered-pair counts.
 */
export function bruteForceAdjacency(
  labels: ArrayLike<number>,
  dims: readonly [number, number, number],
  L: number,
  connectivity: 6 | 18 | 26 = 26,
  radius = 1,
): Float64Array {
  const [nx, ny, nz] = dims;
  const out = new Float64Array(L * L);
  const maxAxes = { 6: 1, 18: 2, 26: 3 }[connectivity];
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        const a = labels[x + nx * (y + ny * z)];
        if (a < 0) continue;
        for (let dz = -radius; dz <= radius; dz++)
          for (let dy = -radius; dy <= radius; dy++)
            for (let dx = -radius; dx <= radius; dx++) {
              const moved = Number(dx !== 0) + Number(dy !== 0) + Number(dz !== 0);
              if (moved === 0 || moved > maxAxes) continue;
              const u = x + dx, v = y + dy, w = z + dz;
              if (u < 0 || v < 0 || w < 0 || u >= nx || v >= ny || w >= nz) continue;
              const b = labels[u + nx * (v + ny * w)];
              if (b >= 0) out[a * L + b]++;
            }
      }
  return out;
}
