// Why this exists: ModSegNet's max-unpooling, its gradient and the max-pool gradient are each one pass over the
// 2×2 windows of a map, finding each window's first maximum per channel; in JavaScript (one comparison chain per
// value, no SIMD) they took ~15 ms of CPU per training step. Here they are tiny WebAssembly functions (see
// wasmHeapModule.ts) over four channels at a time: the first maximum as one-hot lane masks, then masked stores
// (scatter: every element of the big map is written, the winner's value or zero) or masked loads (gather).
import { heapFunction, moduleBytes, op } from './wasmHeapModule.js';

/**
 * Over the 2×2 windows of `x` (`[B, H, W, C]` float32, H and W even, C a multiple of 4; byte addresses on the wasm
 * heap) with `small` `[B, H/2, W/2, C]` and `big` `[B, H, W, C]`: `'scatter'` writes all of `big`, `small`'s value at
 * each window's first maximum (row-major, ties to the first, as tfjs's ArgMax and PyTorch's indices) and zero
 * elsewhere; `'gather'` writes `small` = `big` at each window's first maximum.
 */
export type Pool2x2 = (x: number, big: number, small: number, dims: { b: number; h: number; w: number; c: number }) => void;

const { get, set, simd } = op;
const load = [...simd(0x00), 2, 0]; // v128.load
const store = [...simd(0x0b), 2, 0]; // v128.store
const gt = simd(0x44); // f32x4.gt
const [not, and, andnot, or, bitselect] = [0x4d, 0x4e, 0x4f, 0x50, 0x52].map(simd); // v128.*
const zero = [...simd(0x0c), ...Array<number>(16).fill(0)]; // v128.const 0

// Params: 0 x, 1 big, 2 small (byte addresses), 3 row pairs (B·H/2), 4 W/2, 5 C·4 (bytes per pixel).
// Locals (i32): 6 p (row pair), 7 j, 8 k (byte in the pixel), 9 a0 (tap 0's byte offset), 10 row (W·C·4),
// 11 s (byte offset in small); (v128): 12…15 x0…x3, 16 best, 17…19 g1…g3, 20…23 m0…m3, 24 value.
const [P, J, K, A0, ROW, S] = [6, 7, 8, 9, 10, 11];
const [X0, BEST, G1, M0, VAL] = [12, 16, 17, 20, 24];
const tap = (t: number): number[] => {
  // a0 + (t & 1)·C·4 + (t >> 1)·row
  const out = [...get(A0)];
  if (t & 1) out.push(...get(5), ...op.i32Add);
  if (t >> 1) out.push(...get(ROW), ...op.i32Add);
  return out;
};
const i32Mul = [0x6c];
const i32Const = (v: number): number[] => op.const(v);

function body(gather: boolean): number[] {
  const window: number[] = [
    // a0 = (p·2·W/2·2 + j·2)·C·4 + k = p·2·row + j·2·C·4 + k
    ...get(P), ...get(ROW), ...i32Mul, ...i32Const(1), ...op.i32Shl,
    ...get(J), ...get(5), ...i32Mul, ...i32Const(1), ...op.i32Shl, ...op.i32Add,
    ...get(K), ...op.i32Add, ...set(A0),
    // x0…x3 and the first-maximum chain: g_t = x_t > best so far.
    ...[0, 1, 2, 3].flatMap((t) => [...get(0), ...tap(t), ...op.i32Add, ...load, ...set(X0 + t)]),
    ...get(X0), ...set(BEST),
    ...[1, 2, 3].flatMap((t) => [
      ...get(X0 + t), ...get(BEST), ...gt, ...set(G1 + t - 1),
      ...(t < 3 ? [...get(X0 + t), ...get(BEST), ...get(G1 + t - 1), ...bitselect, ...set(BEST)] : []),
    ]),
    // One-hot masks: m3 = g3, m2 = g2 ∧ ¬g3, m1 = g1 ∧ ¬g2 ∧ ¬g3, m0 = ¬(g1 ∨ g2 ∨ g3).
    ...get(G1 + 2), ...set(M0 + 3),
    ...get(G1 + 1), ...get(G1 + 2), ...andnot, ...set(M0 + 2),
    ...get(G1), ...get(G1 + 1), ...get(G1 + 2), ...or, ...andnot, ...set(M0 + 1),
    ...get(G1), ...get(G1 + 1), ...or, ...get(G1 + 2), ...or, ...not, ...set(M0),
  ];
  const move = gather
    ? [
        // small[s] = Σ_t big[tap t] ∧ m_t (the masks are disjoint)
        ...zero, ...set(VAL),
        ...[0, 1, 2, 3].flatMap((t) => [...get(1), ...tap(t), ...op.i32Add, ...load, ...get(M0 + t), ...and, ...get(VAL), ...or, ...set(VAL)]),
        ...get(2), ...get(S), ...op.i32Add, ...get(VAL), ...store,
      ]
    : [
        // big[tap t] = small[s] ∧ m_t
        ...get(2), ...get(S), ...op.i32Add, ...load, ...set(VAL),
        ...[0, 1, 2, 3].flatMap((t) => [...get(1), ...tap(t), ...op.i32Add, ...get(VAL), ...get(M0 + t), ...and, ...store]),
      ];
  const loop = (counter: number, limit: number[], step: number[], inner: number[]): number[] => [
    ...i32Const(0), ...set(counter),
    ...op.block, ...op.loop,
    ...get(counter), ...limit, ...op.i32GeU, ...op.brIf(1),
    ...inner,
    ...get(counter), ...step, ...op.i32Add, ...set(counter),
    ...op.br(0),
    ...op.end, ...op.end,
  ];
  return [
    // row = W·C·4 = 2·(W/2)·C·4
    ...get(4), ...get(5), ...i32Mul, ...i32Const(1), ...op.i32Shl, ...set(ROW),
    ...loop(P, get(3), i32Const(1),
      loop(J, get(4), i32Const(1),
        loop(K, get(5), i32Const(16), [
          ...window,
          ...move,
          ...get(S), ...i32Const(16), ...op.i32Add, ...set(S),
        ]))),
  ];
}

const modules = { scatter: moduleBytes('pool', Array<number>(6).fill(op.i32), [[6, op.i32], [13, op.v128]], body(false)), gather: moduleBytes('pool', Array<number>(6).fill(op.i32), [[6, op.i32], [13, op.v128]], body(true)) };

/**
 * The 2×2 first-maximum scatter or gather over `backend`'s wasm memory (tfjs-backend-wasm 4.22), or null where that
 * memory is not reachable or this WebAssembly lacks SIMD.
 */
export function wasmPool2x2(backend: unknown, mode: 'scatter' | 'gather'): Pool2x2 | null {
  const fn = heapFunction(modules[mode], 'pool', backend);
  if (fn === null) return null;
  return (x, big, small, { b, h, w, c }) => {
    if (h % 2 !== 0 || w % 2 !== 0 || c % 4 !== 0) throw new RangeError(`wasmPool2x2: map [${b}, ${h}, ${w}, ${c}], expected H, W even and C a multiple of 4`);
    fn(x, big, small, (b * h) / 2, w / 2, 4 * c);
  };
}
