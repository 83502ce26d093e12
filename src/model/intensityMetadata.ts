import type { StandardiseOptions } from '../data/standardise.js';

/**
 * How a model's input intensities were standardised, in the form `ModelMetadata.intensity` stores it:
 * `{ method: 'zscore-image', region: 'nonzero' | 'all' }` (each image with its own statistics) or
 * `{ method: 'zscore-dataset', mean, std }` (the training set's statistics).
 */
export function intensityMetadata(options: StandardiseOptions): Record<string, number | string> {
  return options.mode === 'dataset'
    ? { method: 'zscore-dataset', mean: options.mean, std: options.std }
    : { method: 'zscore-image', region: options.region ?? 'nonzero' };
}

/**
 * The inverse of {@link intensityMetadata}: the standardisation to apply to new images.
 *
 * @param stored - `ModelMetadata.intensity`, or undefined (a model from another tool).
 * @param fallback - used when nothing is stored. @default per-image z-score over nonzero voxels
 * @throws RangeError when the stored method is unknown or its numbers are missing.
 */
export function intensityFromMetadata(
  stored: Record<string, number | string> | undefined,
  fallback: StandardiseOptions = { mode: 'image', region: 'nonzero' },
): StandardiseOptions {
  if (stored === undefined) return fallback;
  if (stored.method === 'zscore-dataset' && typeof stored.mean === 'number' && typeof stored.std === 'number') {
    return { mode: 'dataset', mean: stored.mean, std: stored.std };
  }
  if (stored.method === 'zscore-image' && (stored.region === 'nonzero' || stored.region === 'all')) {
    return { mode: 'image', region: stored.region };
  }
  throw new RangeError(
    `intensityFromMetadata: model metadata intensity ${JSON.stringify(stored)} is not understood, expected ` +
      `{ method: 'zscore-image', region: 'nonzero' | 'all' } or { method: 'zscore-dataset', mean, std }`,
  );
}
