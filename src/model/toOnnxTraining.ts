import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs-layers';
import { encodeOnnxModel, type OnnxAttribute, type OnnxInitializer, type OnnxNode, type OnnxValueInfo } from './encodeOnnxModel.js';
import { ONNX_OPSET } from './toOnnx.js';

/** The two graphs of a model's training step on onnxruntime, and how their inputs and outputs are named. */
export interface OnnxTrainingGraphs {
  /**
   * Forward graph. Inputs: `input` `[B, …spatial, Cin]` (channels last, as the tfjs model takes it) and the trainable
   * weights `weights[i]`, each in tfjs' layout (a kernel `[k…, Cin, Cout]`, a bias `[Cout]`). Outputs: `logits`
   * `[B, …spatial, C]` (channels last) and the activations the backward graph reads, named in `saved`.
   */
  forward: Uint8Array;
  /**
   * Backward graph. Inputs: `dlogits` (the loss's gradient with respect to the logits, `[B, …spatial, C]`), the
   * tensors named in `saved` (as the forward graph output them) and the weights. Outputs: `grads[i]`, the gradient of
   * the loss with respect to `weights[i]`, in the weight's own tfjs layout.
   */
  backward: Uint8Array;
  /** Graph names of the trainable weights, in `model.trainableWeights` order. */
  weights: string[];
  /** Graph names of the weights' gradients, in the same order. */
  grads: string[];
  /** Forward outputs the backward graph takes as inputs, in the order both graphs list them. */
  saved: string[];
}

const IR_VERSION = 8;

/** A value of the forward graph: its ONNX name (channels first inside the graph) and rank. */
interface Value {
  name: string;
  rank: number;
}

/**
 * Write a tfjs layers model's training step as two ONNX graphs for onnxruntime: the forward pass, which also outputs
 * the activations the gradient needs, and the backward pass (reverse-mode differentiation written out node by node),
 * which takes the loss's gradient with respect to the logits and returns every trainable weight's gradient. The loss
 * itself stays in tfjs (its gradient with respect to the logits is cheap: the network's convolutions are the step's
 * cost); the weights are graph inputs, not constants, so one pair of sessions serves every step.
 *
 * Why: tfjs-backend-wasm's convolutions run at ~30 GFLOP/s on this project's machines against onnxruntime's (MLAS)
 * ~95 (`bench/convCeiling`), and onnxruntime-node has no training API; written as ordinary operators, the backward
 * pass runs on the same kernels as inference.
 *
 * The gradients, channels first inside the graphs (z = conv output before its activation, x its input):
 * - activation, from its output y: ReLU's `dz = dy · sign(y)` (y ≥ 0, so 0 where the unit is off, as tfjs' step(x)
 *   with step(0) = 0); ELU's `dz = dy · (min(y, 0) + 1)` (exp(z) = y + 1 below 0); linear passes `dy` on;
 * - convolution: bias `Σ dz` over batch and space; kernel by a convolution of the input with `dz` with the batch and
 *   channel axes swapped (`Conv(xᵀ, dzᵀ)` with the forward's pads, strides = the forward's dilations), giving
 *   `[Cin, Cout, k…]`, which one Transpose makes tfjs' `[k…, Cin, Cout]`; input by `ConvTranspose(dz, W)` with the
 *   forward's pads and dilations;
 * - max-pooling (window = stride): the gradient goes to each window's first maximum, `MaxUnpool(dy, indices)`, the
 *   indices from `MaxPool(x)` run again in the backward graph (cheaper than carrying int64 tensors between graphs);
 * - nonadj's MaxUnpooling2D: `dy` gathered at the same indices from the flattened gradient (`Gather`); none flows to
 *   the map the indices came from (not differentiable, as the layer's own gradient);
 * - Concatenate: the gradient split along the channels; Add: passed to each input;
 * - a tensor read by several layers sums their gradients.
 *
 * Layers covered: InputLayer, Conv2D/Conv3D with stride 1 (any dilation, 'same' or 'valid', activation linear, relu
 * or elu, with or without bias), MaxPooling2D/3D (window = stride, 'valid'), MaxUnpooling2D, Concatenate (channels),
 * Add, Activation (relu, elu, linear), ReLU. ModSegNet and brainchop's MeshNets (dilated Conv3D + ELU) are made of these. Others (batch normalisation, whose training form
 * needs batch statistics; dropout, which is not the identity in training) are refused, so the caller trains on tfjs.
 *
 * @throws Error naming the layer (class and name) and the setting that is not covered, or when the model has several
 *   inputs or outputs, a shared layer, or no trainable weight.
 */
