import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs-layers';
import type { GridData } from '../data/make25dSample.js';
import { resolveClasses, type VolumePrediction } from './volumePrediction.js';

/** A layer of a tfjs layers model (tfjs-layers does not export the class's type at its top level). */
type Layer = LayersModel['layers'][number];

/**
 * Layers that act on each voxel alone (or on its channels alone), so a slab of planes gives the same values as the
 * whole volume with no halo. Dropout and noise layers are the identity at inference. (BatchNormalization would be
 * one, but tfjs-layers 4.22 does not implement it for rank-5 tensors: brainchop's converter folds it into the
 * convolutions.)
 */
const POINTWISE = new Set([
  'Activation',
  'ReLU',
  'ELU',
  'LeakyReLU',
  'PReLU',
  'ThresholdedReLU',
  'Softmax',
  'Dropout',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
]);

/** One step of a layer-by-layer run: a stride-1 'same' Conv3D, then the pointwise layers that follow it (activations, dropout). */
export interface LayerwiseStage {
  /** The convolution layer (its kernel `[kd, kh, kw, Ci, Co]`, bias `[Co]`, activation and dilation are used). */
  conv: Layer;
  /** Input and output channels. */
  inChannels: number;
  outChannels: number;
  /** Kernel size per axis (odd), depth, height, width. */
  kernel: [number, number, number];
  /** Dilation per axis. */
  dilation: [number, number, number];
  /** Voxels of context each output needs on each side, per axis: dilation · (kernel − 1) / 2. */
  halo: [number, number, number];
  /** Pointwise layers applied to the convolution's output, in order. */
  pointwise: Layer[];
}

/**
 * The stages of a model that {@link predictLayerwise3d} can run: a single chain from the input to the output of
 * Conv3D layers with stride 1, `'same'` padding, odd kernels and channels-last data (any dilation), each followed by
 * any number of pointwise layers (activations, dropout). MeshNet (brainchop's models) is such a
 * chain: nine dilated 3×3×3 convolutions with ELU, then a 1×1×1 convolution to the class logits.
 *
 * @returns the stages, or null when the model is anything else (pooling, skips, several inputs, a layer before the
 *   first convolution…): such models are run whole, patch by patch.
 */
export function layerwiseStages(model: LayersModel): LayerwiseStage[] | null {
  if (model.inputs.length !== 1 || model.outputs.length !== 1 || model.inputs[0].shape.length !== 5) return null;
  const chain: Layer[] = [];
  let t: SymbolicTensor = model.outputs[0];
  while (t !== model.inputs[0]) {
    const inputs = (t as unknown as { inputs?: SymbolicTensor[] }).inputs;
    if (inputs === undefined || inputs.length !== 1 || t.sourceLayer.getClassName() === 'InputLayer') return null;
    chain.unshift(t.sourceLayer);
    t = inputs[0];
  }
  const stages: LayerwiseStage[] = [];
  let channels = model.inputs[0].shape[4];
  if (channels === null) return null;
  for (const layer of chain) {
    const name = layer.getClassName();
    if (POINTWISE.has(name)) {
      if (stages.length === 0) return null;
      stages.at(-1)!.pointwise.push(layer);
      continue;
    }
    if (name !== 'Conv3D') return null;
    const c = layer.getConfig() as {
      filters: number;
      kernelSize: number | number[];
      strides: number | number[];
      dilationRate: number | number[];
      padding: string;
      dataFormat: string;
    };
    const triple = (v: number | number[]): [number, number, number] => (Array.isArray(v) ? [v[0], v[1], v[2]] : [v, v, v]);
    const kernel = triple(c.kernelSize);
    const dilation = triple(c.dilationRate);
    const strides = triple(c.strides);
    if (c.dataFormat !== 'channelsLast' || strides.some((s) => s !== 1) || kernel.some((k) => k % 2 === 0)) return null;
    if (c.padding !== 'same' && !kernel.every((k) => k === 1)) return null;
    stages.push({
      conv: layer,
      inChannels: channels,
      outChannels: c.filters,
      kernel,
      dilation,
      halo: [0, 1, 2].map((a) => (dilation[a] * (kernel[a] - 1)) / 2) as [number, number, number],
      pointwise: [],
    });
    channels = c.filters;
  }
  return stages.length > 0 ? stages : null;
}

/** What {@link predictLayerwise3d} returns besides the labels. */
export type LayerwiseScores = 'none' | 'probabilities' | 'logits';

/** Options of {@link predictLayerwise3d}. */
export interface PredictLayerwise3dOptions {
  /** Label code written for each output channel (length C). Default: the channel index. */
  classes?: readonly number[];
  /** `'probabilities'` (softmax) or `'logits'` (the last stage's output) besides the labels. @default 'none' */
  scores?: LayerwiseScores;
  /**
   * Bytes of tensor memory one slab may use (the wasm heap is 4 GiB at most, shared with everything else tfjs
   * holds). @default 1 GiB
   */
  memoryBudgetBytes?: number;
  /** Called after each slab with the slabs done and their total (over every stage). */
  onProgress?: (done: number, total: number) => void;
}

