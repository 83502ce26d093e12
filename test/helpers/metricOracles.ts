/**
 * Independent oracles for `src/metric/`: direct loops over voxels and pairs, written without the production
 * code's runs, envelopes or crops. Slow (quadratic where noted); for small test volumes only.
 */

type Dims = readonly [number, number, number];

const coords = (v: number, [nx, ny]: Dims): [number, number, number] => [v % nx, Math.floor(v / nx) % ny, Math.floor(v / (nx * ny))];

/** Offsets of the 6/18/26 neighbourhood at Chebyshev distance ≤ radius, centre excluded. */
export function oracleOffsets(connectivity: 6 | 18 | 26 = 26, radius = 1): Array<[number, number, number]> {
  const maxAxes = { 6: 1, 18: 2, 26: 3 }[connectivity];
  const out: Array<[number, number, number]> = [];
  for (let dz = -radius; dz <= radius; dz++)
    for (let dy = -radius; dy <= radius; dy++)
      for (let dx = -radius; dx <= radius; dx++) {
        const moved = Number(dx !== 0) + Number(dy !== 0) + Number(dz !== 0);
        if (moved > 0 && moved <= maxAxes) out.push([dx, dy, dz]);
      }
  return out;
}

/** Squared-distance EDT by brute force: O(voxels²). Infinity when the mask is empty. */
export function bruteForceEdt(mask: ArrayLike<number>, dims: Dims, spacing: readonly [number, number, number]): Float64Array {
  const n = dims[0] * dims[1] * dims[2];
  const features: Array<[number, number, number]> = [];
  for (let v = 0; v < n; v++) if (mask[v]) features.push(coords(v, dims));
  const out = new Float64Array(n).fill(Infinity);
  for (let v = 0; v < n; v++) {
    const [i, j, k] = coords(v, dims);
    for (const [a, b, c] of features) {
      const d = ((i - a) * spacing[0]) ** 2 + ((j - b) * spacing[1]) ** 2 + ((k - c) * spacing[2]) ** 2;
      if (d < out[v]) out[v] = d;
    }
  }
  return out;
}

/** Surface voxels (face neighbour outside the mask or the grid), as a list of voxel indices. */
export function bruteForceSurface(mask: ArrayLike<number>, dims: Dims): number[] {
  const [nx, ny, nz] = dims;
  const out: number[] = [];
  const inside = (i: number, j: number, k: number) => i >= 0 && j >= 0 && k >= 0 && i < nx && j < ny && k < nz && !!mask[i + nx * (j + ny * k)];
  for (let v = 0; v < nx * ny * nz; v++) {
    if (!mask[v]) continue;
    const [i, j, k] = coords(v, dims);
    const faces: Array<[number, number, number]> = [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]];
    if (faces.some(([a, b, c]) => !inside(i + a, j + b, k + c))) out.push(v);
  }
  return out;
}

/** Directed surface distances by pairwise search over surface voxels: O(|∂A|·|∂B|). */
export function bruteForceSurfaceDistances(a: ArrayLike<number>, b: ArrayLike<number>, dims: Dims, spacing: readonly [number, number, number]) {
  const sa = bruteForceSurface(a, dims).map((v) => coords(v, dims));
  const sb = bruteForceSurface(b, dims).map((v) => coords(v, dims));
  const directed = (from: Array<[number, number, number]>, to: Array<[number, number, number]>) =>
    from.map(([i, j, k]) => Math.min(...to.map(([x, y, z]) => Math.hypot((i - x) * spacing[0], (j - y) * spacing[1], (k - z) * spacing[2]))));
  return { aToB: directed(sa, sb), bToA: directed(sb, sa) };
}

/** numpy.percentile (linear) written out again. */
export function numpyPercentile(values: readonly number[], q: number): number {
  const s = [...values].sort((x, y) => x - y);
  const h = ((s.length - 1) * q) / 100;
  return s[Math.floor(h)] + (h - Math.floor(h)) * (s[Math.ceil(h)] - s[Math.floor(h)]);
}

/** Connected components by breadth-first flood fill; returns a component id per voxel (−1 for −1 voxels). */
export function bruteForceComponents(labels: ArrayLike<number>, dims: Dims, connectivity: 6 | 18 | 26): Int32Array {
  const [nx, ny, nz] = dims;
  const n = nx * ny * nz;
  const comp = new Int32Array(n).fill(-2);
  const offsets = oracleOffsets(connectivity, 1);
  let next = 0;
  for (let s = 0; s < n; s++) {
    if (labels[s] === -1) comp[s] = -1;
    if (comp[s] !== -2) continue;
    const id = next++;
    comp[s] = id;
    const queue = [s];
    while (queue.length > 0) {
      const v = queue.pop()!;
      const [i, j, k] = coords(v, dims);
      for (const [a, b, c] of offsets) {
        const x = i + a, y = j + b, z = k + c;
        if (x < 0 || y < 0 || z < 0 || x >= nx || y >= ny || z >= nz) continue;
        const u = x + nx * (y + ny * z);
        if (comp[u] === -2 && labels[u] === labels[s]) {
          comp[u] = id;
          queue.push(u);
        }
      }
    }
  }
  return comp;
}

/** Labelled voxels none of whose in-grid neighbours carries another value (−1 counts as another value). */
export function bruteForceInterior(labels: ArrayLike<number>, dims: Dims, connectivity: 6 | 18 | 26 = 26, radius = 1): number {
  const [nx, ny, nz] = dims;
  const offsets = oracleOffsets(connectivity, radius);
  let count = 0;
  for (let v = 0; v < nx * ny * nz; v++) {
    if (labels[v] < 0) continue;
    const [i, j, k] = coords(v, dims);
    const ok = offsets.every(([a, b, c]) => {
      const x = i + a, y = j + b, z = k + c;
      if (x < 0 || y < 0 || z < 0 || x >= nx || y >= ny || z >= nz) return true;
      return labels[x + nx * (y + ny * z)] === labels[v];
    });
    if (ok) count++;
  }
  return count;
}

/** A `nx·ny·nz` Uint8Array holding `fill` inside the box `[min, max]` (inclusive) and `background` elsewhere. */
export function boxVolume(dims: Dims, min: readonly number[], max: readonly number[], fill = 1, background = 0): Uint8Array {
  const [nx, ny, nz] = dims;
  const out = new Uint8Array(nx * ny * nz).fill(background);
  for (let k = min[2]; k <= max[2]; k++) for (let j = min[1]; j <= max[1]; j++) for (let i = min[0]; i <= max[0]; i++) out[i + nx * (j + ny * k)] = fill;
  return out;
}

/** A ball of radius `r` voxels (centre included when distance ≤ r) as a mask. */
export function ballMask(dims: Dims, centre: readonly number[], r: number): Uint8Array {
  const [nx, ny, nz] = dims;
  const out = new Uint8Array(nx * ny * nz);
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) if ((i - centre[0]) ** 2 + (j - centre[1]) ** 2 + (k - centre[2]) ** 2 <= r * r) out[i + nx * (j + ny * k)] = 1;
  return out;
}
