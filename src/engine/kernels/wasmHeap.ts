import type { DataType, TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelScope } from './kernelScope.js';

// Some data movements (shifted copies, narrow slices, leading-axis sums) are plain loops over the
// wasm heap: the tfjs-backend-wasm kernels that would do them either copy one short row per
// `TypedArray.set` call (Slice, Concat) or transpose first (Sum). These helpers give a kernel
// direct access to the heap of the tensors it reads and writes.

/** The part of tfjs-backend-wasm's `BackendWasm` that heap-level kernels use. */
export interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
  incRef(dataId: object): void;
}

/** Whether `backend` exposes the wasm heap (tfjs-backend-wasm's `BackendWasm`). */
export function isWasmHeapBackend(backend: unknown): backend is WasmHeapBackend {
  const b = backend as Partial<WasmHeapBackend> | null;
  return b != null && typeof b.makeOutput === 'function' && typeof b.typedArrayFromHeap === 'function';
}

/**
 * `backend` as a {@link WasmHeapBackend}.
 *
 * @throws Error naming `kernelName` if `backend` is not tfjs-backend-wasm's.
 */
export function wasmHeapOf(kernelName: string, backend: unknown): WasmHeapBackend {
  if (!isWasmHeapBackend(backend)) throw new Error(`${kernelName}: this formulation needs the wasm backend (direct heap access)`);
  return backend;
}

/**
 * A new uninitialised tensor of `shape` on the wasm heap, owned by `s` (disposed with the scope
 * unless returned). Every element must be written before it is read.
 */
export function heapOutput(s: KernelScope, heap: WasmHeapBackend, shape: number[], dtype: DataType = 'float32'): TensorInfo {
  return s.adopt(heap.makeOutput(shape, dtype));
}

/**
 * A view of `t`'s data on the wasm heap (row-major). The view is only valid until the next
 * allocation on the heap (which may grow, and so replace, the wasm memory): allocate first, then
 * take the views.
 */
export function heapView(heap: WasmHeapBackend, t: TensorInfo): Float32Array | Int32Array | Uint8Array {
  return heap.typedArrayFromHeap(t);
}

/** The internals of tfjs-backend-wasm 4.22's `BackendWasm` that {@link withHeapAlias} relies on. */
interface WasmBackendInternals {
  makeOutput(shape: number[], dtype: DataType, memoryOffset?: number): TensorInfo;
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number } | undefined; delete(dataId: object): boolean };
  wasm: { tfjs: { disposeData(id: number): void } };
}

/** Whether `heap` has the internals {@link withHeapAlias} needs (tfjs-backend-wasm 4.22's `dataIdMap`, `wasm.tfjs`). */
export function supportsHeapAlias(heap: WasmHeapBackend): boolean {
  const b = heap as unknown as Partial<WasmBackendInternals>;
  return typeof b.dataIdMap?.get === 'function' && typeof b.dataIdMap?.delete === 'function' && typeof b.wasm?.tfjs?.disposeData === 'function';
}

function internalsOf(heap: WasmHeapBackend): WasmBackendInternals {
  if (!supportsHeapAlias(heap)) {
    throw new Error('withHeapAlias: the wasm backend lacks the internals of tfjs-backend-wasm 4.22 (dataIdMap, wasm.tfjs)');
  }
  return heap as unknown as WasmBackendInternals;
}

/**
 * Runs `body` with a float32 tensor of `shape` that aliases `base`'s buffer from element `offset`
 * on: no copy, so a kernel can read a shifted window of a buffer (XNNPACK reads its input through
 * the registered pointer). The alias is unregistered when `body` returns or throws, without freeing
 * memory (it is `base`'s); `body` must not return or keep it, nor anything aliasing it.
 *
 * @throws RangeError if the window `offset … offset + size(shape)` leaves `base`'s buffer; Error if
 *   the backend lacks the internals (see {@link supportsHeapAlias}).
 */
export function withHeapAlias<T>(heap: WasmHeapBackend, base: TensorInfo, offset: number, shape: number[], body: (alias: TensorInfo) => T): T {
  const internals = internalsOf(heap);
  const size = shape.reduce((p, d) => p * d, 1);
  const baseSize = base.shape.reduce((p, d) => p * d, 1);
  if (base.dtype !== 'float32' || offset < 0 || offset + size > baseSize) {
    throw new RangeError(
      `withHeapAlias: window ${offset}…${offset + size} of a ${base.dtype} buffer of ${baseSize} elements, expected float32 and inside it`,
    );
  }
  const data = internals.dataIdMap.get(base.dataId);
  if (data === undefined) throw new Error('withHeapAlias: the base tensor is not on the wasm heap (disposed?)');
  const alias = internals.makeOutput(shape, 'float32', data.memoryOffset + 4 * offset);
  try {
    return body(alias);
  } finally {
    const entry = internals.dataIdMap.get(alias.dataId);
    internals.dataIdMap.delete(alias.dataId);
    if (entry !== undefined) internals.wasm.tfjs.disposeData(entry.id);
  }
}
