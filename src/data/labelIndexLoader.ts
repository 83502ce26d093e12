import type { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import type { Volume } from '../volume/Volume.js';
import type { TrainingExam } from './findTrainingExams.js';
import type { LoadVolume } from './loadExam.js';

/**
 * A loader that turns the label maps of `exams` from the prior's label codes into its row indices (what the
 * network's channels are), when they differ (a relabelled, `--contiguous` prior). Images pass through.
 */
export function labelIndexLoader(load: LoadVolume, prior: AdjacencyPrior, exams: readonly TrainingExam[]): LoadVolume {
  if (prior.labels.every((code, i) => code === i)) return load;
  const labelFiles = new Set(exams.map((e) => e.label).filter((f) => f !== undefined));
  return async (file) => {
    const volume = await load(file);
    if (!labelFiles.has(file)) return volume;
    const out = new Int32Array(volume.data.length);
    for (let v = 0; v < out.length; v++) {
      const code = volume.data[v];
      const index = code === -1 ? -1 : prior.indexOfLabel(code);
      if (index === -1 && code !== -1) {
        throw new RangeError(`labelIndexLoader: ${file}: label ${code} is not one of the prior's codes (${prior.labels.slice(0, 10).join(', ')}${prior.labels.length > 10 ? ', …' : ''})`);
      }
      out[v] = index;
    }
    return { ...volume, data: out } as Volume;
  };
}
