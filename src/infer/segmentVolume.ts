import os from 'node:os';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { makeVolume, type Volume } from '../volume/Volume.js';
import type { SliceAxisIndex } from '../volume/sliceAxis.js';
import { cropGrid, pasteGrid } from '../volume/cropGrid.js';
import { headBoundingBox, type CropBox } from '../volume/headBoundingBox.js';
import { swapXZ } from '../volume/swapXZ.js';
import { standardise, standardiseParams, type StandardiseOptions } from '../data/standardise.js';
import { modelIntensity } from '../model/modelIntensity.js';
import type { ModelMetadata } from '../model/modelFiles.js';
import { layerwiseStages, predictLayerwise3d, type LayerwiseStage } from './predictLayerwise3d.js';
import { predictPatches3d, type PatchWindow } from './predictPatches3d.js';
import { predictSlices } from './predictSlices.js';
import type { BatchForward } from './makeInferenceEngine.js';
import { argmaxAt, resolveClasses, softmaxInPlace, type VolumePrediction } from './volumePrediction.js';

/**
 * How a 3D network sees a volume's axes, as the array axes fed to its `(D, H, W)`:
 * - `'zyx'`: nonadj's convention, the voxel order as it is (`[nz, ny, nx]`, x fastest, no copy);
 * - `'xyz'`: brainchop's, whose `(x, y, z)` array is fed as `(D, H, W)` (brainchop stacks the slices to `[z, y, x]`
 *   and transposes, `enableTranspose`).
 * A cubic fully convolutional network's shape says nothing about which it was trained with, and the labels of the
 * wrong one are garbage, so it is not guessed from the model: nonadj's models record theirs (`ModelMetadata.inputOrder`,
 * absent = `'zyx'`; a brainchop model fine-tuned by `nonadj train --init` records `'xyz'`), and a model without nonadj
 * metadata is taken to be brainchop's (`'xyz'`) unless told otherwise.
 */
export type InputOrder = NonNullable<ModelMetadata['inputOrder']>;

/**
 * The input order of a 3D model: the option's, else the one its metadata records, else `'zyx'` for a nonadj model
 * (metadata without the field), else brainchop's `'xyz'`. The one rule `segment`, `adapt` and `train --init` share.
 */
export function resolveInputOrder(option: InputOrder | undefined, metadata: ModelMetadata | null): InputOrder {
  return option ?? metadata?.inputOrder ?? (metadata ? 'zyx' : 'xyz');
}

/** The crop margin a 3D model gets by default: 8 voxels for a model without nonadj metadata (brainchop's), none for nonadj's. */
export const DEFAULT_CROP_MARGIN_VOXELS = 8;

/**
 * The head-box crop margin of a 3D model, in voxels, or `false` for the whole grid: the option's, else the one its
 * metadata records (`ModelMetadata.crop`), else none for a nonadj model, else {@link DEFAULT_CROP_MARGIN_VOXELS}
 * (brainchop's).
 */
export function resolveCropMargin(option: number | false | undefined, metadata: ModelMetadata | null): number | false {
  return option ?? metadata?.crop ?? (metadata ? false : DEFAULT_CROP_MARGIN_VOXELS);
}

