// Why these kernels exist: the training loop's Adam update of one weight, written as tf ops, is about a dozen
// kernels (each a pass over the weight, a new buffer, and tfjs's per-op overhead); for the demo's ModSegNet (32
// weights) that is ~420 kernel calls and ~19 ms of CPU per step on wasm. Each update here is one loop per weight.
// On wasm, Adam runs as float32 SIMD over the heap (`wasmSimdAdam`: float32 arithmetic, as PyTorch's); elsewhere,
// and for the last few values, the arithmetic is in float64 (stored float32).
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { inputsOf } from './kernelScope.js';
import { isWasmHeapBackend } from './wasmHeap.js';
import { wasmSimdAdam } from './wasmSimdAdam.js';

/** Adam (PyTorch's rule, coupled weight decay): inputs `w`, `m`, `v`, `g`; outputs `[w', m', v']`. */
export const ADAM_UPDATE = 'NonadjAdamUpdate';
/** SGD with momentum (PyTorch's rule, coupled weight decay): inputs `w`, `v`, `g`; outputs `[w', v']`. */
export const SGD_UPDATE = 'NonadjSgdUpdate';

/** Attributes of {@link ADAM_UPDATE}: `bc1 = 1 − β1^t`, `bc2 = 1 − β2^t` (computed by the caller in float64). */
export interface AdamUpdateAttrs {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
  bc1: number;
  bc2: number;
}

/** Attributes of {@link SGD_UPDATE}. */
export interface SgdUpdateAttrs {
  lr: number;
  momentum: number;
  weightDecay: number;
}

type Values = Float32Array | Int32Array | Uint8Array;

interface Io {
  read(t: TensorInfo): Values;
  outputs(shape: number[], count: number): { infos: () => TensorInfo[]; values: Values[] };
}

function ioOf(backend: unknown): Io {
  if (isWasmHeapBackend(backend)) {
    return {
      read: (t) => backend.typedArrayFromHeap(t),
      outputs: (shape, count) => {
        const infos = Array.from({ length: count }, () => backend.makeOutput(shape, 'float32'));
        // Views made after every allocation: an allocation may grow (and so detach) the heap.
        return { infos: () => infos, values: infos.map((t) => backend.typedArrayFromHeap(t)) };
      },
    };
  }
  const b = backend as { readSync(id: object): Values; makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo };
  return {
    read: (t) => b.readSync(t.dataId),
    outputs: (shape, count) => {
      const n = shape.reduce((p, d) => p * d, 1);
      const values = Array.from({ length: count }, () => new Float32Array(n));
      return { values, infos: () => values.map((v) => b.makeTensorInfo(shape, 'float32', v)) };
    },
  };
}

function checkSame(name: string, inputs: Record<string, TensorInfo>): void {
  const [first, ...rest] = Object.entries(inputs);
  for (const [k, t] of [first, ...rest]) {
    if (t.dtype !== 'float32' || t.shape.length !== first[1].shape.length || t.shape.some((d, i) => d !== first[1].shape[i])) {
      throw new RangeError(`${name}: ${k} is ${t.dtype} [${t.shape.join(', ')}], expected float32 of ${first[0]}'s shape [${first[1].shape.join(', ')}]`);
    }
  }
}

/**
 * One Adam step on a weight: `g' = g + wd·w`, `m' = β1·m + (1−β1)·g'`, `v' = β2·v + (1−β2)·g'²`,
 * `w' = w − lr/bc1 · m' / (√v' / √bc2 + ε)`. Inputs float32 of one shape; outputs `[w', m', v']`.
 *
 * @throws RangeError when the inputs differ in shape or are not float32.
 */
export const adamUpdate: KernelFunc = ({ inputs, backend, attrs }) => {
  const named = inputsOf(ADAM_UPDATE, inputs, ['w', 'm', 'v', 'g']);
  checkSame(ADAM_UPDATE, named);
  const { lr, beta1, beta2, epsilon, weightDecay, bc1, bc2 } = attrs as unknown as AdamUpdateAttrs;
  const io = ioOf(backend);
  const out = io.outputs([...named.w.shape], 3);
  const [w, m, v, g] = [named.w, named.m, named.v, named.g].map((t) => io.read(t));
  const [w2, m2, v2] = out.values;
  // lr/bc1 · m / (√v/√bc2 + ε) = (lr·√bc2/bc1) · m / (√v + ε·√bc2): one division per element instead of two (the
  // loop is bound by division and square-root throughput: 6.6 → 5.2 ms for ModSegNet's 783k weights).
  const root = Math.sqrt(bc2);
  const step = (lr * root) / bc1;
  const eps = epsilon * root;
  const [c1, c2] = [1 - beta1, 1 - beta2];
  const len = w.length;
  // On wasm, the bulk in float32 SIMD over the heap (5.7 → ~1 ms per ModSegNet step); the last len mod 4 here.
  const simd = isWasmHeapBackend(backend) ? wasmSimdAdam(backend) : null;
  let start = 0;
  if (simd !== null) {
    start = len - (len % 4);
    const addresses = { w: w.byteOffset, m: m.byteOffset, v: v.byteOffset, g: g.byteOffset, w2: w2.byteOffset, m2: m2.byteOffset, v2: v2.byteOffset };
    simd(addresses, start, { beta1, beta2, c1, c2, step, eps, weightDecay });
  }
  for (let i = start; i < len; i++) {
    const wi = w[i];
    const gi = g[i] + weightDecay * wi;
    const mi = beta1 * m[i] + c1 * gi;
    const vi = beta2 * v[i] + c2 * gi * gi;
    m2[i] = mi;
    v2[i] = vi;
    w2[i] = wi - (step * mi) / (Math.sqrt(vi) + eps);
  }
  return out.infos();
};

/**
 * One SGD-with-momentum step on a weight: `g' = g + wd·w`, `v' = μ·v + g'`, `w' = w − lr·v'`. Inputs float32 of one
 * shape; outputs `[w', v']`.
 *
 * @throws RangeError when the inputs differ in shape or are not float32.
 */
export const sgdUpdate: KernelFunc = ({ inputs, backend, attrs }) => {
  const named = inputsOf(SGD_UPDATE, inputs, ['w', 'v', 'g']);
  checkSame(SGD_UPDATE, named);
  const { lr, momentum, weightDecay } = attrs as unknown as SgdUpdateAttrs;
  const io = ioOf(backend);
  const out = io.outputs([...named.w.shape], 2);
  const [w, v, g] = [named.w, named.v, named.g].map((t) => io.read(t));
  const [w2, v2] = out.values;
  for (let i = 0; i < w.length; i++) {
    const vi = momentum * v[i] + g[i] + weightDecay * w[i];
    v2[i] = vi;
    w2[i] = w[i] - lr * vi;
  }
  return out.infos();
};

/** Both update kernels for `backendName` (wasm: on the heap; cpu: on its value arrays). */
export function optimizerUpdateConfigs(backendName: 'wasm' | 'cpu'): KernelConfig[] {
  return [
    { kernelName: ADAM_UPDATE, backendName, kernelFunc: adamUpdate },
    { kernelName: SGD_UPDATE, backendName, kernelFunc: sgdUpdate },
  ];
}
