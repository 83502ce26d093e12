import type { LayersModel } from '@tensorflow/tfjs-layers';
import { loadExam, type LoadVolume } from '../data/loadExam.js';
import { checkModelForPrior } from '../model/checkModelForPrior.js';
import { makeModSegNet } from '../model/makeModSegNet.js';
import { makeUNet3d } from '../model/makeUNet3d.js';
import { loadModel, type ModelMetadata } from '../model/modelFiles.js';
import { toLogits } from '../model/toLogits.js';
import { sliceAxis } from '../volume/sliceAxis.js';
import type { ResolvedTrainOptions } from './resolveTrainOptions.js';

/**
 * Build the model when starting (not resuming): from `init`, or a new ModSegNet / 3D U-Net; its metadata.
 */
export async function prepareModel(o: ResolvedTrainOptions, trainLoad: LoadVolume): Promise<{ model: LayersModel; metadata: ModelMetadata }> {
  const { prior } = o;
  const arch = o.architecture;
  const base = {
    classes: [...prior.labels],
    classNames: [...prior.names],
    prior: { numLabels: prior.numLabels, forbiddenOrderedPairs: prior.forbiddenOrderedPairs, connectivity: prior.connectivity, radius: prior.radius },
  };
  if (o.init !== undefined) {
    let model: LayersModel;
    let stored: ModelMetadata | null = null;
    if (typeof o.init === 'string') ({ model, metadata: stored } = await loadModel(o.init));
    else model = await toLogits(o.init);
    const name = typeof o.init === 'string' ? o.init : `model ${model.name}`;
    let check;
    try {
      check = checkModelForPrior(model, { numClasses: prior.numLabels });
    } catch (error) {
      throw new Error(`trainSegmenter: --init ${name}: ${(error as Error).message.replace(/^checkModelForPrior: /, '')}`, { cause: error });
    }
    for (const w of check.warnings) o.onWarning?.(w);
    const inShape = model.inputs[0].shape.slice(1);
    if (inShape.some((d) => d === null)) {
      throw new Error(`trainSegmenter: --init ${name} takes input [${inShape.join(', ')}]; expected fixed sizes ([H, W, k] or [D, H, W, 1])`);
    }
    const kind = inShape.length === 3 ? '2.5d' : '3d';
    const inputShape = inShape as number[];
    if (kind === '2.5d') {
      const axis = stored?.axis ?? arch.axis ?? 1;
      const k = inputShape[2];
      if (k % 2 === 0) throw new Error(`trainSegmenter: --init ${name} takes ${k} channels; a 2.5D model needs an odd number of stacked slices`);
      return { model, metadata: { ...stored, ...base, kind, inputShape, axis, k } };
    }
    if (inputShape[3] !== 1) throw new Error(`trainSegmenter: --init ${name} takes ${inputShape[3]} channels per voxel; a 3D model needs 1`);
    return { model, metadata: { ...stored, ...base, kind, inputShape } };
  }

  const kind = arch.kind ?? '2.5d';
  if (kind === '3d') {
    const filters = arch.filters ?? [8, 16, 32];
    const patch = arch.patch ?? [32, 32, 32];
    const inputShape: [number, number, number, number] = [patch[0], patch[1], patch[2], 1];
    const model = makeUNet3d({ inputShape, numClasses: prior.numLabels, filters, seed: o.seed });
    return { model, metadata: { ...base, kind, inputShape } };
  }
  const filters = arch.filters ?? [32, 64, 128, 256];
  const k = arch.k ?? 7;
  const axis = arch.axis ?? 1;
  let padTo = arch.padTo;
  if (padTo === undefined) {
    const { image } = await loadExam(o.train[0], { load: trainLoad, read: 'image' });
    const g = sliceAxis(image.dims, axis);
    const m = 2 ** filters.length;
    padTo = [Math.ceil(g.height / m) * m, Math.ceil(g.width / m) * m];
  }
  const inputShape: [number, number, number] = [padTo[0], padTo[1], k];
  const model = makeModSegNet({ inputShape, numClasses: prior.numLabels, filters, seed: o.seed });
  return { model, metadata: { ...base, kind, inputShape, axis, k } };
}
