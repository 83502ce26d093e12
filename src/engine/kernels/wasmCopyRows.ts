// Why this exists: copying many short rows (a channel slice or a channel concatenation of NHWC maps: 16 to 64
// floats per pixel) is slow from JavaScript, either one `TypedArray.set` call per row (~50–100 ns each) or an
// element loop (~1–3 ns an element). This is that copy as a tiny WebAssembly function over tfjs-backend-wasm's
// own memory (see wasmHeapModule.ts): 16-byte SIMD moves, then 4-byte ones, no call per row.
import { heapFunction, moduleBytes, op } from './wasmHeapModule.js';

/**
 * Copies `rows` rows of `runBytes` bytes (a multiple of 4) from byte address `src` to `dst` of one wasm memory,
 * consecutive rows `srcStride` and `dstStride` bytes apart. Source and destination must not overlap.
 */
export type CopyRows = (src: number, dst: number, rows: number, runBytes: number, srcStride: number, dstStride: number) => void;

const { get, set, simd } = op;
// Params 0 src, 1 dst, 2 rows, 3 run, 4 srcStride, 5 dstStride; locals 6 r, 7 k, 8 run rounded down to 16 bytes.
const copy = (load: number[], store: number[], step: number, limit: number): number[] => [
  ...op.block,
  ...op.loop,
  ...get(7), ...get(limit), ...op.i32GeU, ...op.brIf(1),
  ...get(1), ...get(7), ...op.i32Add, ...get(0), ...get(7), ...op.i32Add, ...load, ...store,
  ...get(7), ...op.const(step), ...op.i32Add, ...set(7),
  ...op.br(0),
  ...op.end,
  ...op.end,
];
const body: number[] = [
  ...get(3), 0x41, 0x70, ...op.i32And, ...set(8), // run & −16
  ...op.block,
  ...op.loop,
  ...get(6), ...get(2), ...op.i32GeU, ...op.brIf(1), // done when r ≥ rows
  ...op.const(0), ...set(7),
  ...copy([...simd(0x00), 2, 0], [...simd(0x0b), 2, 0], 16, 8), // v128.load / v128.store
  ...copy(op.i32Load, op.i32Store, 4, 3),
  ...get(0), ...get(4), ...op.i32Add, ...set(0),
  ...get(1), ...get(5), ...op.i32Add, ...set(1),
  ...get(6), ...op.const(1), ...op.i32Add, ...set(6),
  ...op.br(0),
  ...op.end,
  ...op.end,
];
const bytes = moduleBytes('copyRows', Array<number>(6).fill(op.i32), [[3, op.i32]], body);

/** The row copier over `backend`'s wasm memory (tfjs-backend-wasm 4.22), or null where it is not reachable. */
export function wasmCopyRows(backend: unknown): CopyRows | null {
  return heapFunction(bytes, 'copyRows', backend) as CopyRows | null;
}
