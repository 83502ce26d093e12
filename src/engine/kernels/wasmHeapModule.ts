// Why this exists: a few loops over the wasm heap (the Adam update, strided row copies) are bound by what
// JavaScript cannot do: SIMD, or a copy of a short row without a call. They are written here as tiny WebAssembly
// modules, assembled from bytes (no toolchain), instantiated over tfjs-backend-wasm's own memory so that they read
// and write the tensors where they are.

/** The WebAssembly API (a global of Node and browsers; this project's TypeScript lib declares only its types). */
interface WebAssemblyApi {
  Memory: abstract new (...args: never[]) => object;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const webAssembly = (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;

/** The parts of tfjs-backend-wasm 4.22's backend reached here (not in its public types). */
interface WasmMemoryOwner {
  wasm?: { asm?: { memory?: unknown } };
}

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

/** Value types and the few instructions the modules use (WebAssembly 2.0 binary encoding). */
export const op = {
  i32: 0x7f,
  f32: 0x7d,
  v128: 0x7b,
  get: (i: number): number[] => [0x20, ...uleb(i)],
  set: (i: number): number[] => [0x21, ...uleb(i)],
  /** i32.const of a small non-negative value (< 64, one signed-LEB byte). */
  const: (v: number): number[] => {
    if (!(v >= 0 && v < 64)) throw new RangeError(`wasmHeapModule: i32.const ${v} is outside the one-byte form`);
    return [0x41, v];
  },
  i32Add: [0x6a],
  i32Shl: [0x74],
  i32GeU: [0x4f],
  i32And: [0x71],
  i32Load: [0x28, 2, 0],
  i32Store: [0x36, 2, 0],
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  brIf: (depth: number): number[] => [0x0d, depth],
  br: (depth: number): number[] => [0x0c, depth],
  end: [0x0b],
  simd: (code: number): number[] => [0xfd, ...uleb(code)],
};

/**
 * A module of one exported function `name` of the given parameter types (no results), with `locals` (runs of
 * `[count, type]`) and `body` (its instructions, without the final `end`), importing `env.memory`.
 */
export function moduleBytes(name: string, params: number[], locals: Array<[number, number]>, body: number[]): Uint8Array {
  const code = [...uleb(locals.length), ...locals.flatMap(([n, t]) => [...uleb(n), t]), ...body, ...op.end];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, 0x60, ...uleb(params.length), ...params, 0]),
    ...section(2, [1, ...str('env'), ...str('memory'), 0x02, 0x00, 0x00]), // imported memory, min 0 pages
    ...section(3, [1, 0]),
    ...section(7, [1, ...str(name), 0x00, 0]),
    ...section(10, [1, ...uleb(code.length), ...code]),
  ]);
}

const instances = new WeakMap<Uint8Array, WeakMap<object, ((...args: number[]) => void) | null>>();

/**
 * The function of module `bytes` ({@link moduleBytes}) instantiated over `backend`'s wasm memory
 * (tfjs-backend-wasm 4.22), once per memory; null where that memory is not reachable or the module does not
 * compile (e.g. no SIMD): callers keep their JavaScript loop then.
 */
export function heapFunction(bytes: Uint8Array, name: string, backend: unknown): ((...args: number[]) => void) | null {
  const memory = (backend as WasmMemoryOwner | null)?.wasm?.asm?.memory;
  if (webAssembly === undefined || !(memory instanceof webAssembly.Memory)) return null;
  let perMemory = instances.get(bytes);
  if (perMemory === undefined) instances.set(bytes, (perMemory = new WeakMap()));
  let fn = perMemory.get(memory);
  if (fn === undefined) {
    try {
      const instance = new webAssembly.Instance(new webAssembly.Module(bytes), { env: { memory } });
      fn = instance.exports[name] as (...args: number[]) => void;
    } catch {
      fn = null;
    }
    perMemory.set(memory, fn);
  }
  return fn;
}
