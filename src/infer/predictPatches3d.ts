import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { GridData } from '../data/make25dSample.js';
import type { BatchForward } from './makeInferenceEngine.js';
import { argmaxAt, resolveClasses, softmaxInPlace, type PredictOutput, type VolumePrediction } from './volumePrediction.js';

/** Blending window of overlapping patches: a separable Gaussian (σ = patch/8 per axis) or a separable tent. */
export type PatchWindow = 'gaussian' | 'linear';

/** Options of {@link predictPatches3d}. */
export interface PredictPatches3dOptions {
  /** Fraction of a patch shared with its neighbour along each axis, in [0, 1). Default 0.5. */
  overlap?: number;
  /** Blending window. Default `'gaussian'` (centre-weighted, as nnU-Net). */
  window?: PatchWindow;
  /** Patches per forward pass. Default 2. */
  batchSize?: number;
  /** Label code written for each output channel (length C). Default: the channel index. */
  classes?: readonly number[];
  /** `'labels'` (default) or `'labelsAndProbabilities'`. */
  output?: PredictOutput;
  /** Input value outside the volume (when it is smaller than a patch). Default 0. */
  imagePad?: number;
  /** Called after each batch with the number of patches done and the total. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Bytes of tensor memory one forward pass may use, estimated layer by layer as 4·B·(input + 4·output) bytes (input: the previous layer's output) (the
   * wasm heap is 4 GiB at most); a larger pass is refused before it starts instead of faulting. @default 2 GiB
   */
  memoryBudgetBytes?: number;
  /** The forward pass of another engine (onnxruntime, see `makeInferenceEngine`); default: `model.predict` on tfjs. */
  forward?: BatchForward;
}

/**
 * Segment a whole volume with a 3D patch model: patches of the model's input size tile the volume with
 * the requested overlap (the last patch of each axis is moved back to end at the volume's edge), and
 * each voxel gets the window-weighted mean of the probabilities of the patches covering it.
 * A patch is the tensor view `[D, H, W] = [z, y, x]` of the volume (no transpose, see `volume/Volume.ts`).
 *
 * Memory: the weighted sums are kept for one patch depth of z-planes at a time (`4·C·D·ny·nx` bytes), and
 * planes are reduced to labels as soon as no later patch covers them; the full probability volume
 * (`4·C` bytes per voxel) is only built when `output` asks for it.
 *
 * @param model - maps `[B, D, H, W, 1]` to `[B, D, H, W, C]` logits (see `toLogits`), with fixed D, H, W.
 * @param image - the standardised image: `dims` `[nx, ny, nz]` and `data` x fastest.
 * @returns labels (x fastest) and, on request, probabilities (voxel-major, channels-last).
 * @throws RangeError when the model is not a one-channel 3D patch model with fixed sizes, or an option is out of range.
 */
