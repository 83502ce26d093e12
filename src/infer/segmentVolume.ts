import type { LayersModel } from '@tensorflow/tfjs-layers';
import { makeVolume, type Volume } from '../volume/Volume.js';
import type { SliceAxisIndex } from '../volume/sliceAxis.js';
import { standardise, standardiseParams, type StandardiseOptions } from '../data/standardise.js';
import { intensityFromMetadata } from '../model/intensityMetadata.js';
import type { ModelMetadata } from '../model/modelFiles.js';
import { predictPatches3d, type PatchWindow } from './predictPatches3d.js';
import { predictSlices } from './predictSlices.js';

/** Options of {@link segmentVolume}. */
export interface SegmentVolumeOptions {
  /** nonadj's metadata of the model (`loadModel`), or null for a model from another tool (then give `axis`). */
  metadata: ModelMetadata | null;
  /** 2.5D slicing axis; overrides the metadata's. Needed for a model without metadata. */
  axis?: SliceAxisIndex;
  /** Label code of each output channel; default: the metadata's classes, else 0…C−1. */
  classes?: readonly number[];
  /** Intensity standardisation; default: the metadata's, else each image z-scored over its nonzero voxels. */
  intensity?: StandardiseOptions;
  /** `'labels'` (default) or `'labelsAndProbabilities'` (adds a 4D probability volume, 4·C bytes per voxel). */
  output?: 'labels' | 'labelsAndProbabilities';
  /** Slices (2.5D) or patches (3D) per forward pass. Default 4 (2.5D), 2 (3D). */
  batchSize?: number;
  /** 3D: overlap between neighbouring patches, fraction in [0, 1). @default 0.5 */
  overlap?: number;
  /** 3D: blending window. @default 'gaussian' */
  window?: PatchWindow;
  /** Called with the slices or patches done and their total. */
  onProgress?: (done: number, total: number) => void;
}

/** Result of {@link segmentVolume}. */
export interface SegmentVolumeResult {
  /** Label map on the input's grid (same dims, spacing and affine; qform/sform codes kept), int32, intent "label". */
  labels: Volume<Int32Array>;
  /** With `labelsAndProbabilities`: C frames, frame c = probability of channel c (x fastest, then frame). */
  probabilities?: Volume<Float32Array>;
}

/**
 * Segment a 3D image with a trained model: a 2.5D model (`[H, W, k]` input) slides over every slice along its axis
 * (`predictSlices`), a 3D model (`[D, H, W, 1]`) over overlapping patches blended with a window
 * (`predictPatches3d`). Intensities are standardised as in training (the model's metadata says how).
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
  const intensity = options.intensity ?? intensityFromMetadata(meta?.intensity);
  const params = standardiseParams(image, intensity);
  const grid = { dims: image.dims, data: standardise(image, { mode: 'dataset', ...params }) };
  const imagePad = -params.mean / params.std;
  const classes = options.classes ?? meta?.classes;
  const output = options.output ?? 'labels';
  let prediction;
  if (kind === '2.5d') {
    const axis = options.axis ?? meta?.axis;
    if (axis === undefined) {
      throw new RangeError(`segmentVolume: model ${model.name} has no nonadj metadata; give the slicing axis it was trained on (0, 1 or 2)`);
    }
    prediction = await predictSlices(model, grid, { axis, classes, output, imagePad, batchSize: options.batchSize, onProgress: options.onProgress });
  } else {
    prediction = await predictPatches3d(model, grid, {
      classes,
      output,
      imagePad,
      batchSize: options.batchSize,
      overlap: options.overlap,
      window: options.window,
      onProgress: options.onProgress,
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
  if (!prediction.probabilities) return { labels };
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
  return { labels, probabilities };
}
