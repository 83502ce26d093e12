/** Options of {@link euclideanDistanceTransform}. */
export interface EuclideanDistanceTransformOptions {
  /** Voxel size `[dx, dy, dz]` in millimetres. @default [1, 1, 1] */
  spacingMm?: readonly [number, number, number];
  /** `'distance'` (mm) or `'squared'` (mm², exact for integer spacings). @default 'distance' */
  output?: 'distance' | 'squared';
}

/**
 * Exact Euclidean distance transform with anisotropic spacing (Felzenszwalb & Huttenlocher, "Distance transforms
 * of sampled functions", Theory of Computing 8, 2012): for every voxel, the distance in millimetres to the nearest
 * voxel whose mask value is nonzero (0 on the mask itself). Separable: one pass along each axis, each computing
 * the lower envelope of parabolas of a sampled function in linear time, so the whole transform is O(voxels).
 *
 * @param mask - `nx·ny·nz` values, x fastest; nonzero = feature voxel.
 * @param dims - `[nx, ny, nz]` in voxels.
 * @returns `Float64Array(nx·ny·nz)`, distances (mm) or squared distances (mm²); `Infinity` everywhere when the
 *   mask is empty.
 * @throws RangeError when `mask.length` is not `nx·ny·nz` or a spacing is not positive.
 * @example
 * euclideanDistanceTransform(Uint8Array.from([1, 0, 0]), [3, 1, 1], { spacingMm: [2, 1, 1] }); // [0, 2, 4]
 */
export function euclideanDistanceTransform(
  mask: ArrayLike<number>,
  dims: readonly [number, number, number],
  options: EuclideanDistanceTransformOptions = {},
): Float64Array {
  const [nx, ny, nz] = dims;
  const n = nx * ny * nz;
  const spacing = options.spacingMm ?? [1, 1, 1];
  if (mask.length !== n) throw new RangeError(`euclideanDistanceTransform: mask has ${mask.length} voxels, expected ${nx}×${ny}×${nz} = ${n}`);
  if (!spacing.every((s) => s > 0 && Number.isFinite(s))) {
    throw new RangeError(`euclideanDistanceTransform: spacing ${spacing.join('×')} mm, expected positive numbers`);
  }
  const d = new Float64Array(n);
  const [sx, sy, sz] = spacing;

  // Along x the input is 0 / ∞, so the 1D transform is the distance to the nearest feature in the row: two sweeps.
  for (let row = 0; row < ny * nz; row++) {
    const base = row * nx;
    let last = -Infinity;
    for (let x = 0; x < nx; x++) {
      if (mask[base + x]) last = x;
      d[base + x] = last === -Infinity ? Infinity : (x - last) * sx;
    }
    last = Infinity;
    for (let x = nx - 1; x >= 0; x--) {
      if (mask[base + x]) last = x;
      const right = (last - x) * sx;
      const left = d[base + x];
      const best = right < left ? right : left;
      d[base + x] = best * best;
    }
  }
  const longest = Math.max(nx, ny, nz);
  const f = new Float64Array(longest);
  const out = new Float64Array(longest);
  const v = new Int32Array(longest);
  const z = new Float64Array(longest + 1);
  if (ny > 1) {
    for (let k = 0; k < nz; k++) {
      for (let i = 0; i < nx; i++) {
        const base = i + k * nx * ny;
        let any = false;
        for (let j = 0; j < ny; j++) {
          f[j] = d[base + j * nx];
          if (f[j] !== Infinity) any = true;
        }
        if (!any) continue;
        envelope1d(f, ny, sy, out, v, z);
        for (let j = 0; j < ny; j++) d[base + j * nx] = out[j];
      }
    }
  }
  if (nz > 1) {
    const plane = nx * ny;
    for (let p = 0; p < plane; p++) {
      let any = false;
      for (let k = 0; k < nz; k++) {
        f[k] = d[p + k * plane];
        if (f[k] !== Infinity) any = true;
      }
      if (!any) continue;
      envelope1d(f, nz, sz, out, v, z);
      for (let k = 0; k < nz; k++) d[p + k * plane] = out[k];
    }
  }
  if ((options.output ?? 'distance') === 'distance') for (let t = 0; t < n; t++) d[t] = Math.sqrt(d[t]);
  return d;
}

/**
 * 1D squared-distance transform of `f[0..len)` sampled every `s` mm: `out[p] = min_q ((p − q)·s)² + f[q]`.
 * Samples with `f = ∞` contribute no parabola (their intersections would be NaN); at least one must be finite.
 * `v` and `z` are scratch buffers (length ≥ len and len + 1).
 */
function envelope1d(f: Float64Array, len: number, s: number, out: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = -1;
  for (let q = 0; q < len; q++) {
    const fq = f[q];
    if (fq === Infinity) continue;
    const pq = q * s;
    if (k < 0) {
      k = 0;
      v[0] = q;
      z[0] = -Infinity;
      z[1] = Infinity;
      continue;
    }
    let cross: number;
    for (;;) {
      const r = v[k];
      const pr = r * s;
      // Where the parabolas rooted at q and r meet (in mm along the axis).
      cross = (fq + pq * pq - (f[r] + pr * pr)) / (2 * (pq - pr));
      // z[0] = −∞, so this stops at k = 0 at the latest.
      if (cross <= z[k]) k--;
      else break;
    }
    k++;
    v[k] = q;
    z[k] = cross;
    z[k + 1] = Infinity;
  }
  let j = 0;
  for (let p = 0; p < len; p++) {
    const pp = p * s;
    while (z[j + 1] < pp) j++;
    const delta = pp - v[j] * s;
    out[p] = delta * delta + f[v[j]];
  }
}
