import type { StandardiseOptions } from './standardise.js';

/**
 * The intensity choices `segment --intensity` and `train --intensity` take, as text:
 * - `zscore` (or `image`, its older name): each image z-scored over its nonzero voxels;
 * - `dataset` (train only): z-scored with the training set's statistics, computed once and stored with the model;
 * - `minmax`: each image to [0, 1] by its minimum and maximum;
 * - `quantile`: brainchop's quantile scaling, the 5 % quantile to 0 and the 95 % to 1 (no clipping);
 *   `quantile:<lower>,<upper>` for other quantiles, e.g. `quantile:0.02,0.98`;
 * - `none`: the intensities as they are.
 */
export const INTENSITY_CHOICES = 'zscore, minmax, quantile[:lower,upper], none (train also: dataset)';

/**
 * Parse an intensity choice ({@link INTENSITY_CHOICES}).
 *
 * @returns the standardisation, or `'dataset'` (whose statistics the training set gives).
 * @throws RangeError naming the text and the choices when it is none of them, or its quantiles are not
 *   0 ≤ lower < upper ≤ 1.
 */
export function parseIntensity(text: string): StandardiseOptions | 'dataset' {
  const t = text.trim();
  if (t === 'zscore' || t === 'image') return { mode: 'image', region: 'nonzero' };
  if (t === 'dataset') return 'dataset';
  if (t === 'minmax' || t === 'none') return { mode: t };
  if (t === 'quantile') return { mode: 'quantile', lower: 0.05, upper: 0.95 };
  const m = /^quantile:([^,]*),(.*)$/.exec(t);
  if (m) {
    const lower = Number(m[1]);
    const upper = Number(m[2]);
    if (m[1].trim() !== '' && m[2].trim() !== '' && lower >= 0 && lower < upper && upper <= 1) return { mode: 'quantile', lower, upper };
    throw new RangeError(`intensity "${text}": quantiles must satisfy 0 ≤ lower < upper ≤ 1`);
  }
  throw new RangeError(`intensity "${text}" is not one of ${INTENSITY_CHOICES}`);
}
