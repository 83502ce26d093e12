import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs-layers';
import { encodeOnnxModel, type OnnxAttribute, type OnnxInitializer, type OnnxNode } from './encodeOnnxModel.js';

/** A layer of a tfjs layers model (tfjs-layers does not export the class's type at its top level). */
type Layer = LayersModel['layers'][number];

/**
 * The ONNX opset the exporter writes: 17 (ONNX 1.12, 2022), which onnxruntime 1.31 implements in full for the
 * operators used here (Conv, MaxPool with Indices, MaxUnpool, Resize, BatchNormalization, Concat, Reshape,
 * Transpose, activations, Softmax with a single axis). IR version 8 is the one that goes with it.
 */
export const ONNX_OPSET = 17;
const IR_VERSION = 8;

/** Options of {@link toOnnx}. */
export interface ToOnnxOptions {
  /** Name of the graph's input. @default 'input' */
  inputName?: string;
  /** Name of the graph's output. @default 'output' */
  outputName?: string;
}

/** Layers that are the identity at inference. */
const IDENTITY = new Set(['Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'SpatialDropout3D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout']);

/** An exported tensor: its ONNX name, rank, and whether its channels are last (tfjs' layout) or second (ONNX's). */
interface Value {
  name: string;
  rank: number;
  layout: 'last' | 'first';
}

/**
 * Export a tfjs layers model to ONNX (opset {@link ONNX_OPSET}), for inference with onnxruntime.
 *
 * The ONNX model keeps the tfjs interface: input `[B, …spatial, Cin]` and output `[B, …spatial, Cout]`, channels
 * last, float32 (the batch and spatial sizes are symbolic, so any size the layers accept runs). Inside, the
 * convolutions and pools run channels-first as ONNX defines them: a Transpose moves the channels second where the
 * first such layer needs them and back where a layer needs them last (a Reshape, the output), so a chain of
 * convolutions pays for one Transpose at each end. Kernels are converted from tfjs' `[k…, Cin, Cout]` to ONNX's
 * `[Cout, Cin, k…]`.
 *
 * Layers covered: Conv2D, Conv3D (any strides and dilations, 'same' or 'valid', fused activation), MaxPooling2D/3D,
 * AveragePooling2D/3D, nonadj's MaxUnpooling2D (ONNX MaxPool with its Indices output + MaxUnpool: both take the first
 * maximum of a window in row-major order, as the layer does), nonadj's UpSampling3D and UpSampling2D (nearest: Resize
 * with integer scales, asymmetric coordinates, floor), BatchNormalization, Concatenate, Add, Reshape, Activation,
 * ReLU, ELU, LeakyReLU, Softmax, and the layers that are the identity at inference (Dropout, noise). Activations:
 * linear, relu, relu6, elu, sigmoid, tanh, softplus, softmax.
 *
 * BatchNormalization is written as ONNX BatchNormalization with the moving mean and variance (inference form) rather
 * than folded into the convolution before it: it is exact whatever precedes it (brainchop's converter leaves some
 * after an activation), and onnxruntime's graph optimiser folds a Conv + BatchNormalization pair itself when the
 * session is created.
 *
 * @returns the bytes of the `.onnx` model (`InferenceSession.create` takes them as they are).
 * @throws Error naming the class and name of a layer it cannot export (or an unsupported setting of one: a
 *   channels-first layer, bilinear upsampling, an activation outside the list), or when the model has several inputs
 *   or outputs, or a layer is applied more than once (shared layers).
 */
export function toOnnx(model: LayersModel, options: ToOnnxOptions = {}): Uint8Array {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new Error(`toOnnx: model ${model.name} has ${model.inputs.length} inputs and ${model.outputs.length} outputs, expected one of each`);
  }
  const inputName = options.inputName ?? 'input';
  const outputName = options.outputName ?? 'output';
  const nodes: OnnxNode[] = [];
  const initializers: OnnxInitializer[] = [];
  const values = new Map<number, Value>();
  const converted = new Map<string, string>();
  let counter = 0;
  const fresh = (base: string): string => `${base}__${counter++}`;
  const constant = (base: string, dims: number[], data: Float32Array | BigInt64Array): string => {
    const name = fresh(base);
    initializers.push({ name, dims, data });
    return name;
  };
  const add = (opType: string, name: string, inputs: string[], attributes: OnnxAttribute[] = [], outputs = [fresh(name)]): string[] => {
    nodes.push({ opType, name: fresh(name), inputs, outputs, attributes });
    return outputs;
  };
  // Transposes between the layouts, made once per tensor however many layers read it.
  const inLayout = (v: Value, layout: Value['layout']): string => {
    if (v.layout === layout || v.rank < 3) return v.name;
    const key = `${v.name}->${layout}`;
    let name = converted.get(key);
    if (name === undefined) {
      const r = v.rank;
      const perm =
        layout === 'first'
          ? [0, r - 1, ...Array.from({ length: r - 2 }, (_, i) => i + 1)]
          : [0, ...Array.from({ length: r - 2 }, (_, i) => i + 2), 1];
      name = add('Transpose', `${v.name}_to_channels_${layout}`, [v.name], [{ name: 'perm', ints: perm }])[0];
      converted.set(key, name);
    }
    return name;
  };

  const input = model.inputs[0];
  const inRank = input.shape.length;
  values.set(input.id, { name: inputName, rank: inRank, layout: 'last' });

  for (const layer of model.layers) {
    const cls = layer.getClassName();
    if (cls === 'InputLayer') continue;
    const where = `toOnnx: layer ${layer.name} (${cls}) of model ${model.name}`;
    if (layer.inboundNodes.length !== 1) throw new Error(`${where} is applied ${layer.inboundNodes.length} times; shared layers are not exported`);
    const ins = ([] as SymbolicTensor[]).concat(layer.input as SymbolicTensor | SymbolicTensor[]).map((t) => {
      const v = values.get(t.id);
      if (v === undefined) throw new Error(`${where}: its input ${t.name} comes from no exported layer`);
      return v;
    });
    const out = layer.output as SymbolicTensor;
    if (Array.isArray(out)) throw new Error(`${where} has several outputs; not exported`);
    const rank = out.shape.length;
    const config = layer.getConfig() as Record<string, unknown>;
    if (config.dataFormat !== undefined && config.dataFormat !== 'channelsLast') {
      throw new Error(`${where} is ${String(config.dataFormat)}; only channels-last layers are exported`);
    }
    const x = ins[0];
    let result: Value;
    const activation = (v: Value, name: unknown): Value => applyActivation(v, String(name ?? 'linear'), where, add, constant, layer.name);

    if (cls === 'Conv2D' || cls === 'Conv3D') {
      const n = cls === 'Conv2D' ? 2 : 3;
      const kernel = tuple(config.kernelSize, n);
      const strides = tuple(config.strides, n);
      const dilations = tuple(config.dilationRate, n);
      const weights = weightsOf(layer);
      const k = weights.get('kernel');
      if (!k) throw new Error(`${where}: no kernel weight`);
      const w = constant(`${layer.name}_W`, [k.shape[n + 1], k.shape[n], ...kernel], transposeData(k.data, k.shape, [n + 1, n, ...range(n)]));
      const inputs = [inLayout(x, 'first'), w];
      const b = weights.get('bias');
      if (config.useBias !== false && b) inputs.push(constant(`${layer.name}_B`, b.shape, b.data));
      const conv = add('Conv', layer.name, inputs, [
        { name: 'kernel_shape', ints: kernel },
        { name: 'strides', ints: strides },
        { name: 'dilations', ints: dilations },
        ...padding(config.padding, kernel, strides, dilations, where),
      ])[0];
      result = activation({ name: conv, rank, layout: 'first' }, config.activation);
    } else if (cls === 'MaxPooling2D' || cls === 'MaxPooling3D' || cls === 'AveragePooling2D' || cls === 'AveragePooling3D') {
      const n = cls.endsWith('2D') ? 2 : 3;
      const kernel = tuple(config.poolSize, n);
      const strides = tuple(config.strides ?? config.poolSize, n);
      const attributes = [{ name: 'kernel_shape', ints: kernel }, { name: 'strides', ints: strides }, ...padding(config.padding, kernel, strides, kernel.map(() => 1), where)];
      // tfjs' average pool divides by the voxels inside the image ('same' padding), as count_include_pad = 0 does.
      if (cls.startsWith('Average')) attributes.push({ name: 'count_include_pad', i: 0 });
      result = { name: add(cls.startsWith('Max') ? 'MaxPool' : 'AveragePool', layer.name, [inLayout(x, 'first')], attributes)[0], rank, layout: 'first' };
    } else if (cls === 'MaxUnpooling2D') {
      // Inputs [pooledFrom, y]: pool pooledFrom again for its argmax indices, then scatter y to them.
      const pool: OnnxAttribute[] = [{ name: 'kernel_shape', ints: [2, 2] }, { name: 'strides', ints: [2, 2] }];
      const indices = fresh(`${layer.name}_indices`);
      add('MaxPool', `${layer.name}_argmax`, [inLayout(x, 'first')], pool, [fresh(`${layer.name}_pooled`), indices]);
      result = { name: add('MaxUnpool', layer.name, [inLayout(ins[1], 'first'), indices], pool)[0], rank, layout: 'first' };
    } else if (cls === 'UpSampling3D' || cls === 'UpSampling2D') {
      const n = cls === 'UpSampling3D' ? 3 : 2;
      if (config.interpolation !== undefined && config.interpolation !== 'nearest') {
        throw new Error(`${where}: interpolation '${String(config.interpolation)}' is not exported (nearest only)`);
      }
      const size = tuple(config.size, n);
      const scales = constant(`${layer.name}_scales`, [n + 2], Float32Array.from([1, 1, ...size]));
      result = {
        name: add('Resize', layer.name, [inLayout(x, 'first'), '', scales], [
          { name: 'mode', s: 'nearest' },
          { name: 'coordinate_transformation_mode', s: 'asymmetric' },
          { name: 'nearest_mode', s: 'floor' },
        ])[0],
        rank,
        layout: 'first',
      };
    } else if (cls === 'BatchNormalization') {
      const axis = Array.isArray(config.axis) ? config.axis : [config.axis];
      if (axis.length !== 1 || (axis[0] !== -1 && axis[0] !== rank - 1)) throw new Error(`${where}: normalises axis ${axis.join(', ')}; only the channels (last axis) are exported`);
      const weights = weightsOf(layer);
      const mean = weights.get('moving_mean');
      const variance = weights.get('moving_variance');
      if (!mean || !variance) throw new Error(`${where}: no moving_mean or moving_variance weight`);
      const c = mean.data.length;
      const gamma = weights.get('gamma')?.data ?? new Float32Array(c).fill(1);
      const beta = weights.get('beta')?.data ?? new Float32Array(c);
      const inputs = [inLayout(x, 'first'), constant(`${layer.name}_scale`, [c], gamma), constant(`${layer.name}_bias`, [c], beta), constant(`${layer.name}_mean`, [c], mean.data), constant(`${layer.name}_var`, [c], variance.data)];
      result = { name: add('BatchNormalization', layer.name, inputs, [{ name: 'epsilon', f: Number(config.epsilon ?? 1e-3) }])[0], rank, layout: 'first' };
    } else if (cls === 'Concatenate' || cls === 'Add') {
      // Inputs in one layout: channels-first if any already is (the convolutions' side), else as they are.
      const layout = ins.some((v) => v.layout === 'first' && v.rank >= 3) ? 'first' : 'last';
      const names = ins.map((v) => inLayout(v, layout));
      if (cls === 'Add') {
        result = { name: names.slice(1).reduce((a, b, i) => add('Add', `${layer.name}_${i}`, [a, b])[0], names[0]), rank, layout };
      } else {
        let axis = Number(config.axis ?? -1);
        if (axis < 0) axis += rank;
        if (layout === 'first' && rank >= 3 && axis > 0) axis = axis === rank - 1 ? 1 : axis + 1;
        result = { name: add('Concat', layer.name, names, [{ name: 'axis', i: axis }])[0], rank, layout };
      }
    } else if (cls === 'Reshape') {
      // Keras' target shape excludes the batch, which ONNX Reshape copies with a 0 (allowzero = 0, the default).
      const target = (config.targetShape as number[]).map((v) => (v === null ? -1 : v));
      const shape = constant(`${layer.name}_shape`, [target.length + 1], BigInt64Array.from([0, ...target].map(BigInt)));
      result = { name: add('Reshape', layer.name, [inLayout(x, 'last'), shape])[0], rank, layout: 'last' };
    } else if (cls === 'Activation') {
      result = activation(x, config.activation);
    } else if (cls === 'ReLU') {
      if (config.maxValue != null) throw new Error(`${where}: a capped ReLU (maxValue ${String(config.maxValue)}) is not exported`);
      result = activation(x, 'relu');
    } else if (cls === 'ELU' || cls === 'LeakyReLU') {
      const op = cls === 'ELU' ? 'Elu' : 'LeakyRelu';
      result = { ...x, name: add(op, layer.name, [x.name], [{ name: 'alpha', f: Number(config.alpha ?? (cls === 'ELU' ? 1 : 0.3)) }])[0] };
    } else if (cls === 'Softmax') {
      const axis = Array.isArray(config.axis) ? config.axis : [config.axis ?? -1];
      if (axis.length !== 1) throw new Error(`${where}: softmax over axes ${axis.join(', ')}; one axis only is exported`);
      let a = Number(axis[0]);
      if (a < 0) a += rank;
      if (x.layout === 'first' && rank >= 3 && a > 0) a = a === rank - 1 ? 1 : a + 1;
      result = { ...x, name: add('Softmax', layer.name, [x.name], [{ name: 'axis', i: a }])[0] };
    } else if (IDENTITY.has(cls)) {
      result = x;
    } else {
      throw new Error(`${where}: layer class ${cls} is not supported by the ONNX exporter`);
    }
    values.set(out.id, result);
  }

  const output = values.get(model.outputs[0].id);
  if (output === undefined) throw new Error(`toOnnx: model ${model.name}: its output comes from no exported layer`);
  const last = inLayout(output, 'last');
  nodes.push({ opType: 'Identity', name: 'output_identity', inputs: [last], outputs: [outputName] });
  const dims = (shape: Array<number | null>, prefix: string): Array<number | string> =>
    shape.map((d, i) => (i === 0 ? 'batch' : i === shape.length - 1 && d !== null ? d : `${prefix}${i}`));
  return encodeOnnxModel({
    irVersion: IR_VERSION,
    opset: ONNX_OPSET,
    producerName: 'nonadj',
    producerVersion: 'toOnnx',
    graphName: model.name,
    nodes,
    initializers,
    inputs: [{ name: inputName, shape: dims(input.shape, 'in') }],
    outputs: [{ name: outputName, shape: dims(model.outputs[0].shape, 'out') }],
  });
}

type Add = (opType: string, name: string, inputs: string[], attributes?: OnnxAttribute[], outputs?: string[]) => string[];
type Constant = (base: string, dims: number[], data: Float32Array | BigInt64Array) => string;

/** A Keras activation by name as ONNX nodes; softmax over the channels, wherever the layout puts them. */
function applyActivation(x: Value, activation: string, where: string, add: Add, constant: Constant, base: string): Value {
  const one = (op: string, attributes: OnnxAttribute[] = []): Value => ({ ...x, name: add(op, `${base}_${activation}`, [x.name], attributes)[0] });
  switch (activation) {
    case 'linear':
      return x;
    case 'relu':
      return one('Relu');
    case 'elu':
      return one('Elu', [{ name: 'alpha', f: 1 }]);
    case 'sigmoid':
      return one('Sigmoid');
    case 'tanh':
      return one('Tanh');
    case 'softplus':
      return one('Softplus');
    case 'softmax':
      return one('Softmax', [{ name: 'axis', i: x.layout === 'first' && x.rank >= 3 ? 1 : x.rank - 1 }]);
    case 'relu6': {
      const lo = constant(`${base}_min`, [], Float32Array.of(0));
      const hi = constant(`${base}_max`, [], Float32Array.of(6));
      return { ...x, name: add('Clip', `${base}_relu6`, [x.name, lo, hi])[0] };
    }
    default:
      throw new Error(`${where}: activation '${activation}' is not supported by the ONNX exporter`);
  }
}

/** A layer's weights by their short name (`kernel`, `bias`, `gamma`, `moving_mean`…), as float32 with their shapes. */
function weightsOf(layer: Layer): Map<string, { shape: number[]; data: Float32Array }> {
  const map = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const w of layer.weights) {
    const short = w.originalName.split('/').at(-1)!.replace(/_\d+$/, '');
    map.set(short, { shape: [...w.shape] as number[], data: Float32Array.from(w.read().dataSync() as Float32Array) });
  }
  return map;
}