/** Result of {@link predictLayerwise3d}. */
export interface LayerwisePrediction extends VolumePrediction {
  /** With `scores: 'logits'`: the logits, voxel-major and channels-last (index `voxel·C + c`), length nx·ny·nz·C. */
  logits?: Float32Array;
  /** Output planes per slab chosen for each stage (for reports and tests). */
  slabPlanes: number[];
}

/**
 * Run a fully convolutional 3D network ({@link layerwiseStages}) on a whole volume of any size, one layer at a time,
 * each layer over slabs of planes along the depth axis, with every activation held in host memory (a `Float32Array`
 * outside the wasm heap) between layers. The labels are those of the network applied to the whole volume at once
 * (zero padding at the volume's edges, as `'same'` padding does), to float32 rounding.
 *
 * Why layer by layer in slabs rather than tiles with a receptive-field halo. MeshNet's receptive field is
 * 1 + 2·Σ dilations = 1 + 2·46 = 93 voxels: a tile computing a 64³ block needs a (64 + 92)³ input and its layers run
 * on tiles shrinking from 154³ to 64³, ≈ 6× the arithmetic of the block itself; 128³ blocks cost ≈ 2.6× but their
 * first activations are 218³ × 30 floats, 1.2 GiB each, two of which already strain the 4 GiB wasm heap. Layer by layer, a slab of
 * s output planes of a layer with dilation d needs only s + 2d input planes of that layer (its own halo, not the
 * network's), so the extra work is 2d/s per layer and none when s spans the volume. The price is host memory: the
 * input and output activations of one layer, 2 × 4·N·C bytes (256³ voxels × 30 channels: 2 × 1.9 GiB; Colin27's head box,
 * 197 × 193 × 231 voxels: 2 × 0.98 GiB), which Node keeps outside the wasm heap and its 4 GiB limit. Wasm memory is
 * then one slab's working set, ≈ 4·[in + kd·in·s/(s+2d) + (kd + 2)·out] bytes with in = (s + 2d)(H + 2d)(W + 2d)·Ci
 * and out = s·H·W·Co (the Conv3D kernel runs one 2D convolution per depth tap and sums them); for MeshNet's d = 16
 * layer at 256² planes, ≈ 0.30 GiB + 0.08 GiB per output plane (s = 9 in the default 1 GiB). s is the largest that fits `memoryBudgetBytes`.
 * The last stage never stores its C-channel output: it is reduced to labels slab by slab (C = 50 would be 3.1 GiB).
 *
 * @param model - a model accepted by {@link layerwiseStages}, output the logits (see `toLogits`); its declared input
 *   size is ignored (fully convolutional).
 * @param image - the standardised image: `dims` `[nx, ny, nz]` and `data` x fastest, seen as `[D, H, W] = [z, y, x]`.
 * @returns labels (x fastest) and, on request, probabilities or logits (voxel-major, channels-last).
 * @throws RangeError when the model is not a chain of supported layers, when one output plane of some layer does not
 *   fit `memoryBudgetBytes`, or when the host activations do not fit this machine's memory: the message names the
 *   layer, the tensor and what to do (crop the image, or segment a coarser grid).
 */