/** Options of {@link segmentVolume}. */
export interface SegmentVolumeOptions {
  /** nonadj's metadata of the model (`loadModel`), or null for a model from another tool (then give `axis`). */
  metadata: ModelMetadata | null;
  /** 2.5D slicing axis; overrides the metadata's. Needed for a model without metadata. */
  axis?: SliceAxisIndex;
  /** Label code of each output channel; default: the metadata's classes, else 0…C−1. */
  classes?: readonly number[];
  /** Intensity standardisation; default: the metadata's, else brainchop's quantile scaling (`modelIntensity`). */
  intensity?: StandardiseOptions;
  /** `'labels'` (default) or `'labelsAndProbabilities'` (adds a 4D probability volume, 4·C bytes per voxel). */
  output?: 'labels' | 'labelsAndProbabilities';
  /** Slices (2.5D) or patches (3D) per forward pass. Default 4 (2.5D), 2 (3D). */
  batchSize?: number;
  /** 3D: overlap between neighbouring patches, fraction in [0, 1). @default 0.5 */
  overlap?: number;
  /** 3D: blending window. @default 'gaussian' */
  window?: PatchWindow;
  /** 3D: the axes fed to the network's (D, H, W). @default {@link resolveInputOrder} */
  inputOrder?: InputOrder;
  /**
   * 3D: segment only the head's bounding box (`headBoundingBox`) grown by this many voxels, or `false` for the whole
   * grid. Outside the box every voxel gets the first class (channel 0: the background of brainchop's and nonadj's
   * models). @default {@link resolveCropMargin}: the metadata's `crop`, else {@link DEFAULT_CROP_MARGIN_VOXELS} for a
   *   model without metadata, `false` otherwise
   */
  crop?: number | false;
  /** 3D layer-by-layer path: bytes of tensor memory one slab may use (see `predictLayerwise3d`). @default 1 GiB */
  memoryBudgetBytes?: number;
  /**
   * 3D fully convolutional chain with a `forward`: the most bytes its one pass over the whole volume (or box) may take,
   * as estimated (1.3 × the float32 input and output of its widest layer over the voxels); above it the chain runs on
   * tfjs' layer-by-layer slabs instead, and the result says so (`SegmentRun.engine`, `SegmentRun.fallback`).
   * @default half the machine's RAM (`os.totalmem()`)
   */
  onePassBudgetBytes?: number;
  /** Called with the slices or patches done and their total. */
  onProgress?: (done: number, total: number) => void;
  /**
   * The forward pass of another engine (`makeInferenceEngine`'s onnxruntime) instead of tfjs. A fully convolutional 3D
   * chain then runs on the whole volume (or box) in one pass, when its estimated memory (`wholePassBytes`) is at most
   * `onePassBudgetBytes`; otherwise it runs on tfjs' layer-by-layer slabs, which `SegmentRun` records.
   */
  forward?: BatchForward;
}

/** Result of {@link segmentVolume}. */
export interface SegmentVolumeResult {
  /** Label map on the input's grid (same dims, spacing and affine; qform/sform codes kept), int32, intent "label". */
  labels: Volume<Int32Array>;
  /** With `labelsAndProbabilities`: C frames, frame c = probability of channel c (x fastest, then frame). */
  probabilities?: Volume<Float32Array>;
  /** How the volume was run, for reports. */
  run: SegmentRun;
}

/** How {@link segmentVolume} ran a model on a volume. */
export interface SegmentRun {
  /** `'slices'` (2.5D), `'layerwise'` (a fully convolutional 3D chain, whole volume) or `'patches'` (other 3D models). */
  path: 'slices' | 'layerwise' | 'patches';
  /** The standardisation applied. */
  intensity: StandardiseOptions;
  /** 3D: the axes fed to (D, H, W). */
  inputOrder?: InputOrder;
  /** 3D: the box segmented, in voxels of the input grid, or undefined for the whole grid. */
  crop?: CropBox;
  /**
   * What ran the model's forward passes: `'forward'`, the `forward` option (onnxruntime-node's, from
   * `makeInferenceEngine`), or `'tfjs'`, the model's own layers: without a `forward`, or when a fully convolutional 3D
   * chain was too large for the `forward`'s one pass (then `fallback` says why).
   */
  engine: 'forward' | 'tfjs';
  /**
   * Set when a `forward` was given but tfjs ran the model: why, in words, e.g. `one pass on the 197×193×231 box would
   * take an estimated 3.7 GB, over the 2.1 GB allowed (half the RAM)`.
   */
  fallback?: string;
}

/**
 * Segment a 3D image with a trained model: a 2.5D model (`[H, W, k]` input) slides over every slice along its axis
 * (`predictSlices`); a fully convolutional 3D chain such as brainchop's MeshNet runs on the whole volume (or the
 * head's box), layer by layer in slabs (`predictLayerwise3d`), whatever its declared input size; any other 3D model
 * (`[D, H, W, 1]`) slides over overlapping patches blended with a window (`predictPatches3d`). Intensities are
 * standardised as in training (the model's metadata says how; a model without it gets `FOREIGN_MODEL_INTENSITY`).
 *
 * @param model - the model, output the logits of the classes (`loadModel` removes a final softmax).
 * @param image - a single-frame 3D image.
 * @throws RangeError for a 4D image, a 2.5D model without axis, classes that do not match the model's outputs, or
 *   slices larger than the model's input.
 */