/** ONNX padding attributes for Keras' `'valid'` or `'same'`: explicit pads at stride 1 (size-independent), SAME_UPPER (TensorFlow's rule) otherwise. */
function padding(mode: unknown, kernel: number[], strides: number[], dilations: number[], where: string): OnnxAttribute[] {
  if (mode === 'valid') return [];
  if (mode !== 'same') throw new Error(`${where}: padding '${String(mode)}' is not exported ('same' or 'valid')`);
  if (strides.some((s) => s !== 1)) return [{ name: 'auto_pad', s: 'SAME_UPPER' }];
  const total = kernel.map((k, i) => dilations[i] * (k - 1));
  return [{ name: 'pads', ints: [...total.map((t) => Math.floor(t / 2)), ...total.map((t) => t - Math.floor(t / 2))] }];
}

function tuple(v: unknown, n: number): number[] {
  return Array.isArray(v) ? v.map(Number) : Array.from({ length: n }, () => Number(v));
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** Row-major `data` of `shape` with its axes permuted (`out` axis i = `in` axis perm[i]). */
function transposeData(data: Float32Array, shape: number[], perm: number[]): Float32Array {
  const outShape = perm.map((p) => shape[p]);
  const inStrides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const stride = perm.map((p) => inStrides[p]);
  const out = new Float32Array(data.length);
  const index = new Array<number>(outShape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let i = 0; i < index.length; i++) src += index[i] * stride[i];
    out[o] = data[src];
    for (let i = index.length - 1; i >= 0; i--) {
      if (++index[i] < outShape[i]) break;
      index[i] = 0;
    }
  }
  return out;
}
