import type { LayersModel } from '@tensorflow/tfjs-layers';
import { loadExam, type LoadVolume } from '../data/loadExam.js';
import { checkModelForPrior } from '../model/checkModelForPrior.js';
import { makeModSegNet } from '../model/makeModSegNet.js';
import { makeUNet3d } from '../model/makeUNet3d.js';
import { loadModel, type ModelMetadata } from '../model/modelFiles.js';
import { toLogits } from '../model/toLogits.js';
import { withInputShape } from '../model/withInputShape.js';
import { sliceAxis } from '../volume/sliceAxis.js';
import { DEFAULT_CROP_MARGIN_VOXELS, resolveInputOrder } from '../infer/segmentVolume.js';
import type { ResolvedTrainOptions } from './resolveTrainOptions.js';

/**
 * Build the model when starting (not resuming): from `init`, or a new ModSegNet / 3D U-Net; its metadata.
 *
 * From `init`: the model must output the logits of the prior's classes (a final softmax is removed, a linear output
 * is taken as logits). A 3D model is rebuilt for the training patch when it declares another input size, and its
 * metadata keeps the declared shape as `publishedInputShape`, which `saveModel` writes back (so a fine-tuned
 * brainchop model still declares 256³). A model whose layers are all frozen has them unfrozen.
 *
 * A 3D model's metadata records its input order (`architecture.inputOrder`, else `resolveInputOrder` of the `init`
 * model: its recorded order, else brainchop's `'xyz'` for a model without nonadj metadata), so that training,
 * validation and later `segment` feed it the axes it learnt on; a model without nonadj metadata also keeps brainchop's
 * head crop (`crop: DEFAULT_CROP_MARGIN_VOXELS`), so that `segment` runs the fine-tuned model as it ran the original.
 * A new network records nothing unless `'xyz'` is asked for (absent = `'zyx'`).
 *
 * @throws Error for an `inputOrder` given with a 2.5D model.
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
    // A model given as an object stays the caller's (toLogits may share its layers): only a loaded one is disposed.
    let owned = typeof o.init === 'string';
    const replace = (next: LayersModel) => {
      if (owned) model.dispose();
      model = next;
      owned = true;
    };
    let check;
    try {
      check = checkModelForPrior(model, { numClasses: prior.numLabels });
    } catch (error) {
      throw new Error(`trainSegmenter: --init ${name}: ${(error as Error).message.replace(/^checkModelForPrior: /, '')}`, { cause: error });
    }
    for (const w of check.warnings) o.onWarning?.(w);
    if (model.trainableWeights.length === 0 && model.weights.length > 0) {
      // Exported for inference (brainchop's models freeze every layer): fine-tuning means training them all.
      o.onWarning?.(`--init ${name}: every layer was frozen (trainable: false); all are trained`);
      replace(await rebuild(model, model.inputs[0].shape.slice(1), name));
    }
    const inShape = model.inputs[0].shape.slice(1);
    if (inShape.length === 3 && arch.inputOrder !== undefined) {
      throw new Error(`trainSegmenter: --init ${name} is a 2.5D model; the input order (${arch.inputOrder}) is for 3D models`);
    }
    if (inShape.length === 3) {
      if (inShape.some((d) => d === null)) {
        throw new Error(`trainSegmenter: --init ${name} takes input [${inShape.join(', ')}]; a 2.5D model needs fixed sizes [H, W, k]`);
      }
      const inputShape = inShape as number[];
      const axis = stored?.axis ?? arch.axis ?? 1;
      const k = inputShape[2];
      if (k % 2 === 0) throw new Error(`trainSegmenter: --init ${name} takes ${k} channels; a 2.5D model needs an odd number of stacked slices`);
      return { model, metadata: { ...stored, ...base, kind: '2.5d', inputShape, axis, k } };
    }
    if (inShape[3] !== 1) throw new Error(`trainSegmenter: --init ${name} takes ${inShape[3]} channels per voxel; a 3D model needs 1`);
    // The input order (and, for a foreign model, brainchop's crop) the weights were learnt with, kept with the model.
    const inputOrder = resolveInputOrder(arch.inputOrder, stored);
    const conventions = {
      ...(stored === null || stored.inputOrder !== undefined || inputOrder !== 'zyx' ? { inputOrder } : {}),
      ...(stored === null ? { crop: DEFAULT_CROP_MARGIN_VOXELS } : {}),
    };
    // A 3D network trains on patches of --patch (or, without it, of its own fixed size, or 32³ when it has none).
    // A network declared for another size (brainchop's MeshNet: 256³) is rebuilt for the patch; rebuilding it with a
    // free shape first proves it fully convolutional, with an error naming the layer that is not.
    const fixedSize = inShape.slice(0, 3).every((d) => d !== null) ? (inShape.slice(0, 3) as number[]) : null;
    const patch = arch.patch ?? fixedSize ?? [32, 32, 32];
    const inputShape = [patch[0], patch[1], patch[2], 1];
    if (inShape.some((d, i) => d !== inputShape[i])) {
      (await rebuild(model, [null, null, null, 1], name)).dispose();
      replace(await rebuild(model, inputShape, name));
      const publishedInputShape = stored?.publishedInputShape ?? inShape;
      return { model, metadata: { ...stored, ...base, kind: '3d', inputShape, publishedInputShape, ...conventions } };
    }
    return { model, metadata: { ...stored, ...base, kind: '3d', inputShape, ...conventions } };
  }

  const kind = arch.kind ?? '2.5d';
  if (kind !== '3d' && arch.inputOrder !== undefined) {
    throw new Error(`trainSegmenter: the input order (${arch.inputOrder}) is for 3D models; this run trains a 2.5D one`);
  }
  if (kind === '3d') {
    const filters = arch.filters ?? [8, 16, 32];
    const patch = arch.patch ?? [32, 32, 32];
    const inputShape: [number, number, number, number] = [patch[0], patch[1], patch[2], 1];
    const model = makeUNet3d({ inputShape, numClasses: prior.numLabels, filters, seed: o.seed });
    return { model, metadata: { ...base, kind, inputShape, ...(arch.inputOrder === 'xyz' ? { inputOrder: 'xyz' as const } : {}) } };
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

async function rebuild(model: LayersModel, inputShape: ReadonlyArray<number | null>, name: string): Promise<LayersModel> {
  try {
    return await withInputShape(model, inputShape, { trainable: true });
  } catch (error) {
    throw new Error(`trainSegmenter: --init ${name}: ${(error as Error).message.replace(/^withInputShape: /, '')}`, { cause: error });
  }
}