export async function segmentVolume(model: LayersModel, image: Volume, options: SegmentVolumeOptions): Promise<SegmentVolumeResult> {
  if (image.frames !== 1) throw new RangeError(`segmentVolume: the image has ${image.frames} frames, expected one 3D volume`);
  const meta = options.metadata;
  const rank = model.inputs[0].shape.length;
  const kind = meta?.kind ?? (rank === 4 ? '2.5d' : '3d');
  const { intensity } = modelIntensity(meta?.intensity, { explicit: options.intensity });
  const params = standardiseParams(image, intensity);
  const grid = { dims: image.dims, data: standardise(image, { mode: 'dataset', ...params }) };
  const imagePad = -params.mean / params.std;
  const classes = options.classes ?? meta?.classes;
  const output = options.output ?? 'labels';
  let prediction: VolumePrediction;
  const run: SegmentRun = { path: 'slices', intensity, engine: options.forward ? 'forward' : 'tfjs' };
  if (kind === '3d') {
    const inputOrder = resolveInputOrder(options.inputOrder, meta);
    const margin = resolveCropMargin(options.crop, meta);
    const stages = layerwiseStages(model);
    const layerwise = stages !== null;
    const { data, dims, box } = toNetworkGrid(image, grid.data, inputOrder, margin);
    Object.assign(run, { path: layerwise ? 'layerwise' : 'patches', inputOrder, crop: box });
    // A chain fed to the forward whole, when its one pass fits the budget; else tfjs' slabs, and the run says so.
    let whole = false;
    if (stages && options.forward) {
      const budget = options.onePassBudgetBytes ?? WHOLE_PASS_MEMORY_SHARE * os.totalmem();
      const bytes = wholePassBytes(stages, dims);
      whole = bytes <= budget;
      if (!whole) {
        run.engine = 'tfjs';
        run.fallback =
          `one pass on the ${dims.join('×')} ${box ? 'box' : 'grid'} would take an estimated ${formatBytes(bytes)}, over the ` +
          `${formatBytes(budget)} allowed${options.onePassBudgetBytes === undefined ? ' (half the RAM)' : ''}`;
      }
    }
    const part = whole
      ? await predictWhole3d(options.forward!, { dims, data }, classes, output === 'labelsAndProbabilities')
      : layerwise
      ? await predictLayerwise3d(model, { dims, data }, {
          classes,
          scores: output === 'labelsAndProbabilities' ? 'probabilities' : 'none',
          memoryBudgetBytes: options.memoryBudgetBytes,
          onProgress: options.onProgress,
        })
      : await predictPatches3d(model, { dims, data }, {
          classes,
          output,
          imagePad,
          batchSize: options.batchSize,
          overlap: options.overlap,
          window: options.window,
          onProgress: options.onProgress,
          forward: options.forward,
        });
    prediction = { ...fromNetworkGrid({ dims, box, inputOrder }, image.dims, part.labels, classes?.[0] ?? 0, part.probabilities && { data: part.probabilities, channels: part.numClasses }), numClasses: part.numClasses };
  } else {
    const axis = options.axis ?? meta?.axis;
    if (axis === undefined) {
      throw new RangeError(`segmentVolume: model ${model.name} has no nonadj metadata; give the slicing axis it was trained on (0, 1 or 2)`);
    }
    prediction = await predictSlices(model, grid, {
      axis,
      classes,
      output,
      imagePad,
      batchSize: options.batchSize,
      onProgress: options.onProgress,
      forward: options.forward,
    });
  }
  const header = {
    ...image.header,
    datatype: 'int32' as const,
    sclSlope: 1,
    sclInter: 0,
    intentCode: 1002,
    framesInFile: 1,
    description: 'nonadj segmentation',
  };
  const labels = makeVolume(image.dims, prediction.labels, { spacingMm: image.spacingMm, affine: image.affine, header });
  if (!prediction.probabilities) return { labels, run };
  // Voxel-major channels-last → one frame per class (NIfTI's 4th axis).
  const C = prediction.numClasses;
  const n = prediction.labels.length;
  const frames = new Float32Array(n * C);
  const p = prediction.probabilities;
  for (let v = 0; v < n; v++) for (let c = 0; c < C; c++) frames[c * n + v] = p[v * C + c];
  const probabilities = makeVolume(image.dims, frames, {
    spacingMm: image.spacingMm,
    affine: image.affine,
    header: { ...image.header, datatype: 'float32', sclSlope: 1, sclInter: 0, intentCode: 0, framesInFile: C, description: 'nonadj class probabilities' },
  });
  return { labels, probabilities, run };
}

/**
 * A 3D image as a 3D network is fed it: standardised, cropped to the head's box (or not), and its axes in the
 * network's order. `data` is x fastest over `dims`, seen by the network as `[D, H, W] = [dims[2], dims[1], dims[0]]`.
 */
export interface NetworkGrid {
  data: Float32Array;
  dims: [number, number, number];
  /** The box of the image's grid cut out, or undefined for the whole grid. */
  box?: CropBox;
  inputOrder: InputOrder;
}

