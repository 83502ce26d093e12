import type { LoadVolume } from '../data/loadExam.js';
import { makePatchSampler, type PatchSamplerState } from '../data/makePatchSampler.js';
import { makeSampler, type SamplerState } from '../data/makeSampler.js';
import type { StandardiseOptions } from '../data/standardise.js';
import type { ModelMetadata } from '../model/modelFiles.js';
import { resolveInputOrder } from '../infer/segmentVolume.js';
import { swapXZ } from '../volume/swapXZ.js';
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
 * (`makePatchSampler`), seeded, resumable from `state`. 3D patches are fed in the model's input order
 * (`resolveInputOrder` of its metadata): with `'xyz'`, each patch (image, labels, unlabelled image) is the `swapXZ` of
 * the `'zyx'` patch of the transposed size.
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
    // 'xyz' (a brainchop model): the network's (D, H, W) are the grid's (x, y, z), so the sampler draws a box of
    // (x, y, z) = (D, H, W) voxels, i.e. its [z, y, x] patch is [W, H, D], and each patch, image and labels alike, is
    // swapped back to [D, H, W] = [x, y, z]. The losses are the same either way (cross-entropy and Dice are sums over
    // voxels, NonAdjLoss's neighbourhood is a cube, symmetric under exchanging two axes), so this is all training needs.
    const xyz = resolveInputOrder(undefined, metadata) === 'xyz';
    const patch: [number, number, number] = xyz ? [w, h, d] : [d, h, w];
    const sampler = makePatchSampler({ ...common, patch, state: (state as PatchSamplerState | null) ?? undefined });
    return {
      next: async () => {
        const b = await sampler.nextBatch();
        if (xyz) {
          // swapXZ's dims are [nx, ny, nz] of the drawn patch: [D, H, W].
          const dims = [d, h, w];
          b.labelled = swapEachXZ(b.labelled, dims);
          b.labels = swapEachXZ(b.labels, dims);
          if (b.unlabelled) b.unlabelled = swapEachXZ(b.unlabelled, dims);
        }
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

/** `swapXZ` of each of the consecutive grids of `dims` (`[nx, ny, nz]`) that make up `batch`. */
function swapEachXZ<T extends Float32Array | Int32Array>(batch: T, dims: readonly number[]): T {
  const per = dims[0] * dims[1] * dims[2];
  const out = new (batch.constructor as new (n: number) => T)(batch.length);
  for (let start = 0; start < batch.length; start += per) out.set(swapXZ(batch.subarray(start, start + per) as T, dims).data, start);
  return out;
}