export async function predictPatches3d(
  model: LayersModel,
  image: GridData,
  options: PredictPatches3dOptions = {},
): Promise<VolumePrediction> {
  const inShape = model.inputs[0].shape;
  const outShape = model.outputs[0].shape;
  if (inShape.length !== 5 || outShape.length !== 5 || inShape[4] !== 1) {
    throw new RangeError(
      `predictPatches3d: model ${model.name} maps [${inShape.join(', ')}] to [${outShape.join(', ')}], ` +
        `expected [B, D, H, W, 1] → [B, D, H, W, C]`,
    );
  }
  const patch = inShape.slice(1, 4) as Array<number | null>;
  const numClasses = outShape[4];
  if (patch.some((v) => v === null) || numClasses === null) {
    throw new RangeError(`predictPatches3d: model ${model.name} has input [${inShape.join(', ')}], expected fixed D, H, W and C`);
  }
  const [pd, ph, pw] = patch as number[];
  const overlap = options.overlap ?? 0.5;
  if (!(overlap >= 0 && overlap < 1)) throw new RangeError(`predictPatches3d: overlap ${overlap} must be in [0, 1)`);
  const batchSize = options.batchSize ?? 2;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`predictPatches3d: batchSize ${batchSize} must be a positive integer`);
  const windowKind = options.window ?? 'gaussian';
  if (windowKind !== 'gaussian' && windowKind !== 'linear') {
    throw new RangeError(`predictPatches3d: window '${String(windowKind)}', expected 'gaussian' or 'linear'`);
  }
  // The budget is tfjs' (the wasm heap); onnxruntime allocates natively.
  if (!options.forward) assertPatchPassFits(model, batchSize, options.memoryBudgetBytes ?? 2 ** 31);
  const classes = resolveClasses(options.classes, numClasses, 'predictPatches3d');
  const imagePad = options.imagePad ?? 0;
  const [nx, ny, nz] = image.dims;
  const src = image.data;
  const plane = nx * ny;
  const voxels = plane * nz;
  const labels = new Int32Array(voxels);
  const probabilities = options.output === 'labelsAndProbabilities' ? new Float32Array(voxels * numClasses) : undefined;

  const zs = patchStarts(nz, pd, overlap);
  const ys = patchStarts(ny, ph, overlap);
  const xs = patchStarts(nx, pw, overlap);
  const wz = window1d(pd, windowKind);
  const wy = window1d(ph, windowKind);
  const wx = window1d(pw, windowKind);
  const ringPlanes = Math.min(pd, nz);
  const acc = new Float32Array(ringPlanes * plane * numClasses);
  const weight = new Float32Array(ringPlanes * plane);
  const patchVoxels = pd * ph * pw;
  const batch = new Float32Array(batchSize * patchVoxels);
  const total = zs.length * ys.length * xs.length;
  let done = 0;

  for (let zi = 0; zi < zs.length; zi++) {
    const z0 = zs[zi];
    const row = ys.flatMap((y0) => xs.map((x0): [number, number] => [y0, x0]));
    for (let start = 0; start < row.length; start += batchSize) {
      const n = Math.min(batchSize, row.length - start);
      for (let b = 0; b < n; b++) {
        const [y0, x0] = row[start + b];
        let o = b * patchVoxels;
        for (let d = 0; d < pd; d++) {
          for (let h = 0; h < ph; h++) {
            const z = z0 + d;
            const y = y0 + h;
            const inside = z < nz && y < ny;
            const base = z * plane + y * nx + x0;
            for (let w = 0; w < pw; w++, o++) batch[o] = inside && x0 + w < nx ? src[base + w] : imagePad;
          }
        }
      }
      // Overlapping patches are blended as probabilities (the softmax of the model's logits), not as logits.
      const input = batch.subarray(0, n * patchVoxels);
      const probs = options.forward ? null : tf.tidy(() => tf.softmax(model.predict(tf.tensor5d(input, [n, pd, ph, pw, 1])) as tf.Tensor));
      try {
        const values = probs ? ((await probs.data()) as Float32Array) : softmaxInPlace(await options.forward!(input, [n, pd, ph, pw, 1]), numClasses);
        for (let b = 0; b < n; b++) {
          const [y0, x0] = row[start + b];
          for (let d = 0; d < pd && z0 + d < nz; d++) {
            for (let h = 0; h < ph && y0 + h < ny; h++) {
              const wdh = wz[d] * wy[h];
              const ringVoxel = d * plane + (y0 + h) * nx + x0;
              let p = (((b * pd + d) * ph + h) * pw) * numClasses;
              for (let w = 0; w < pw && x0 + w < nx; w++, p += numClasses) {
                const wt = wdh * wx[w];
                const r = ringVoxel + w;
                weight[r] += wt;
                const a = r * numClasses;
                for (let c = 0; c < numClasses; c++) acc[a + c] += wt * values[p + c];
              }
            }
          }
        }
      } finally {
        probs?.dispose();
      }
      done += n;
      options.onProgress?.(done, total);
    }
    // Planes before the next row's start are covered by no later patch: reduce them and slide the ring.
    const next = zi + 1 < zs.length ? zs[zi + 1] : nz;
    const finished = next - z0;
    for (let r = 0; r < finished * plane; r++) {
      const v = z0 * plane + r;
      const a = r * numClasses;
      labels[v] = classes[argmaxAt(acc, a, numClasses)];
      if (probabilities) {
        const inv = 1 / weight[r];
        for (let c = 0; c < numClasses; c++) probabilities[v * numClasses + c] = acc[a + c] * inv;
      }
    }
    acc.copyWithin(0, finished * plane * numClasses);
    acc.fill(0, (ringPlanes - finished) * plane * numClasses);
    weight.copyWithin(0, finished * plane);
    weight.fill(0, (ringPlanes - finished) * plane);
  }
  return probabilities ? { labels, probabilities, numClasses } : { labels, numClasses };
}

/**
 * Start positions of patches of size `p` along an axis of `n` voxels with the given overlap: 0, s, 2s, …
 * (s = max(1, round(p·(1 − overlap)))) and a last one ending at the edge, n − p; just [0] when n ≤ p.
 */
export function patchStarts(n: number, p: number, overlap: number): number[] {
  if (n <= p) return [0];
  const stride = Math.max(1, Math.round(p * (1 - overlap)));
  const starts: number[] = [];
  for (let s = 0; s + p < n; s += stride) starts.push(s);
  starts.push(n - p);
  return starts;
}

/** 1D blending weights of length p, peak 1: Gaussian with σ = p/8 (≥ e^−8 at the ends), or a tent min(i+1, p−i)/⌈p/2⌉ (never 0). */
function window1d(p: number, kind: PatchWindow): Float32Array {
  const w = new Float32Array(p);
  const centre = (p - 1) / 2;
  const sigma = p / 8;
  const half = Math.ceil(p / 2);
  for (let i = 0; i < p; i++) {
    w[i] = kind === 'gaussian' ? Math.exp(-((i - centre) ** 2) / (2 * sigma * sigma)) : Math.min(i + 1, p - i) / half;
  }
  const max = Math.max(...w);
  for (let i = 0; i < p; i++) w[i] /= max;
  return w;
}

/**
 * Refuse a forward pass whose largest layer would not fit the tensor memory: 4·B·(input + 4·output) bytes for each
 * layer (its input, taken as the previous layer's output, its output and a convolution's working set), B the batch size.
 *
 * @throws RangeError naming the layer, its output tensor and size, and what to do.
 */
function assertPatchPassFits(model: LayersModel, batchSize: number, budget: number): void {
  // A layer with several outputs gives a list of shapes; the first one stands for them.
  const first = (shape: unknown): Array<number | null> => (Array.isArray((shape as unknown[])[0]) ? (shape as unknown[])[0] : shape) as Array<number | null>;
  const size = (shape: unknown): number => first(shape).slice(1).reduce((a: number, b) => a * (b ?? 1), 1);
  let previous = 0;
  for (const layer of model.layers) {
    const out = size(layer.outputShape);
    const bytes = 4 * batchSize * (previous + 4 * out);
    previous = out;
    if (bytes > budget) {
      const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
      throw new RangeError(
        `predictPatches3d: layer ${layer.name} of model ${model.name} outputs [${batchSize}, ${first(layer.outputShape).slice(1).join(', ')}] float32 ` +
          `(${mib(4 * batchSize * out)}), about ${mib(bytes)} of tensor memory with its input, over the budget of ${mib(budget)}; ` +
          `use --batch-size 1${batchSize > 1 ? '' : ' (already)'}, or a model with smaller patches`,
      );
    }
  }
}
