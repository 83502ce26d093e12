import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { make25dSample, type GridData } from '../data/make25dSample.js';
import { sliceAxis, type SliceAxisIndex } from '../volume/sliceAxis.js';
import type { BatchForward } from './makeInferenceEngine.js';
import { argmaxAt, resolveClasses, softmaxInPlace, type VolumePrediction, type PredictOutput } from './volumePrediction.js';

/** Options of {@link predictSlices}. */
export interface PredictSlicesOptions {
  /** Slicing axis: 0 = x (sagittal), 1 = y (coronal), 2 = z (axial); the one the model was trained on. */
  axis: SliceAxisIndex;
  /** Stacked slices k; default: the model input's last dimension. */
  k?: number;
  /** Slices per forward pass. Default 4. */
  batchSize?: number;
  /** Label code written for each output channel (length C). Default: the channel index. */
  classes?: readonly number[];
  /**
   * `'labels'` (default): only the argmax map; `'labelsAndProbabilities'`: also every voxel's C probabilities;
   * `'labelsAndLogits'`: also the model's raw C outputs (e.g. the features of a model cut before its last layer).
   */
  output?: PredictOutput | 'labelsAndLogits';
  /** Input value in the pixels added to reach the model's input size (what a zero voxel became after standardisation). Default 0. */
  imagePad?: number;
  /** Called after each batch with the number of slices done and the total. */
  onProgress?: (done: number, total: number) => void;
  /** The forward pass of another engine (onnxruntime, see `makeInferenceEngine`); default: `model.predict` on tfjs. */
  forward?: BatchForward;
}

/**
 * Segment a whole volume with a 2.5D model: every slice along `axis` is predicted from the k-slice
 * stack around it, built exactly as training builds it (`make25dSample`: reflect-mirrored past the
 * volume's ends, the slice layout of `sliceAxis`, centred zero-padding up to the model's input H×W),
 * and the centre slice's classes are written back into the volume.
 *
 * Memory: only the argmax labels are kept unless `output` asks for probabilities; those take
 * `4·C` bytes per voxel (3.3 GB for C = 117 on a 1 mm MNI grid).
 *
 * @param model - maps `[B, H, W, k]` to `[B, H, W, C]` logits (see `toLogits`); probabilities are their softmax.
 * @param image - the standardised image: `dims` `[nx, ny, nz]` and `data` x fastest.
 * @returns labels (x fastest, label codes of `classes`) and, on request, probabilities or the raw outputs (`logits`).
 * @throws RangeError when the model's input is not `[H, W, k]` with fixed H, W, a slice is larger
 *   than H×W, or the model's output is not `[H, W, C]` with C = `classes.length`.
 */
export async function predictSlices(model: LayersModel, image: GridData, options: PredictSlicesOptions): Promise<VolumePrediction> {
  const inShape = model.inputs[0].shape;
  const outShape = model.outputs[0].shape;
  if (inShape.length !== 4 || outShape.length !== 4) {
    throw new RangeError(
      `predictSlices: model ${model.name} maps [${inShape.join(', ')}] to [${outShape.join(', ')}], expected [B, H, W, k] → [B, H, W, C]`,
    );
  }
  const [, height, width, kModel] = inShape;
  const numClasses = outShape[3];
  if (height === null || width === null || numClasses === null) {
    throw new RangeError(`predictSlices: model ${model.name} has input [${inShape.join(', ')}], expected fixed H and W and C`);
  }
  const k = options.k ?? kModel ?? undefined;
  if (k === undefined || (kModel !== null && k !== kModel)) {
    throw new RangeError(`predictSlices: k is ${k}, but model ${model.name} takes ${kModel ?? 'a free number of'} channels`);
  }
  const g = sliceAxis(image.dims, options.axis);
  if (g.height > height || g.width > width) {
    throw new RangeError(
      `predictSlices: slices along axis ${options.axis} are ${g.height}×${g.width}, larger than the model's input ${height}×${width}`,
    );
  }
  const classes = resolveClasses(options.classes, numClasses, 'predictSlices');
  const batchSize = options.batchSize ?? 4;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`predictSlices: batchSize ${batchSize} must be a positive integer`);
  const output = options.output ?? 'labels';
  const withProbs = output === 'labelsAndProbabilities';
  const voxels = image.dims[0] * image.dims[1] * image.dims[2];
  const labels = new Int32Array(voxels);
  // The scores kept per voxel: probabilities (softmax of the outputs) or the outputs as they are.
  const kept = output === 'labels' ? undefined : new Float32Array(voxels * numClasses);
  // Inverse of make25dSample's centring: sample row r is slice row r + rowOffset (the odd extra goes to the end).
  const rowOffset = -Math.floor((height - g.height) / 2);
  const colOffset = -Math.floor((width - g.width) / 2);
  const pixels = height * width;
  const batch = new Float32Array(batchSize * pixels * k);
  const padTo: [number, number] = [height, width];

  for (let start = 0; start < g.depth; start += batchSize) {
    const n = Math.min(batchSize, g.depth - start);
    for (let b = 0; b < n; b++) {
      const sample = make25dSample(image, null, { axis: options.axis, index: start + b, k, padTo, imagePad: options.imagePad });
      batch.set(sample.image, b * pixels * k);
    }
    // The model gives logits: their arg-max is the label; probabilities, when asked for, are their softmax.
    const input = batch.subarray(0, n * pixels * k);
    const scores = options.forward
      ? null
      : tf.tidy(() => {
          const logits = model.predict(tf.tensor4d(input, [n, height, width, k])) as tf.Tensor;
          return withProbs ? tf.softmax(logits) : logits;
        });
    try {
      let values: Float32Array;
      if (scores) values = (await scores.data()) as Float32Array;
      else {
        values = await options.forward!(input, [n, height, width, k]);
        if (withProbs) softmaxInPlace(values, numClasses);
      }
      for (let b = 0; b < n; b++) {
        const base = (start + b) * g.sliceStride;
        // Crop the padded prediction back to the slice: slice row r is sample row r − rowOffset.
        for (let r = 0; r < g.height; r++) {
          let v = base + r * g.rowStride;
          let p = (b * pixels + (r - rowOffset) * width - colOffset) * numClasses;
          for (let c = 0; c < g.width; c++, v += g.colStride, p += numClasses) {
            labels[v] = classes[argmaxAt(values, p, numClasses)];
            if (kept) kept.set(values.subarray(p, p + numClasses), v * numClasses);
          }
        }
      }
    } finally {
      scores?.dispose();
    }
    options.onProgress?.(start + n, g.depth);
  }
  if (!kept) return { labels, numClasses };
  return withProbs ? { labels, probabilities: kept, numClasses } : { labels, logits: kept, numClasses };
}
