// Why this exists: the Adam update is one pass over every weight, bound by a division and a square root per
// element; JavaScript has no SIMD, so that loop took ~5.7 ms of CPU per ModSegNet training step (783k weights).
// This is the same loop as a tiny WebAssembly module with 128-bit SIMD (four lanes of float32, as PyTorch computes
// it), instantiated over tfjs-backend-wasm's own memory, so it reads and writes the tensors where they are.
// The module is written out below as bytes (its text form in the comments): no toolchain, ~200 bytes.

/** The parts of tfjs-backend-wasm 4.22's backend this module reaches (not in its public types). */
interface WasmMemoryOwner {
  wasm?: { asm?: { memory?: unknown } };
}

/**
 * Adam over `n` float32 values at byte addresses of one wasm memory: `g' = g + wd·w`, `m' = β1·m + c1·g'`,
 * `v' = β2·v + c2·g'²`, `w' = w − step·m' / (√v' + eps)`, in float32, four lanes at a time; `n` must be a multiple of 4.
 */
export type AdamSimdLoop = (
  addresses: { w: number; m: number; v: number; g: number; w2: number; m2: number; v2: number },
  n: number,
  k: { beta1: number; beta2: number; c1: number; c2: number; step: number; eps: number; weightDecay: number },
) => void;

const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
};
const str = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;
const get = (i: number): number[] => [0x20, i]; // local.get
const set = (i: number): number[] => [0x21, i]; // local.set
const simd = (op: number): number[] => [0xfd, ...uleb(op)];
const load = [...simd(0x00), 2, 0]; // v128.load align=4 offset=0 (unaligned access is allowed; the hint is 4 bytes)
const store = [...simd(0x0b), 2, 0]; // v128.store
const splat = simd(0x13); // f32x4.splat
const [sqrt, add, sub, mul, div] = [0xe3, 0xe4, 0xe5, 0xe6, 0xe7].map(simd); // f32x4.*
const i32Add = [0x6a];

// Locals: params 0…6 the addresses w, m, v, g, w2, m2, v2; 7 n; 8…14 the f32 constants β1, β2, c1, c2, step, eps,
// wd; then 15 i (byte offset), 16 end, 17…23 the constants splatted, 24 g', 25 m', 26 v', 27 w.
const at = (base: number): number[] => [...get(base), ...get(15), ...i32Add]; // base + i
const body: number[] = [
  // locals: 2 × i32, 11 × v128
  2, 2, I32, 11, V128,
  ...[8, 9, 10, 11, 12, 13, 14].flatMap((p) => [...get(p), ...splat, ...set(p + 9)]),
  ...get(7), 0x41, 2, 0x74, ...set(16), // end = n << 2
  0x02, 0x40, // block
  0x03, 0x40, // loop
  ...get(15), ...get(16), 0x4f, 0x0d, 1, // br_if 1 (exit) when i ≥ end (i32.ge_u)
  ...at(0), ...load, ...set(27), // w
  ...at(3), ...load, ...get(23), ...get(27), ...mul, ...add, ...set(24), // g' = g + wd·w
  ...get(17), ...at(1), ...load, ...mul, ...get(19), ...get(24), ...mul, ...add, ...set(25), // m' = β1·m + c1·g'
  ...get(18), ...at(2), ...load, ...mul, ...get(20), ...get(24), ...get(24), ...mul, ...mul, ...add, ...set(26), // v'
  ...at(5), ...get(25), ...store, // m2 ← m'
  ...at(6), ...get(26), ...store, // v2 ← v'
  ...at(4), ...get(27), ...get(21), ...get(25), ...mul, ...get(26), ...sqrt, ...get(22), ...add, ...div, ...sub, ...store, // w2
  ...get(15), 0x41, 16, ...i32Add, ...set(15), // i += 16
  0x0c, 0, // br 0 (loop)
  0x0b, // end loop
  0x0b, // end block
  0x0b, // end function
];

const moduleBytes = new Uint8Array([
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
  ...section(1, [1, 0x60, 15, ...Array<number>(8).fill(I32), ...Array<number>(7).fill(F32), 0]), // (i32×8, f32×7) → ()
  ...section(2, [1, ...str('env'), ...str('memory'), 0x02, 0x00, 0x00]), // import env.memory, min 0 pages
  ...section(3, [1, 0]),
  ...section(7, [1, ...str('adam'), 0x00, 0]),
  ...section(10, [1, ...uleb(body.length), ...body]),
]);

/** The WebAssembly API (a global of Node and browsers; this project's TypeScript lib declares only its types). */
interface WebAssemblyApi {
  Memory: abstract new (...args: never[]) => object;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const webAssembly = (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;

const loops = new WeakMap<object, AdamSimdLoop | null>();

/**
 * The SIMD Adam loop over `backend`'s wasm memory (tfjs-backend-wasm 4.22), made once per memory; null where that
 * memory is not reachable or this WebAssembly lacks SIMD (callers then keep their JavaScript loop).
 */
export function wasmSimdAdam(backend: unknown): AdamSimdLoop | null {
  const memory = (backend as WasmMemoryOwner | null)?.wasm?.asm?.memory;
  if (webAssembly === undefined || !(memory instanceof webAssembly.Memory)) return null;
  let loop = loops.get(memory);
  if (loop === undefined) {
    try {
      const instance = new webAssembly.Instance(new webAssembly.Module(moduleBytes), { env: { memory } });
      const adam = instance.exports.adam as (...args: number[]) => void;
      loop = (a, n, k) => adam(a.w, a.m, a.v, a.g, a.w2, a.m2, a.v2, n, k.beta1, k.beta2, k.c1, k.c2, k.step, k.eps, k.weightDecay);
    } catch {
      loop = null;
    }
    loops.set(memory, loop);
  }
  return loop;
}
