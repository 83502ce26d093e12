// Why this exists: the Adam update is one pass over every weight, bound by a division and a square root per
// element; JavaScript has no SIMD, so that loop took ~5.7 ms of CPU per ModSegNet training step (783k weights).
// Here it is a tiny WebAssembly function with 128-bit SIMD (four float32 lanes, float32 arithmetic as PyTorch's),
// run over tfjs-backend-wasm's own memory (see wasmHeapModule.ts): 1.5 ms.
import { heapFunction, moduleBytes, op } from './wasmHeapModule.js';

/**
 * Adam over `n` float32 values at byte addresses of one wasm memory: `g' = g + wd·w`, `m' = β1·m + c1·g'`,
 * `v' = β2·v + c2·g'²`, `w' = w − step·m' / (√v' + eps)`, in float32, four lanes at a time; `n` must be a multiple of 4.
 */
export type AdamSimdLoop = (
  addresses: { w: number; m: number; v: number; g: number; w2: number; m2: number; v2: number },
  n: number,
  k: { beta1: number; beta2: number; c1: number; c2: number; step: number; eps: number; weightDecay: number },
) => void;

const { get, set, simd } = op;
const load = [...simd(0x00), 2, 0]; // v128.load, alignment hint 4 bytes (unaligned access is allowed)
const store = [...simd(0x0b), 2, 0]; // v128.store
const splat = simd(0x13); // f32x4.splat
const [sqrt, add, sub, mul, div] = [0xe3, 0xe4, 0xe5, 0xe6, 0xe7].map(simd); // f32x4.*

// Locals: params 0…6 the addresses w, m, v, g, w2, m2, v2; 7 n; 8…14 the f32 constants β1, β2, c1, c2, step, eps,
// wd; then 15 i (byte offset), 16 end, 17…23 the constants splatted, 24 g', 25 m', 26 v', 27 w.
const at = (base: number): number[] => [...get(base), ...get(15), ...op.i32Add]; // base + i
const body: number[] = [
  ...[8, 9, 10, 11, 12, 13, 14].flatMap((p) => [...get(p), ...splat, ...set(p + 9)]),
  ...get(7), ...op.const(2), ...op.i32Shl, ...set(16), // end = n << 2
  ...op.block,
  ...op.loop,
  ...get(15), ...get(16), ...op.i32GeU, ...op.brIf(1), // done when i ≥ end
  ...at(0), ...load, ...set(27), // w
  ...at(3), ...load, ...get(23), ...get(27), ...mul, ...add, ...set(24), // g' = g + wd·w
  ...get(17), ...at(1), ...load, ...mul, ...get(19), ...get(24), ...mul, ...add, ...set(25), // m' = β1·m + c1·g'
  ...get(18), ...at(2), ...load, ...mul, ...get(20), ...get(24), ...get(24), ...mul, ...mul, ...add, ...set(26), // v'
  ...at(5), ...get(25), ...store, // m2 ← m'
  ...at(6), ...get(26), ...store, // v2 ← v'
  ...at(4), ...get(27), ...get(21), ...get(25), ...mul, ...get(26), ...sqrt, ...get(22), ...add, ...div, ...sub, ...store, // w2
  ...get(15), ...op.const(16), ...op.i32Add, ...set(15), // i += 16
  ...op.br(0),
  ...op.end, // loop
  ...op.end, // block
];
const bytes = moduleBytes('adam', [...Array<number>(8).fill(op.i32), ...Array<number>(7).fill(op.f32)], [[2, op.i32], [11, op.v128]], body);

/**
 * The SIMD Adam loop over `backend`'s wasm memory (tfjs-backend-wasm 4.22); null where that memory is not reachable
 * or this WebAssembly lacks SIMD (callers then keep their JavaScript loop).
 */
export function wasmSimdAdam(backend: unknown): AdamSimdLoop | null {
  const adam = heapFunction(bytes, 'adam', backend);
  if (adam === null) return null;
  return (a, n, k) => adam(a.w, a.m, a.v, a.g, a.w2, a.m2, a.v2, n, k.beta1, k.beta2, k.c1, k.c2, k.step, k.eps, k.weightDecay);
}
