import type { StandardiseOptions } from '../data/standardise.js';
import { describeIntensity, FOREIGN_MODEL_INTENSITY, intensityFromMetadata } from './intensityMetadata.js';

/** Where {@link modelIntensity}'s choice comes from. */
export type ModelIntensitySource = 'explicit' | 'metadata' | 'foreign';

/** Result of {@link modelIntensity}. */
export interface ModelIntensityChoice {
  /** The standardisation to apply to the model's input images. */
  intensity: StandardiseOptions;
  /**
   * `'explicit'`: the caller's (`--intensity`); `'metadata'`: the model's nonadj metadata (how it was trained);
   * `'foreign'`: the model records none, so {@link FOREIGN_MODEL_INTENSITY}, a guess worth telling the user.
   */
  source: ModelIntensitySource;
  /**
   * One line saying which scaling was chosen and why, naming the model, e.g. `model.json records no intensity scaling
   * (no nonadj metadata: a model from another tool, such as brainchop's): quantile 0.05–0.95, brainchop's; --intensity
   * chooses another`.
   */
  message: string;
}

/** Options of {@link modelIntensity}. */
export interface ModelIntensityOptions {
  /** The user's choice, which always wins. */
  explicit?: StandardiseOptions;
  /** How the messages name the model (its file, say). @default 'the model' */
  modelName?: string;
}

/**
 * The intensity standardisation for a model's input: the one rule `segment`, `adapt` and `train --init` share.
 * An explicit choice wins; else the model's nonadj metadata says how it was trained ({@link intensityFromMetadata});
 * a model that records nothing (brainchop's, or any tfjs model from another tool) gets {@link FOREIGN_MODEL_INTENSITY},
 * the quantile scaling to [0, 1] brainchop's models are trained on, never a z-score they have not seen.
 *
 * @param stored - `ModelMetadata.intensity`, or undefined (no metadata, or metadata without it).
 * @throws RangeError (from {@link intensityFromMetadata}) when the stored scaling is not understood.
 */
export function modelIntensity(stored: Record<string, number | string> | undefined, options: ModelIntensityOptions = {}): ModelIntensityChoice {
  const name = options.modelName ?? 'the model';
  if (options.explicit !== undefined) {
    return { intensity: options.explicit, source: 'explicit', message: `intensity ${describeIntensity(options.explicit)} for ${name}, as asked` };
  }
  if (stored !== undefined) {
    const intensity = intensityFromMetadata(stored);
    return { intensity, source: 'metadata', message: `intensity ${describeIntensity(intensity)} for ${name}, as its nonadj metadata records` };
  }
  return {
    intensity: FOREIGN_MODEL_INTENSITY,
    source: 'foreign',
    message:
      `${name} records no intensity scaling (no nonadj metadata: a model from another tool, such as brainchop's), so ` +
      `${describeIntensity(FOREIGN_MODEL_INTENSITY)} as brainchop's models expect; --intensity chooses another`,
  };
}
