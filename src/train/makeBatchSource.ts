import type { LoadVolume } from '../data/loadExam.js';
import { makePatchSampler, type PatchSamplerState } from '../data/makePatchSampler.js';
import { makeSampler, type SamplerState } from '../data/makeSampler.js';
import type { StandardiseOptions } from '../data/standardise.js';
import type { ModelMetadata } from '../model/modelFiles.js';
import type { ResolvedTrainOptions } from './resolveTrainOptions.js';

/** One batch for a step, whatever the model kind. */
export interface StepBatch {
  labelled: Float32Array;
  labels: Int32Array;
  unlabelled: Float32Array | null;
  labelledCount: number;
  unlabelledCount: number;
  /** Shape of one sample without the batch (`[H, W, k]` or `[D, H, W, 1]`) and of one label map. */
  sampleShape: number[];
  labelShape: number[];
}

export interface BatchSource {
  next(): Promise<StepBatch>;
  getState(): SamplerState | PatchSamplerState;
}

/**
 * The training batches of a run, whatever the model kind: 2.5D samples (`makeSampler`) or 3D patches
 * (`makePatchSampler`), seeded, resumable from `state`.
 */
export function makeBatchSource(
  o: ResolvedTrainOptions,
  metadata: ModelMetadata,
  intensity: StandardiseOptions,
  state: SamplerState | PatchSamplerState | null,
  trainLoad: LoadVolume,
): BatchSource {
  const common = {
    exams: o.train,
    unlabelled: o.unlabelled,
    batchSize: o.batchSize,
    unlabelledPerLabelled: o.unlabelledPerLabelled,
    intensity,
    seed: o.seed,
    examsInMemory: o.examsInMemory,
    load: trainLoad,
    numLabels: o.prior.numLabels,
  };
  if (metadata.kind === '3d') {
    const [d, h, w] = metadata.inputShape;
    const sampler = makePatchSampler({ ...common, patch: [d, h, w], state: (state as PatchSamplerState | null) ?? undefined });
    return {
      next: async () => {
        const b = await sampler.nextBatch();
        return { ...b, sampleShape: [d, h, w, 1], labelShape: [d, h, w] };
      },
      getState: () => sampler.getState(),
    };
  }
  const [h, w, k] = metadata.inputShape;
  const sampler = makeSampler({
    ...common,
    axis: metadata.axis ?? 1,
    k,
    padTo: [h, w],
    emptySliceWeight: o.emptySliceWeight,
    augmentation: o.augmentation,
    state: (state as SamplerState | null) ?? undefined,
  });
  return {
    next: async () => {
      const b = await sampler.nextBatch();
      return {
        labelled: b.images,
        labels: b.labels,
        unlabelled: b.unlabelled,
        labelledCount: b.batchSize,
        unlabelledCount: b.unlabelledSize,
        sampleShape: [h, w, k],
        labelShape: [h, w],
      };
    },
    getState: () => sampler.getState(),
  };
}
