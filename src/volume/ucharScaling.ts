import type { VoxelArray } from './Volume.js';

/** Result of {@link ucharScaling}: intensities map to `clip((v − srcMin) · scale, 0, 255)`. */
export interface UcharScalingResult {
  /** Source intensity mapped to 0 (the histogram's lower cut; the minimum with FreeSurfer's `f_low` = 0). */
  srcMin: number;
  /** Source intensity mapped to 255 (the robust upper cut). */
  srcMax: number;
  /** `255 / (srcMax − srcMin)`, or 1 when they are equal (a constant image). */
  scale: number;
}

/** Options of {@link ucharScaling}. */
export interface UcharScalingOptions {
  /** Fraction of all voxels cut at the low end. @default 0 (FreeSurfer's) */
  fLow?: number;
  /** 1 − the fraction of non-zero voxels cut at the high end. @default 0.999 (FreeSurfer's) */
  fHigh?: number;
}

/**
 * The robust intensity range FreeSurfer uses to turn an image into uchar when conforming (`mri_convert --conform`,
 * `MRIchangeType` with `f_low` 0 and `f_high` 0.999), as FastSurfer's `getscale` re-implements it: a 1000-bin
 * histogram of all voxels between their minimum and maximum; `srcMin` is the bin edge below which `fLow` of all
 * voxels lie; `srcMax` is the edge two bins below the first one where the cumulative count reaches
 * `total − ⌊(1 − fHigh) · nonzero⌋` (so the brightest 0.1 % of non-zero voxels saturate). Bins follow numpy's
 * `histogram` (equal widths, the maximum in the last bin), in double precision.
 *
 * @param data - intensities of one 3D frame, any order.
 * @throws RangeError when `data` is empty or holds a non-finite value, or `fLow`/`fHigh` are not 0 ≤ fLow ≤ fHigh ≤ 1.
 */
export function ucharScaling(data: VoxelArray, options: UcharScalingOptions = {}): UcharScalingResult {
  const fLow = options.fLow ?? 0;
  const fHigh = options.fHigh ?? 0.999;
  if (!(fLow >= 0 && fHigh <= 1 && fLow <= fHigh)) throw new RangeError(`ucharScaling: fLow ${fLow}, fHigh ${fHigh}, expected 0 ≤ fLow ≤ fHigh ≤ 1`);
  const total = data.length;
  if (total === 0) throw new RangeError('ucharScaling: no voxels, expected at least one');
  let min = Infinity;
  let max = -Infinity;
  let nonzero = 0;
  for (let i = 0; i < total; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) throw new RangeError(`ucharScaling: voxel ${i} is ${v}, expected finite intensities`);
    if (v < min) min = v;
    if (v > max) max = v;
    if (Math.abs(v) >= 1e-15) nonzero++;
  }
  if (fLow === 0 && fHigh === 1) return { srcMin: min, srcMax: max, scale: 1 };
  const BINS = 1000;
  // numpy.histogram widens an empty range to ±0.5; numpy.linspace(lo, hi, 1001): lo + i·step, the last edge exactly hi.
  const [lo, hi] = min === max ? [min - 0.5, max + 0.5] : [min, max];
  const step = (hi - lo) / BINS;
  const edges = Float64Array.from({ length: BINS + 1 }, (_, i) => (i === BINS ? hi : lo + i * step));
  const hist = new Float64Array(BINS);
  const norm = BINS / (hi - lo);
  for (let i = 0; i < total; i++) {
    const v = data[i];
    let b = Math.floor((v - lo) * norm);
    if (b >= BINS) b = BINS - 1;
    // numpy's correction of rounding at the edges.
    if (v < edges[b]) b--;
    else if (b < BINS - 1 && v >= edges[b + 1]) b++;
    hist[b]++;
  }
  const cum = new Float64Array(BINS + 1);
  for (let b = 0; b < BINS; b++) cum[b + 1] = cum[b] + hist[b];
  // Python's negative indices, which FastSurfer's "index − 2" can produce when the first bins hold almost everything.
  const edgeAt = (i: number) => edges[i < 0 ? i + BINS + 1 : i];

  const lowerCut = Math.floor(fLow * total);
  let lower = 0;
  for (let b = BINS; b >= 0; b--) {
    if (cum[b] < lowerCut) {
      lower = b + 1;
      break;
    }
  }
  const upperCut = total - Math.floor((1 - fHigh) * nonzero);
  let upper = -1;
  for (let b = 0; b <= BINS; b++) {
    if (cum[b] >= upperCut) {
      upper = b - 2;
      break;
    }
  }
  const srcMin = edgeAt(lower);
  const srcMax = edgeAt(upper);
  return { srcMin, srcMax, scale: srcMin === srcMax ? 1 : 255 / (srcMax - srcMin) };
}
