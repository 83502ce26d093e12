import { gaussianBlur } from './gaussianBlur.js';
import type { SeededRandom } from './seededRandom.js';

/** Options of {@link smoothRandomField}. */
export interface SmoothRandomFieldOptions {
  /** Smoothness: Gaussian standard deviation in samples, per axis `[σx, σy, σz]` (> 0, or 0 for an axis of size 1). */
  sigma: readonly [number, number, number];
  /** Number of components (2 or 3 for a displacement field, 1 for a bias field). */
  channels: number;
  /** The field is rescaled so that its longest vector (Euclidean norm over channels) has this length. */
  maxNorm: number;
}

/**
 * A smooth random field: per channel, N(0, 1) noise on a coarse grid of step `max(1, ⌊σ/2⌋)` samples per axis,
 * smoothed there with the separable `gaussianBlur` (σ / step), upsampled to full resolution by separable linear
 * interpolation, then scaled so the longest vector has norm `maxNorm`. Drawing and smoothing the noise at a step
 * of σ/2 keeps the field's smoothness while costing about step^d times less than at full resolution.
 *
 * @param rng - the generator the noise is drawn from (advanced by one normal deviate per coarse sample and channel).
 * @param dims - full-resolution size `[n0, n1, n2]`, first axis fastest (use 1 for unused axes).
 * @returns `channels` Float32Arrays of `n0·n1·n2` values, first axis fastest.
 * @throws RangeError when a σ is negative or not finite, or `maxNorm` is negative.
 */
export function smoothRandomField(
  rng: SeededRandom,
  dims: readonly [number, number, number],
  options: SmoothRandomFieldOptions,
): Float32Array[] {
  const { sigma, channels, maxNorm } = options;
  if (sigma.some((s) => !(s >= 0) || !Number.isFinite(s)) || !(maxNorm >= 0) || !Number.isFinite(maxNorm)) {
    throw new RangeError(`smoothRandomField: sigma ${JSON.stringify(sigma)} and maxNorm ${maxNorm} must be finite and ≥ 0`);
  }
  const step = sigma.map((s) => Math.max(1, Math.floor(s / 2)));
  const coarse = dims.map((d, a) => Math.ceil((d - 1) / step[a]) + 1) as [number, number, number];
  const m = coarse[0] * coarse[1] * coarse[2];
  const n = dims[0] * dims[1] * dims[2];
  // All noise is drawn before any smoothing, so the stream does not depend on σ.
  const noise = Array.from({ length: channels }, () => {
    const a = new Float32Array(m);
    for (let i = 0; i < m; i++) a[i] = rng.normal();
    return a;
  });
  const fields = noise.map((f) => {
    let cur = gaussianBlur(f, coarse, { sigma: sigma.map((s, a) => s / step[a]) });
    const shape = [...coarse];
    for (let a = 0; a < 3; a++) {
      if (shape[a] !== dims[a]) cur = upsampleAxis(cur, shape, a, dims[a], step[a]);
      shape[a] = dims[a];
    }
    return cur;
  });
  let max2 = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (const f of fields) s += f[i] * f[i];
    if (s > max2) max2 = s;
  }
  const k = max2 > 0 ? maxNorm / Math.sqrt(max2) : 0;
  for (const f of fields) for (let i = 0; i < n; i++) f[i] *= k;
  return fields;
}

/** Linear interpolation along axis `a` of a field of size `shape` (first axis fastest): output p reads input p/step. */
function upsampleAxis(src: Float32Array, shape: readonly number[], a: number, size: number, step: number): Float32Array {
  const inner = a === 0 ? 1 : a === 1 ? shape[0] : shape[0] * shape[1];
  const outer = src.length / (inner * shape[a]);
  const out = new Float32Array(outer * size * inner);
  const i0 = new Int32Array(size), i1 = new Int32Array(size), w = new Float32Array(size);
  for (let p = 0; p < size; p++) {
    const t = p / step;
    i0[p] = Math.floor(t);
    i1[p] = Math.min(i0[p] + 1, shape[a] - 1);
    w[p] = t - i0[p];
  }
  for (let o = 0; o < outer; o++) {
    const sBase = o * shape[a] * inner, dBase = o * size * inner;
    for (let p = 0; p < size; p++) {
      const r0 = sBase + i0[p] * inner, r1 = sBase + i1[p] * inner, d = dBase + p * inner, wp = w[p];
      for (let q = 0; q < inner; q++) out[d + q] = src[r0 + q] + wp * (src[r1 + q] - src[r0 + q]);
    }
  }
  return out;
}
