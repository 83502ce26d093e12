// Why this kernel exists: tfjs's ReLU gradient is `dy · cast(step(x), 'float32')`: a Step, a Cast and a Multiply,
// three passes and two temporary maps for each ReLU of a network (15 in ModSegNet: ~3.6 ms of CPU per training
// step on wasm). This is one pass: on wasm a SIMD loop over the heap (see wasmHeapModule.ts), elsewhere a JS loop.
// `registerReluGradient` makes tfjs's Relu gradient call it where it is registered.
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { inputsOf } from './kernelScope.js';
import { isWasmHeapBackend } from './wasmHeap.js';
import { heapFunction, moduleBytes, op } from './wasmHeapModule.js';

/** Name of the kernel: inputs `dy` and `x` (the ReLU's input), float32 of one shape; output dy where x > 0, else 0. */
export const RELU_GRAD = 'NonadjReluGrad';

const { get, set, simd } = op;
const load = [...simd(0x00), 2, 0];
const store = [...simd(0x0b), 2, 0];
const [eq, gt] = [0x41, 0x44].map(simd); // f32x4.eq, f32x4.gt
const [not, and, or] = [0x4d, 0x4e, 0x50].map(simd);
const zero = [...simd(0x0c), ...Array<number>(16).fill(0)];
const one = [...simd(0x0c), ...[0, 1, 2, 3].flatMap(() => [0x00, 0x00, 0x80, 0x3f])]; // four float32 1.0
const mul = simd(0xe6); // f32x4.mul
// Params 0 dy, 1 x, 2 out (byte addresses), 3 n (a multiple of 4); locals 4 i, 5 end (i32), 6 x (v128).
const at = (base: number): number[] => [...get(base), ...get(4), ...op.i32Add];
const bytes = moduleBytes('reluGrad', Array<number>(4).fill(op.i32), [[2, op.i32], [1, op.v128]], [
  ...get(3), ...op.const(2), ...op.i32Shl, ...set(5),
  ...op.block, ...op.loop,
  ...get(4), ...get(5), ...op.i32GeU, ...op.brIf(1),
  ...at(1), ...load, ...set(6),
  // out = dy · step(x), step(x) = (1 ∧ [x > 0]) ∨ (x ∧ [x ≠ x]): 1, 0, or NaN for a NaN x, as tfjs's Step; the
  // product keeps tfjs's values bit for bit (−0 for a negative dy, NaN for an infinite dy at x ≤ 0).
  ...at(2),
  ...at(0), ...load,
  ...one, ...get(6), ...zero, ...gt, ...and,
  ...get(6), ...get(6), ...get(6), ...eq, ...not, ...and,
  ...or, ...mul, ...store,
  ...get(4), ...op.const(16), ...op.i32Add, ...set(4),
  ...op.br(0),
  ...op.end, ...op.end,
]);

type Values = Float32Array | Int32Array | Uint8Array;

function check(dy: TensorInfo, x: TensorInfo): void {
  if (dy.dtype !== 'float32' || x.dtype !== 'float32' || dy.shape.length !== x.shape.length || dy.shape.some((d, i) => d !== x.shape[i])) {
    throw new RangeError(`${RELU_GRAD}: dy is ${dy.dtype} [${dy.shape.join(', ')}] and x ${x.dtype} [${x.shape.join(', ')}], expected float32 of one shape`);
  }
}

function jsLoop(dy: Values, x: Values, out: Values, from: number): void {
  for (let i = from; i < x.length; i++) {
    const v = x[i];
    out[i] = dy[i] * (v > 0 ? 1 : v !== v ? v : 0);
  }
}

/** The ReLU gradient in one pass (see the file comment); wasm heap or tfjs-backend-cpu's value arrays. */
export const reluGrad: KernelFunc = ({ inputs, backend }) => {
  const { dy, x } = inputsOf(RELU_GRAD, inputs, ['dy', 'x']);
  check(dy, x);
  if (isWasmHeapBackend(backend)) {
    const out = backend.makeOutput([...x.shape], 'float32'); // first: an allocation may grow (and so detach) the heap
    const [d, v, o] = [dy, x, out].map((t) => backend.typedArrayFromHeap(t));
    const fn = heapFunction(bytes, 'reluGrad', backend);
    const n4 = fn === null ? 0 : v.length - (v.length % 4);
    if (fn !== null) fn(d.byteOffset, v.byteOffset, o.byteOffset, n4);
    jsLoop(d, v, o, n4);
    return out;
  }
  const b = backend as { readSync(id: object): Values; makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo };
  const v = b.readSync(x.dataId);
  const out = new Float32Array(v.length);
  jsLoop(b.readSync(dy.dataId), v, out, 0);
  return b.makeTensorInfo([...x.shape], 'float32', out);
};

/** The kernel for `backendName` (registered by `registerWasmKernels` and `registerCpuKernels`). */
export function reluGradConfig(backendName: 'wasm' | 'cpu'): KernelConfig {
  return { kernelName: RELU_GRAD, backendName, kernelFunc: reluGrad };
}
