import { intensityStats } from '../data/intensityStats.js';
import { loadExam, type LoadVolume } from '../data/loadExam.js';
import type { StandardiseOptions } from '../data/standardise.js';
import { classWeightsFromCounts } from '../loss/classWeightsFromCounts.js';
import { modelIntensity } from '../model/modelIntensity.js';
import type { ResolvedTrainOptions } from './resolveTrainOptions.js';

/**
 * The intensity standardisation of a run: per image, or the training set's statistics computed once. Without a choice
 * (`o.intensity` undefined), a new network gets each image z-scored over its nonzero voxels, and an `init` model the
 * scaling it was trained with: its nonadj metadata's, else brainchop's quantile scaling (`modelIntensity`, the rule
 * `segment` and `adapt` follow too), which `o.onWarning` reports since it is a guess.
 *
 * @param initIntensity - `ModelMetadata.intensity` of the `init` model (undefined: it has none).
 */
export async function resolveIntensity(o: ResolvedTrainOptions, initIntensity?: Record<string, number | string>): Promise<StandardiseOptions> {
  const i = o.intensity ?? (o.init === undefined ? 'image' : initChoice(o, initIntensity));
  if (i === 'image') return { mode: 'image', region: 'nonzero' };
  if (i === 'dataset') {
    const s = await intensityStats(o.train, { region: 'nonzero', load: o.load });
    return { mode: 'dataset', mean: s.mean, std: s.std };
  }
  return i;
}

function initChoice(o: ResolvedTrainOptions, stored: Record<string, number | string> | undefined): StandardiseOptions {
  const modelName = `--init ${typeof o.init === 'string' ? o.init : `model ${o.init?.name}`}`;
  const choice = modelIntensity(stored, { modelName });
  if (choice.source === 'foreign') o.onWarning?.(choice.message);
  return choice.intensity;
}

/** Median-frequency weights from the voxel counts of each class over the training label maps. */
export async function resolveClassWeights(o: ResolvedTrainOptions, trainLoad: LoadVolume): Promise<number[]> {
  const C = o.prior.numLabels;
  const w = o.classWeights;
  if (w === 'uniform') return new Array<number>(C).fill(1);
  if (w !== 'median-frequency') {
    if (w.length !== C) throw new RangeError(`trainSegmenter: ${w.length} class weights for the prior's ${C} labels`);
    return [...w];
  }
  const counts = new Float64Array(C);
  for (const exam of o.train) {
    const { labels } = await loadExam(exam, { load: trainLoad, read: 'both', numLabels: C });
    if (!labels) throw new Error(`trainSegmenter: training exam ${exam.id} has no label map`);
    const data = labels.data;
    for (let v = 0; v < data.length; v++) if (data[v] >= 0) counts[data[v]]++;
  }
  return Array.from(classWeightsFromCounts(counts));
}