/**
 * The grid a 3D network segments (`segmentVolume`'s, also `adaptLastLayer`'s): the standardised voxels of `image`
 * cropped to its head's box grown by `margin` voxels (`headBoundingBox`, on the raw intensities), or the whole grid
 * for `false`, with x and z swapped for `'xyz'` (brainchop's order).
 *
 * @param standardised - `image`'s voxels after `standardise`, x fastest (same length as `image.data`).
 */
export function toNetworkGrid(image: Volume, standardised: Float32Array, inputOrder: InputOrder, margin: number | false): NetworkGrid {
  const box = margin === false ? undefined : headBoundingBox(image, margin);
  let dims = [...image.dims] as [number, number, number];
  let data = box ? cropGrid(standardised, dims, box) : standardised;
  if (box) dims = [...box.size];
  if (inputOrder === 'xyz') ({ data, dims } = swapXZ(data, dims));
  return { data, dims, box, inputOrder };
}

/**
 * The inverse of {@link toNetworkGrid} for its results: labels (and optionally C-channel scores, voxel-major) made on
 * the network's grid, put back on the image's grid (axes swapped back, pasted into the box). Outside the box a voxel
 * gets `fill` and a score vector one-hot on channel 0 (the background of brainchop's and nonadj's models).
 *
 * @param imageDims - the image's `[nx, ny, nz]`.
 * @returns labels x fastest over `imageDims`, and the scores the same way, channels-last.
 */
export function fromNetworkGrid(
  grid: Omit<NetworkGrid, 'data'>, imageDims: readonly [number, number, number], labels: Int32Array, fill: number,
  scores?: { data: Float32Array; channels: number },
): { labels: Int32Array; probabilities?: Float32Array } {
  const C = scores?.channels ?? 1;
  let labelsPart = labels;
  let scoresPart = scores?.data;
  if (grid.inputOrder === 'xyz') {
    labelsPart = swapXZ(labelsPart, grid.dims).data;
    if (scoresPart) scoresPart = swapXZ(scoresPart, grid.dims, C).data;
  }
  if (!grid.box) return { labels: labelsPart, probabilities: scoresPart };
  const n = imageDims[0] * imageDims[1] * imageDims[2];
  const full = pasteGrid(new Int32Array(n).fill(fill), imageDims, grid.box, labelsPart);
  if (!scoresPart) return { labels: full };
  const probabilities = new Float32Array(n * C);
  for (let v = 0; v < n; v++) probabilities[v * C] = 1;
  pasteGrid(probabilities, imageDims, grid.box, scoresPart, C);
  return { labels: full, probabilities };
}

/** A fully convolutional 3D model on a whole grid (`[nz, ny, nx]` fed as D, H, W) in one forward pass: labels, and probabilities on request. */
async function predictWhole3d(forward: BatchForward, image: { dims: [number, number, number]; data: Float32Array }, classes: readonly number[] | undefined, withProbs: boolean): Promise<VolumePrediction> {
  const [nx, ny, nz] = image.dims;
  const logits = await forward(image.data, [1, nz, ny, nx, 1]);
  const voxels = nx * ny * nz;
  const C = logits.length / voxels;
  const codes = resolveClasses(classes, C, 'segmentVolume');
  const labels = new Int32Array(voxels);
  for (let v = 0; v < voxels; v++) labels[v] = codes[argmaxAt(logits, v * C, C)];
  return withProbs ? { labels, probabilities: softmaxInPlace(logits, C), numClasses: C } : { labels, numClasses: C };
}

/** Bytes for a message, in decimal units: `3.7 GB`, `12 MB`, `323 kB`, `5 bytes`. */
function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(0)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(0)} kB`;
  return `${bytes} bytes`;
}

/** Share of the machine's RAM a whole-volume forward pass may take (estimated by {@link wholePassBytes}). */
const WHOLE_PASS_MEMORY_SHARE = 0.5;

/**
 * Estimated peak bytes of a layer-by-layer chain run in one onnxruntime pass on `dims` voxels: the input and output of
 * its widest layer, float32, times 1.3 for the rest of the process. Measured (onnxruntime's memory arena off, as
 * `makeInferenceEngine` creates its sessions): 3.6 GB peak RSS for brainchop's MeshNet (30 channels, 50 classes) on a
 * 197×193×231 head box; this estimate: 3.7 GB.
 */
function wholePassBytes(stages: LayerwiseStage[], dims: readonly number[]): number {
  const voxels = dims[0] * dims[1] * dims[2];
  const widest = Math.max(...stages.map((s) => s.inChannels + s.outChannels));
  return 1.3 * 4 * voxels * widest;
}