export async function predictLayerwise3d(
  model: LayersModel,
  image: GridData,
  options: PredictLayerwise3dOptions = {},
): Promise<LayerwisePrediction> {
  const stages = layerwiseStages(model);
  if (stages === null) {
    throw new RangeError(
      `predictLayerwise3d: model ${model.name} is not a chain of stride-1 'same' Conv3D and pointwise layers; run it with predictPatches3d`,
    );
  }
  const [nx, ny, nz] = image.dims;
  const [D, H, W] = [nz, ny, nx];
  const voxels = D * H * W;
  if (image.data.length !== voxels) throw new RangeError(`predictLayerwise3d: data has ${image.data.length} values, expected ${voxels} (dims ${image.dims.join('×')})`);
  const budget = options.memoryBudgetBytes ?? 2 ** 30;
  const numClasses = stages.at(-1)!.outChannels;
  const classes = resolveClasses(options.classes, numClasses, 'predictLayerwise3d');
  const scores = options.scores ?? 'none';
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(bytes < 2 ** 24 ? 2 : 0)} MiB`;

  const slabPlanes = stages.map((stage) => {
    const [hd, hh, hw] = stage.halo;
    const kd = stage.kernel[0];
    const bytes = (s: number) => {
      const input = (s + 2 * hd) * (H + 2 * hh) * (W + 2 * hw) * stage.inChannels;
      const output = s * H * W * stage.outChannels;
      return 4 * (input + (kd > 1 ? (kd * input * s) / (s + 2 * hd) : 0) + (kd + 2) * output);
    };
    if (bytes(1) > budget) {
      throw new RangeError(
        `predictLayerwise3d: layer ${stage.conv.name} needs ${mib(bytes(1))} of tensor memory for a single output plane ` +
          `(input slab [1, ${1 + 2 * hd}, ${H + 2 * hh}, ${W + 2 * hw}, ${stage.inChannels}] float32), over the budget of ${mib(budget)}; ` +
          `crop the image to the head (segment --crop) or resample it to a coarser grid`,
      );
    }
    let s = 1;
    while (s < D && bytes(s + 1) <= budget) s++;
    return s;
  });

  // Host activations: the input and output of one stage at a time (the last stage's output is reduced on the fly).
  let hostBytes = 0;
  for (let i = 0; i + 1 < stages.length; i++) hostBytes = Math.max(hostBytes, 4 * voxels * (stages[i].inChannels + stages[i].outChannels));
  const scoreBytes = scores === 'none' ? 0 : 4 * voxels * numClasses;
  if (hostBytes + scoreBytes > 0.8 * os.totalmem()) {
    throw new RangeError(
      `predictLayerwise3d: the activations of ${D}×${H}×${W} voxels need ${mib(hostBytes + scoreBytes)} of host memory ` +
        `(${mib(os.totalmem())} on this machine)${scoreBytes > 0 ? `, ${mib(scoreBytes)} of it for the ${scores}` : ''}; ` +
        `crop the image to the head (segment --crop)${scoreBytes > 0 ? ', do not ask for the probabilities,' : ''} or resample it to a coarser grid`,
    );
  }

  const labels = new Int32Array(voxels);
  const scoreOut = scores === 'none' ? undefined : new Float32Array(voxels * numClasses);
  const total = stages.reduce((n, _, i) => n + Math.ceil(D / slabPlanes[i]), 0);
  let done = 0;
  let input: Float32Array = Float32Array.from(image.data as ArrayLike<number>);
  for (let si = 0; si < stages.length; si++) {
    const stage = stages[si];
    const last = si === stages.length - 1;
    const [hd, hh, hw] = stage.halo;
    const Ci = stage.inChannels;
    const Co = stage.outChannels;
    const s = slabPlanes[si];
    const [kernel, bias] = stage.conv.getWeights() as [tf.Tensor5D, tf.Tensor1D | undefined];
    const activation = (stage.conv as unknown as { activation: { apply(x: tf.Tensor): tf.Tensor } }).activation;
    const output = last ? null : allocate(voxels * Co, `${stage.conv.name}'s output [${D}, ${H}, ${W}, ${Co}]`);
    const Hp = H + 2 * hh;
    const Wp = W + 2 * hw;
    const rowIn = W * Ci;
    const slab = new Float32Array((s + 2 * hd) * Hp * Wp * Ci);
    for (let z0 = 0; z0 < D; z0 += s) {
      const planes = Math.min(s, D - z0);
      const depth = planes + 2 * hd;
      // Zero padding outside the volume, as 'same' padding gives the whole-volume run.
      slab.fill(0, 0, depth * Hp * Wp * Ci);
      for (let d = 0; d < depth; d++) {
        const z = z0 - hd + d;
        if (z < 0 || z >= D) continue;
        for (let y = 0; y < H; y++) {
          const from = (z * H + y) * rowIn;
          slab.set(input.subarray(from, from + rowIn), ((d * Hp + y + hh) * Wp + hw) * Ci);
        }
      }
      // Intermediates are disposed as soon as the next exists, so the slab's peak is the convolution's working set.
      const x = tf.tensor5d(slab.subarray(0, depth * Hp * Wp * Ci), [1, depth, Hp, Wp, Ci]);
      let y: tf.Tensor = tf.conv3d(x, kernel, 1, 'valid', 'NDHWC', stage.dilation);
      x.dispose();
      const step = (f: (t: tf.Tensor) => tf.Tensor) => {
        const next = f(y);
        if (next !== y) y.dispose();
        y = next;
      };
      if (bias !== undefined) step((t) => tf.add(t, bias));
      step((t) => activation.apply(t));
      for (const layer of stage.pointwise) step((t) => layer.apply(t, { training: false }) as tf.Tensor);
      try {
        const at = z0 * H * W;
        if (!last) {
          output!.set((await y.data()) as Float32Array, at * Co);
        } else {
          const arg = tf.argMax(y, -1);
          const best = (await arg.data()) as Int32Array;
          arg.dispose();
          for (let v = 0; v < best.length; v++) labels[at + v] = classes[best[v]];
          if (scoreOut) {
            if (scores === 'probabilities') step((t) => tf.softmax(t));
            scoreOut.set((await y.data()) as Float32Array, at * numClasses);
          }
        }
      } finally {
        y.dispose();
      }
      options.onProgress?.(++done, total);
    }
    if (!last) input = output!;
  }
  const result: LayerwisePrediction = { labels, numClasses, slabPlanes };
  if (scores === 'probabilities') result.probabilities = scoreOut;
  if (scores === 'logits') result.logits = scoreOut;
  return result;
}

function allocate(length: number, what: string): Float32Array {
  try {
    return new Float32Array(length);
  } catch (error) {
    throw new RangeError(
      `predictLayerwise3d: cannot allocate ${(length / 2 ** 18).toFixed(0)} MiB for ${what} (${(error as Error).message}); ` +
        `crop the image to the head (segment --crop) or resample it to a coarser grid`,
      { cause: error },
    );
  }
}
