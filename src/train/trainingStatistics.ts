import { intensityStats } from '../data/intensityStats.js';
import { loadExam, type LoadVolume } from '../data/loadExam.js';
import type { StandardiseOptions } from '../data/standardise.js';
import { classWeightsFromCounts } from '../loss/classWeightsFromCounts.js';
import type { ResolvedTrainOptions } from './resolveTrainOptions.js';

/** The intensity standardisation of a run: per image, or the training set's statistics computed once. */
export async function resolveIntensity(o: ResolvedTrainOptions): Promise<StandardiseOptions> {
  const i = o.intensity;
  if (i === 'image') return { mode: 'image', region: 'nonzero' };
  if (i === 'dataset') {
    const s = await intensityStats(o.train, { region: 'nonzero', load: o.load });
    return { mode: 'dataset', mean: s.mean, std: s.std };
  }
  return i;
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
