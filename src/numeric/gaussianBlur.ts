import { reflectIndex } from './reflectIndex.js';

/** Options of {@link gaussianBlur}. */
export interface GaussianBlurOptions {
  /** Standard deviation in samples, one for all axes or one per axis (`[σx, σy, σz]`); 0 leaves an axis alone. */
  sigma: number | readonly number[];
  /** Kernel half-width in standard deviations (scipy's default). @default 4 */
  truncate?: number;
}

/**
 * Separable Gaussian blur of a 1D, 2D or 3D field: one 1D convolution per axis, so a kernel of width w costs
 * `w` operations per sample and axis instead of `w^d` (see `bench/data.bench.ts` for the ratio).
 *
 * Kernel: `exp(−t²/2σ²)` sampled at integers `|t| ≤ ⌈truncate·σ⌉`, normalised to sum 1. Borders are mirrored
 * numpy-`reflect`-style (`reflectIndex`), so a constant field stays constant.
 *
 * @param data - samples, first axis fastest (the Volume layout: x fastest); not modified.
 * @param dims - sizes `[n0]`, `[n0, n1]` or `[n0, n1, n2]` with n0 the fastest axis.
 * @returns a new Float32Array of the same length.
 * @throws RangeError when `dims` do not match `data.length`, or a σ is negative or not finite.
 */
export function gaussianBlur(
  data: ArrayLike<number>,
  dims: readonly number[],
  options: GaussianBlurOptions,
): Float32Array {
  const n = dims.reduce((a, b) => a * b, 1);
  if (dims.length < 1 || dims.length > 3 || n !== data.length) {
    throw new RangeError(`gaussianBlur: dims ${dims.join('×')} do not match ${data.length} samples (1 to 3 axes)`);
  }
  const sigmas = typeof options.sigma === 'number' ? dims.map(() => options.sigma as number) : [...options.sigma];
  if (sigmas.length !== dims.length || sigmas.some((s) => !(s >= 0) || !Number.isFinite(s))) {
    throw new RangeError(`gaussianBlur: sigma ${JSON.stringify(options.sigma)}, expected ${dims.length} finite values ≥ 0`);
  }
  const truncate = options.truncate ?? 4;
  let cur = Float32Array.from(data);
  let tmp = new Float32Array(n);
  let stride = 1;
  for (let axis = 0; axis < dims.length; axis++) {
    const len = dims[axis];
    const sigma = sigmas[axis];
    if (sigma > 0 && len > 1) {
      blurAxis(cur, tmp, len, stride, n, gaussianKernel(sigma, truncate));
      [cur, tmp] = [tmp, cur];
    }
    stride *= len;
  }
  return cur;
}

/** Normalised Gaussian taps `w[0..2r]` for offsets `−r..r`. */
export function gaussianKernel(sigma: number, truncate = 4): Float64Array {
  const r = Math.max(1, Math.ceil(truncate * sigma));
  const w = new Float64Array(2 * r + 1);
  let sum = 0;
  // The centre tap is 1 even when σ² underflows to 0 (0/0 would give NaN).
  for (let t = -r; t <= r; t++) sum += w[t + r] = t === 0 ? 1 : Math.exp((-t * t) / (2 * sigma * sigma));
  for (let i = 0; i < w.length; i++) w[i] /= sum;
  return w;
}

/** Convolve every line along one axis (length `len`, step `stride`) of `src` into `dst`. */
function blurAxis(src: Float32Array, dst: Float32Array, len: number, stride: number, n: number, w: Float64Array): void {
  const r = (w.length - 1) / 2;
  // The line is copied with its mirrored margins once, so the inner loop has no bounds checks.
  const line = new Float64Array(len + 2 * r);
  const block = stride * len;
  for (let outer = 0; outer < n; outer += block) {
    for (let inner = 0; inner < stride; inner++) {
      const start = outer + inner;
      for (let t = -r; t < len + r; t++) line[t + r] = src[start + reflectIndex(t, len) * stride];
      for (let i = 0; i < len; i++) {
        let acc = 0;
        for (let t = 0; t < w.length; t++) acc += w[t] * line[i + t];
        dst[start + i * stride] = acc;
      }
    }
  }
}
