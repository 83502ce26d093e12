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