export function toOnnxTraining(model: LayersModel): OnnxTrainingGraphs {
  const where0 = `toOnnxTraining: model ${model.name}`;
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new Error(`${where0} has ${model.inputs.length} inputs and ${model.outputs.length} outputs, expected one of each`);
  }
  const forward: OnnxNode[] = [];
  const backward: OnnxNode[] = [];
  const constants: OnnxInitializer[] = [];
  let counter = 0;
  const fresh = (base: string): string => `${base}__${counter++}`;
  const node = (into: OnnxNode[], opType: string, base: string, inputs: string[], attributes: OnnxAttribute[] = [], outputs = [fresh(base)]): string[] => {
    into.push({ opType, name: fresh(`${base}_${opType}`), inputs, outputs, attributes });
    return outputs;
  };
  const f = (opType: string, base: string, inputs: string[], attributes: OnnxAttribute[] = []): string => node(forward, opType, base, inputs, attributes)[0];
  const b = (opType: string, base: string, inputs: string[], attributes: OnnxAttribute[] = []): string => node(backward, opType, base, inputs, attributes)[0];
  const scalar = (base: string, value: number): string => {
    const name = fresh(base);
    constants.push({ name, dims: [], data: Float32Array.of(value) });
    return name;
  };
  const int64s = (base: string, values: number[]): string => {
    const name = fresh(base);
    constants.push({ name, dims: [values.length], data: BigInt64Array.from(values.map(BigInt)) });
    return name;
  };

  /**
   * A stride-1 convolution's kernel gradient as batched GEMMs, one per kernel offset o: the padded input's view
   * shifted by o·dilation, `[B, Cin, S]` (S = output voxels), times `dzᵀ` `[B, S, Cout]`; the k^n products concatenated
   * offset-major along the channels and summed over the batch give `[k^n·Cin, Cout]`, tfjs' `[k…, Cin, Cout]` once
   * reshaped. (ONNX's Conv with the batch and channel axes swapped gives the same but runs as Cin GEMMs of k^n columns,
   * 3× slower here; one GEMM over the concatenated views pays for copying them twice.)
   */
  const kernelGrad = (x: string, dz: string, kernelSize: number[], dilations: number[], pads: number[], shape: number[], base: string): string => {
    const n = kernelSize.length;
    const padded = pads.some((p) => p > 0) ? b('Pad', `${base}_pad`, [x, int64s('pads', [0, 0, ...pads.slice(0, n), 0, 0, ...pads.slice(n)])]) : x;
    let axes: string | undefined; // made only when a view needs it: onnxruntime warns on stderr about unused constants
    const dzFlat = b('Reshape', `${base}_dz`, [dz, int64s('shape', [0, 0, -1])]);
    const dzT = b('Transpose', `${base}_dz`, [dzFlat], [{ name: 'perm', ints: [0, 2, 1] }]);
    const flat = int64s('shape', [0, 0, -1]);
    const offsets = kernelSize.reduce<number[][]>((acc, k) => acc.flatMap((o) => range(k).map((i) => [...o, i])), [[]]);
    const products = offsets.map((offset) => {
      const starts = offset.map((o, i) => o * dilations[i]);
      // The view ends d·(k − 1) − start before the padded input's end (the output is that much smaller).
      const ends = starts.map((st, i) => {
        const back = dilations[i] * (kernelSize[i] - 1) - st;
        return back === 0 ? 2 ** 62 : -back;
      });
      if (offsets.length === 1) return b('MatMul', base, [b('Reshape', `${base}_view`, [padded, flat]), dzT]);
      axes ??= int64s('axes', range(n).map((i) => i + 2));
      const view = b('Slice', `${base}_view`, [padded, int64s('starts', starts), int64s('ends', ends), axes]);
      return b('MatMul', base, [b('Reshape', `${base}_view`, [view, flat]), dzT]);
    });
    const stacked = products.length === 1 ? products[0] : b('Concat', `${base}_offsets`, products, [{ name: 'axis', i: 1 }]);
    const summed = b('ReduceSum', base, [stacked, int64s('axes', [0])], [{ name: 'keepdims', i: 0 }]);
    return b('Reshape', base, [summed, int64s('shape', shape)]);
  };

  const trainable = new Map<string, number>();
  model.trainableWeights.forEach((w, i) => trainable.set(w.name, i));
  if (trainable.size === 0) throw new Error(`${where0} has no trainable weight`);
  const weightNames = model.trainableWeights.map((_, i) => `weight_${i}`);
  const gradNames = model.trainableWeights.map((_, i) => `grad_${i}`);
  const gradOf: Array<string | undefined> = gradNames.map(() => undefined);

  const values = new Map<number, Value>();
  const input = model.inputs[0];
  const rank = input.shape.length;
  const toFirst = [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, i) => i + 1)];
  const toLast = [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1];
  values.set(input.id, { name: f('Transpose', 'input', ['input'], [{ name: 'perm', ints: toFirst }]), rank });

  /** How each layer's backward pass is written, in forward order; run in reverse. */
  const steps: Array<{ out: string; run: (dy: string) => void }> = [];
  /** Gradient contributions per forward value (summed when read). */
  const pending = new Map<string, string[]>();
  const addGrad = (value: string, grad: string): void => {
    const list = pending.get(value) ?? [];
    list.push(grad);
    pending.set(value, list);
  };

  for (const layer of model.layers) {
    const cls = layer.getClassName();
    if (cls === 'InputLayer') continue;
    const where = `toOnnxTraining: layer ${layer.name} (${cls}) of model ${model.name}`;
    if (layer.inboundNodes.length !== 1) throw new Error(`${where} is applied ${layer.inboundNodes.length} times; shared layers are not covered`);
    const ins = ([] as SymbolicTensor[]).concat(layer.input as SymbolicTensor | SymbolicTensor[]).map((t) => {
      const v = values.get(t.id);
      if (v === undefined) throw new Error(`${where}: its input ${t.name} comes from no covered layer`);
      return v;
    });
    const out = layer.output as SymbolicTensor;
    if (Array.isArray(out)) throw new Error(`${where} has several outputs; not covered`);
    const config = layer.getConfig() as Record<string, unknown>;
    if (config.dataFormat !== undefined && config.dataFormat !== 'channelsLast') throw new Error(`${where} is ${String(config.dataFormat)}; channels-last only`);
    const x = ins[0];
    const r = out.shape.length;
    const n = r - 2;
    let result: string;

    const activation = (z: string, name: unknown): string => {
      const a = String(name ?? 'linear');
      if (a === 'linear') return z;
      if (a === 'relu') return f('Relu', layer.name, [z]);
      if (a === 'elu') return f('Elu', layer.name, [z], [{ name: 'alpha', f: 1 }]);
      throw new Error(`${where}: activation '${a}' is not covered (relu, elu or linear)`);
    };
    /** The activation's backward: dz from dy, written with its output y (so z need not be kept). */
    const activationGrad = (y: string, dy: string, name: unknown): string => {
      const a = String(name ?? 'linear');
      // ReLU: 1 where y > 0, else 0 (sign(y), y ≥ 0). ELU (α = 1): 1 where y > 0, else exp(z) = y + 1: min(y, 0) + 1.
      if (a === 'relu') return b('Mul', layer.name, [dy, b('Sign', layer.name, [y])]);
      if (a === 'elu') return b('Mul', layer.name, [dy, b('Add', layer.name, [b('Min', layer.name, [y, scalar('zero', 0)]), scalar('one', 1)])]);
      return dy;
    };

    if (cls === 'Conv2D' || cls === 'Conv3D') {
      const kernelSize = tuple(config.kernelSize, n);
      const strides = tuple(config.strides, n);
      const dilations = tuple(config.dilationRate, n);
      if (strides.some((s) => s !== 1)) throw new Error(`${where}: strides ${strides.join('×')} are not covered (stride 1 only)`);
      const pads = padding(config.padding, kernelSize, dilations, where);
      const kernel = layer.weights.find((w) => short(w.originalName) === 'kernel');
      const bias = config.useBias === false ? undefined : layer.weights.find((w) => short(w.originalName) === 'bias');
      if (!kernel) throw new Error(`${where}: no kernel weight`);
      const kernelIndex = trainable.get(kernel.name);
      if (kernelIndex === undefined) throw new Error(`${where}: a frozen kernel is not covered`);
      const kernelInput = weightNames[kernelIndex];
      // tfjs [k…, Cin, Cout] → ONNX [Cout, Cin, k…].
      const w = f('Transpose', `${layer.name}_kernel`, [kernelInput], [{ name: 'perm', ints: [n + 1, n, ...range(n)] }]);
      const biasIndex = bias ? trainable.get(bias.name) : undefined;
      if (bias && biasIndex === undefined) throw new Error(`${where}: a frozen bias is not covered`);
      const attributes: OnnxAttribute[] = [
        { name: 'kernel_shape', ints: kernelSize },
        { name: 'dilations', ints: dilations },
        { name: 'pads', ints: pads },
      ];
      const z = f('Conv', layer.name, [x.name, w, ...(biasIndex === undefined ? [] : [weightNames[biasIndex]])], attributes);
      result = activation(z, config.activation);
      const y = result;
      const needInputGrad = x.name !== values.get(input.id)!.name;
      steps.push({
        out: y,
        run: (dy) => {
          const dz = activationGrad(y, dy, config.activation);
          gradOf[kernelIndex] = kernelGrad(x.name, dz, kernelSize, dilations, pads, [...kernel.shape] as number[], `${layer.name}_dw`);
          if (bias && biasIndex !== undefined) {
            gradOf[biasIndex] = b('ReduceSum', `${layer.name}_db`, [dz, int64s('axes', [0, ...range(n).map((i) => i + 2)])], [{ name: 'keepdims', i: 0 }]);
          }
          if (needInputGrad) {
            // The kernel is transposed again here rather than carried over from the forward graph.
            const wb = b('Transpose', `${layer.name}_kernel`, [kernelInput], [{ name: 'perm', ints: [n + 1, n, ...range(n)] }]);
            addGrad(x.name, b('ConvTranspose', `${layer.name}_dx`, [dz, wb], attributes));
          }
        },
      });
    } else if (cls === 'MaxPooling2D' || cls === 'MaxPooling3D') {
      const pool = tuple(config.poolSize, n);
      const strides = tuple(config.strides ?? config.poolSize, n);
      if (pool.some((p, i) => p !== strides[i]) || config.padding !== 'valid') {
        throw new Error(`${where}: pool ${pool.join('×')} stride ${strides.join('×')} padding ${String(config.padding)} is not covered (window = stride, 'valid')`);
      }
      const attributes: OnnxAttribute[] = [{ name: 'kernel_shape', ints: pool }, { name: 'strides', ints: strides }];
      result = f('MaxPool', layer.name, [x.name], attributes);
      steps.push({
        out: result,
        run: (dy) => {
          const [, indices] = node(backward, 'MaxPool', `${layer.name}_argmax`, [x.name], attributes, [fresh(`${layer.name}_pooled`), fresh(`${layer.name}_indices`)]);
          const shape = b('Shape', `${layer.name}_shape`, [x.name]);
          addGrad(x.name, b('MaxUnpool', `${layer.name}_dx`, [dy, indices, shape], attributes));
        },
      });
    } else if (cls === 'MaxUnpooling2D') {
      // Inputs [pooledFrom, y]: the argmax of pooledFrom's 2×2 windows, where y's values go.
      const attributes: OnnxAttribute[] = [{ name: 'kernel_shape', ints: [2, 2] }, { name: 'strides', ints: [2, 2] }];
      const [, indices] = node(forward, 'MaxPool', `${layer.name}_argmax`, [x.name], attributes, [fresh(`${layer.name}_pooled`), fresh(`${layer.name}_indices`)]);
      const shape = f('Shape', `${layer.name}_shape`, [x.name]);
      result = f('MaxUnpool', layer.name, [ins[1].name, indices, shape], attributes);
      steps.push({
        out: result,
        run: (dy) => {
          const [, again] = node(backward, 'MaxPool', `${layer.name}_argmax`, [x.name], attributes, [fresh(`${layer.name}_pooled`), fresh(`${layer.name}_indices`)]);
          const flat = b('Reshape', `${layer.name}_flat`, [dy, int64s('flat', [-1])]);
          addGrad(ins[1].name, b('Gather', `${layer.name}_dy`, [flat, again], [{ name: 'axis', i: 0 }]));
        },
      });
    } else if (cls === 'Concatenate') {
      let axis = Number(config.axis ?? -1);
      if (axis < 0) axis += r;
      if (axis !== r - 1) throw new Error(`${where}: concatenation along axis ${axis} is not covered (channels only)`);
      result = f('Concat', layer.name, ins.map((v) => v.name), [{ name: 'axis', i: 1 }]);
      const sizes = ([] as SymbolicTensor[]).concat(layer.input as SymbolicTensor[]).map((t) => t.shape[r - 1] as number);
      steps.push({
        out: result,
        run: (dy) => {
          const parts = node(backward, 'Split', `${layer.name}_split`, [dy, int64s('split', sizes)], [{ name: 'axis', i: 1 }], ins.map(() => fresh(`${layer.name}_part`)));
          ins.forEach((v, i) => addGrad(v.name, parts[i]));
        },
      });
    } else if (cls === 'Add') {
      result = ins.slice(1).reduce((a, v) => f('Add', layer.name, [a, v.name]), ins[0].name);
      steps.push({ out: result, run: (dy) => ins.forEach((v) => addGrad(v.name, dy)) });
    } else if (cls === 'Activation' || cls === 'ReLU') {
      if (cls === 'ReLU' && config.maxValue != null) throw new Error(`${where}: a capped ReLU is not covered`);
      const a = cls === 'ReLU' ? 'relu' : config.activation;
      result = activation(x.name, a);
      const y = result;
      steps.push({ out: y, run: (dy) => addGrad(x.name, activationGrad(y, dy, a)) });
    } else {
      throw new Error(`${where}: layer class ${cls} is not covered by the training graphs (train on tfjs)`);
    }
    values.set(out.id, { name: result, rank: r });
  }

  const output = values.get(model.outputs[0].id);
  if (output === undefined) throw new Error(`${where0}: its output comes from no covered layer`);
  node(forward, 'Transpose', 'logits', [output.name], [{ name: 'perm', ints: toLast }], ['logits']);
  addGrad(output.name, b('Transpose', 'dlogits', ['dlogits'], [{ name: 'perm', ints: toFirst }]));

  // Reverse mode: each layer's output gradient is complete once every later layer has run.
  for (const step of [...steps].reverse()) {
    const parts = pending.get(step.out);
    if (!parts) continue; // nothing downstream depends on it (e.g. a pooled map only unpooling reads)
    const dy = parts.length === 1 ? parts[0] : b('Sum', `${step.out}_grad`, parts);
    step.run(dy);
  }
  const missing = gradOf.findIndex((g) => g === undefined);
  if (missing >= 0) throw new Error(`${where0}: weight ${model.trainableWeights[missing].name} gets no gradient (it does not reach the output)`);
  gradOf.forEach((g, i) => backward.push({ opType: 'Identity', name: fresh('grad_out'), inputs: [g!], outputs: [gradNames[i]] }));

  // The forward values the backward graph reads become outputs of one and inputs of the other.
  const producedForward = new Set(forward.flatMap((nd) => nd.outputs));
  const saved = [...new Set(backward.flatMap((nd) => nd.inputs).filter((name) => producedForward.has(name)))];
  const forwardConstants = new Set(forward.flatMap((nd) => nd.inputs));
  const rankOf = new Map<string, number>();
  for (const v of values.values()) rankOf.set(v.name, v.rank);
  const symbolic = (name: string, r: number): OnnxValueInfo => ({ name, shape: Array.from({ length: r }, (_, i) => `${name}_d${i}`) });
  const savedInfo = saved.map((name) => {
    const r = rankOf.get(name);
    if (r === undefined) throw new Error(`${where0}: internal: the backward graph reads ${name}, which is no layer's output`);
    return symbolic(name, r);
  });
  const weightInfo = model.trainableWeights.map((w, i) => ({ name: weightNames[i], shape: [...w.shape] as number[] }));
  const common = { irVersion: IR_VERSION, opset: ONNX_OPSET, producerName: 'nonadj', producerVersion: 'toOnnxTraining' };
  return {
    forward: encodeOnnxModel({
      ...common,
      graphName: `${model.name}_forward`,
      nodes: forward,
      initializers: constants.filter((c) => forwardConstants.has(c.name)),
      inputs: [symbolic('input', rank), ...weightInfo],
      outputs: [symbolic('logits', rank), ...savedInfo],
    }),
    backward: encodeOnnxModel({
      ...common,
      graphName: `${model.name}_backward`,
      nodes: backward,
      initializers: constants.filter((c) => !forwardConstants.has(c.name)),
      inputs: [symbolic('dlogits', rank), ...savedInfo, ...weightInfo],
      outputs: model.trainableWeights.map((w, i) => ({ name: gradNames[i], shape: [...w.shape] as number[] })),
    }),
    weights: weightNames,
    grads: gradNames,
    saved,
  };
}

function short(originalName: string): string {
  return originalName.split('/').at(-1)!.replace(/_\d+$/, '');
}

/** Explicit ONNX pads `[begin…, end…]` for Keras' 'valid' or 'same' at stride 1. */
function padding(mode: unknown, kernel: number[], dilations: number[], where: string): number[] {
  if (mode === 'valid') return kernel.flatMap(() => [0, 0]);
  if (mode !== 'same') throw new Error(`${where}: padding '${String(mode)}' is not covered ('same' or 'valid')`);
  const total = kernel.map((k, i) => dilations[i] * (k - 1));
  return [...total.map((t) => Math.floor(t / 2)), ...total.map((t) => t - Math.floor(t / 2))];
}

function tuple(v: unknown, n: number): number[] {
  return Array.isArray(v) ? v.map(Number) : Array.from({ length: n }, () => Number(v));
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
