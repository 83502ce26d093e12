import type { StandardiseOptions } from '../data/standardise.js';

/**
 * How a model's input intensities were standardised, in the form `ModelMetadata.intensity` stores it:
 * `{ method: 'zscore-image', region: 'nonzero' | 'all' }` (each image with its own statistics),
 * `{ method: 'zscore-dataset', mean, std }` (the training set's statistics), `{ method: 'minmax' }`,
 * `{ method: 'quantile', lower, upper }` or `{ method: 'none' }` (see `StandardiseOptions`).
 */
export function intensityMetadata(options: StandardiseOptions): Record<string, number | string> {
  switch (options.mode) {
    case 'dataset':
      return { method: 'zscore-dataset', mean: options.mean, std: options.std };
    case 'image':
      return { method: 'zscore-image', region: options.region ?? 'nonzero' };
    case 'quantile':
      return { method: 'quantile', lower: options.lower, upper: options.upper };
    default:
      return { method: options.mode };
  }
}

/**
 * The standardisation a model without nonadj metadata gets: brainchop's quantile scaling (5 % → 0, 95 % → 1), since
 * the tfjs layers models without nonadj's metadata that segment brains are brainchop's, and its recent models are
 * trained on that scaling (its older ones on min-max, which `--intensity minmax` selects).
 */
export const FOREIGN_MODEL_INTENSITY: StandardiseOptions = { mode: 'quantile', lower: 0.05, upper: 0.95 };

/**
 * The inverse of {@link intensityMetadata}: the standardisation to apply to new images.
 *
 * @param stored - `ModelMetadata.intensity`, or undefined (a model from another tool).
 * @param fallback - used when nothing is stored. @default {@link FOREIGN_MODEL_INTENSITY}
 * @throws RangeError when the stored method is unknown or its numbers are missing.
 */
export function intensityFromMetadata(
  stored: Record<string, number | string> | undefined,
  fallback: StandardiseOptions = FOREIGN_MODEL_INTENSITY,
): StandardiseOptions {
  if (stored === undefined) return fallback;
  if (stored.method === 'zscore-dataset' && typeof stored.mean === 'number' && typeof stored.std === 'number') {
    return { mode: 'dataset', mean: stored.mean, std: stored.std };
  }
  if (stored.method === 'zscore-image' && (stored.region === 'nonzero' || stored.region === 'all')) {
    return { mode: 'image', region: stored.region };
  }
  if (stored.method === 'quantile' && typeof stored.lower === 'number' && typeof stored.upper === 'number') {
    return { mode: 'quantile', lower: stored.lower, upper: stored.upper };
  }
  if (stored.method === 'minmax' || stored.method === 'none') return { mode: stored.method };
  throw new RangeError(
    `intensityFromMetadata: model metadata intensity ${JSON.stringify(stored)} is not understood, expected ` +
      `{ method: 'zscore-image', region: 'nonzero' | 'all' }, { method: 'zscore-dataset', mean, std }, ` +
      `{ method: 'quantile', lower, upper }, { method: 'minmax' } or { method: 'none' }`,
  );
}

/** A one-line description of a standardisation, for summaries: `quantile 0.05–0.95`, `z-score (nonzero voxels)`. */
export function describeIntensity(options: StandardiseOptions): string {
  switch (options.mode) {
    case 'dataset':
      return `z-score (training set: mean ${options.mean.toPrecision(4)}, std ${options.std.toPrecision(4)})`;
    case 'image':
      return `z-score (${options.region ?? 'nonzero'} voxels)`;
    case 'quantile':
      return `quantile ${options.lower}–${options.upper}`;
    default:
      return options.mode;
  }
}
