import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { makeNonAdjacencyLoss } from '../loss/makeNonAdjacencyLoss.js';
import { checkSegmentation } from '../metric/checkSegmentation.js';
import { diceScore } from '../metric/diceScore.js';
import type { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import { makeVolume, type Volume } from '../volume/Volume.js';
import { extractPatch3d } from '../data/extractPatch3d.js';
import type { TrainingExam } from '../data/findTrainingExams.js';
import { loadExam, type LoadVolume } from '../data/loadExam.js';
import { make25dSample } from '../data/make25dSample.js';
import { patchGrid } from '../data/patchGrid.js';
import type { SliceAxisIndex } from '../volume/sliceAxis.js';
import { standardise, standardiseParams, type StandardiseOptions } from '../data/standardise.js';
import { predictSlices } from '../infer/predictSlices.js';
import { segmentVolume, type InputOrder } from '../infer/segmentVolume.js';
import { swapXZ } from '../volume/swapXZ.js';
import type { BatchForward } from '../infer/makeInferenceEngine.js';

/** Options of {@link validateModel}. */
export interface ValidateModelOptions {
  /** The prior: its label codes name the model's output channels, and it defines the forbidden pairs. */
  prior: AdjacencyPrior;
  /** Validation exams (each with its label map, in the prior's label codes). */
  exams: readonly TrainingExam[];
  /** `'2.5d'` (slices along `axis`) or `'3d'` (as `segmentVolume` runs it). */
  kind: '2.5d' | '3d';
  /** 2.5D slicing axis. @default 1 */
  axis?: SliceAxisIndex;
  /**
   * 3D: the array axes fed to the network's `(D, H, W)`, as in training (`makeBatchSource`) and `segmentVolume`: with
   * `'xyz'` the volume is predicted, and its validation patches drawn, on the `swapXZ` of the grid. @default 'zyx'
   */
  inputOrder?: InputOrder;
  /**
   * 3D: the head-box margin `segment` crops this model's images with (`ModelMetadata.crop`: a brainchop model
   * fine-tuned by `train --init` records 8), or `false` for the whole grid, so that validation predicts what `segment`
   * will. @default false
   */
  crop?: number | false;
  /** Intensity standardisation, as in training. */
  intensity: StandardiseOptions;
  /**
   * Slices (2.5D) or patches (3D) per exam on which the validation NonAdjLoss is computed: evenly spaced over
   * those whose truth holds a label > 0. @default 16
   */
  samplesPerExam?: number;
  /** Slices or patches per forward pass. @default 4 */
  batchSize?: number;
  /** How files are read. */
  load?: LoadVolume;
  /**
   * The forward pass of another engine (`makeInferenceEngine`'s onnxruntime, exported from the current weights) for
   * every prediction of the validation; default: `model.predict` on tfjs (for a 3D model, as `segmentVolume` uses it).
   */
  forward?: BatchForward;
}

/** Validation numbers of one exam. */
export interface ExamValidation {
  id: string;
  /**
   * Mean Dice over labels (`diceScore`: background = the prior's first label excluded, a label present in the truth
   * or the prediction counts); null when neither map holds a foreground label.
   */
  dice: number | null;
  /** Forbidden unordered label pairs and contacts (unordered voxel pairs) of the prediction (`checkSegmentation`). */
  forbiddenPairs: number;
  forbiddenContacts: number;
}

/** Result of {@link validateModel}. */
export interface ValidateModelResult {
  /** Mean over the exams with a Dice value of each exam's mean Dice (`diceScore`'s convention, as `nonadj evaluate`). */
  meanDice: number;
  /** Means over exams of the forbidden pairs and contacts of the whole-volume predictions. */
  forbiddenPairs: number;
  forbiddenContacts: number;
  /**
   * Unweighted (λ = 1) NonAdjLoss of the model's probabilities on the validation samples (see
   * `samplesPerExam`), as if they formed one batch: what the λ controller's model selection minimises.
   */
  nonAdjacency: number;
  exams: ExamValidation[];
}

/**
 * Evaluate a segmentation model on whole validation volumes, as training sees them after each epoch:
 *
 * - every exam is predicted whole, in the prior's label codes: a 2.5D model by `predictSlices` (every slice), a 3D
 *   model by `segmentVolume`, the function `nonadj segment` runs, with the model's input order and crop. That is, a
 *   fully convolutional 3D chain (brainchop's MeshNet, fine-tuned by `train --init`) runs on the whole volume or head
 *   box at once, and any other 3D model (nonadj's U-Net, whose skip connections are not a chain) over overlapping
 *   patches of its input size (`predictPatches3d`). Why not patches for every 3D model: a MeshNet's receptive field
 *   (93 voxels for `model30chan50cls`) is wider than the training patch, so tiles of that size label their borders
 *   from padding instead of the neighbouring anatomy, and the validation Dice would not be the Dice `segment`
 *   gives the trained model;
 * - Dice per label by `diceScore` (the Dice of `evaluateSegmentation`: background — the prior's first label —
 *   excluded, a label present in the truth or the prediction counts, so a hallucinated structure scores 0),
 *   averaged per exam, then over the exams that have a value;
 * - forbidden label pairs and contacts of each predicted volume (`checkSegmentation` with the prior);
 * - the validation NonAdjLoss (METHOD.md §4's model selection): NonAdjLoss with λ = 1 of the outputs (logits, softmax taken inside the loss) on
 *   `samplesPerExam` slices (patches) per exam, evenly spaced among those with foreground. The loss is normalised
 *   by the number of pixels, so this equals the loss of all those samples taken as one batch.
 *
 * @throws Error from reading exams (naming them); RangeError when the model does not fit the prior or the volumes,
 *   or when no exam has a foreground label in its truth or prediction (the mean Dice would be undefined).
 */
export async function validateModel(model: LayersModel, options: ValidateModelOptions): Promise<ValidateModelResult> {
  const { prior, kind } = options;
  const axis = options.axis ?? 1;
  const samplesPerExam = options.samplesPerExam ?? 16;
  const batchSize = options.batchSize ?? 4;
  const nonAdjacency = makeNonAdjacencyLoss(prior, { nanCheck: 'off', inputs: 'logits' });
  const classes = [...prior.labels];
  const inShape = model.inputs[0].shape;
  const exams: ExamValidation[] = [];
  let nonAdjSum = 0;
  let nonAdjCount = 0;

  for (const exam of options.exams) {
    const { image, labels: truth } = await loadExam(exam, { load: options.load, read: 'both' });
    if (truth === null) throw new Error(`validateModel: validation exam ${exam.id} has no label map`);
    const params = standardiseParams(image, options.intensity);
    const imagePad = -params.mean / params.std;
    // 'xyz': the grid the network sees is the swapped one; its predicted labels are swapped back for the metrics.
    const swap = kind === '3d' && options.inputOrder === 'xyz';
    const grid = swap
      ? swapXZ(standardise(image, { mode: 'dataset', ...params }), image.dims)
      : { dims: image.dims, data: standardise(image, { mode: 'dataset', ...params }) };
    const seen = swap ? swapXZ(truth.data instanceof Int32Array ? truth.data : Int32Array.from(truth.data), image.dims).data : truth.data;
    // 3D: segment's own path (it standardises, swaps and crops the image itself), labels on the image's grid.
    const labels =
      kind === '2.5d'
        ? (await predictSlices(model, grid, { axis, classes, imagePad, batchSize, forward: options.forward })).labels
        : (
            await segmentVolume(model, image, {
              metadata: null,
              classes,
              intensity: options.intensity,
              inputOrder: options.inputOrder ?? 'zyx',
              crop: options.crop ?? false,
              batchSize,
              forward: options.forward,
            })
          ).labels.data;
    const predicted: Volume<Int32Array> = makeVolume(image.dims, labels, { spacingMm: image.spacingMm, affine: image.affine });
    const check = checkSegmentation(predicted, prior, { source: `validation exam ${exam.id}` });
    const dice = diceScore(labels, truth.data, { backgroundLabel: prior.labels[0], source: `validateModel: validation exam ${exam.id}` }).meanDice;
    exams.push({ id: exam.id, dice, forbiddenPairs: check.forbiddenPairs, forbiddenContacts: check.forbiddenContacts });

    // Validation NonAdjLoss on evenly spaced samples with foreground.
    const samples: Float32Array[] = [];
    let sampleShape: number[];
    if (kind === '2.5d') {
      const [, h, w, k] = inShape as number[];
      sampleShape = [h, w, k];
      const withForeground = slicesWithForeground(truth.data, image.dims, axis);
      for (const index of evenlySpaced(withForeground, samplesPerExam)) {
        samples.push(make25dSample(grid, null, { axis, index, k, padTo: [h, w], imagePad }).image);
      }
    } else {
      const [, d, h, w] = inShape as number[];
      sampleShape = [d, h, w, 1];
      const origins = patchGrid(grid.dims, { size: [w, h, d] }).filter((origin) =>
        hasForeground(extractPatch3d({ dims: grid.dims, data: seen }, null, { origin, size: [w, h, d] }).image),
      );
      for (const origin of evenlySpaced(origins, samplesPerExam)) {
        samples.push(extractPatch3d(grid, null, { origin, size: [w, h, d], imagePad }).image);
      }
    }
    const per = sampleShape.reduce((a, b) => a * b, 1);
    for (let start = 0; start < samples.length; start += batchSize) {
      const chunk = samples.slice(start, start + batchSize);
      const batch = new Float32Array(chunk.length * per);
      chunk.forEach((s, i) => batch.set(s, i * per));
      const shape = [chunk.length, ...sampleShape];
      const logits = options.forward ? await options.forward(batch, shape) : null;
      const outShape = [...shape.slice(0, -1), classes.length];
      const loss = tf.tidy(() => nonAdjacency(logits ? tf.tensor(logits, outShape) : (model.predict(tf.tensor(batch, shape)) as tf.Tensor)));
      nonAdjSum += (await loss.data())[0] * chunk.length;
      nonAdjCount += chunk.length;
      loss.dispose();
    }
  }
  const mean = (f: (e: ExamValidation) => number) => exams.reduce((a, e) => a + f(e), 0) / Math.max(1, exams.length);
  const scored = exams.flatMap((e) => (e.dice === null ? [] : [e.dice]));
  if (scored.length === 0 && exams.length > 0) {
    throw new RangeError(`validateModel: none of the ${exams.length} validation exams has a foreground label in its truth or prediction, so the mean Dice is undefined`);
  }
  return {
    meanDice: scored.reduce((a, d) => a + d, 0) / Math.max(1, scored.length),
    forbiddenPairs: mean((e) => e.forbiddenPairs),
    forbiddenContacts: mean((e) => e.forbiddenContacts),
    nonAdjacency: nonAdjCount > 0 ? nonAdjSum / nonAdjCount : 0,
    exams,
  };
}

/** Slice indices along `axis` whose labels hold a value > 0 (all slices when none does). */
function slicesWithForeground(labels: ArrayLike<number>, dims: readonly [number, number, number], axis: SliceAxisIndex): number[] {
  const [nx, ny, nz] = dims;
  const flags = new Uint8Array(dims[axis]);
  for (let z = 0, v = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, v++) if (labels[v] > 0) flags[axis === 0 ? x : axis === 1 ? y : z] = 1;
  const out = [...flags.keys()].filter((i) => flags[i] === 1);
  return out.length > 0 ? out : [...flags.keys()];
}

function hasForeground(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (values[i] > 0) return true;
  return false;
}

/** Up to `n` items of `items`, evenly spaced (all of them when there are at most n). */
function evenlySpaced<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  return Array.from({ length: n }, (_, i) => items[Math.floor(((i + 0.5) * items.length) / n)]);
}
