// Why this kernel exists: tfjs-backend-wasm 4.22's Slice is JavaScript that copies one innermost row
// per `TypedArray.set` call (~100 ns each, whatever the row length) and, at rank 5 and up, falls back
// to a per-element loop with index arithmetic. A channel slice of a narrow map is then mostly call
// overhead: SplitV of [4,96,96,64] into two 32-channel halves (the ModSegNet skip-concatenation
// gradient) took 25 ms; with merged axes and element loops for short rows it takes ~2 ms, and rank-5
// slices of the 3D U-Net (skip concatenations on [1,D,H,W,C]) copy as fast as rank-4 ones.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, SliceAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { copyBox, type HeapArray } from './copyBox.js';
import { wasmCopyRows } from './wasmCopyRows.js';
import { inputsOf } from './kernelScope.js';
import { isWasmHeapBackend, type WasmHeapBackend } from './wasmHeap.js';

/**
 * The box `begin … begin + size` of `x` as a new tensor on the wasm heap (any rank; numeric dtypes).
 *
 * @param begin - per axis, ≥ 0; `size` - per axis, ≥ 0 (already resolved: no −1).
 */
export function sliceOnHeap(heap: WasmHeapBackend, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  const out = heap.makeOutput(size, x.dtype);
  if (size.every((n) => n > 0)) {
    // Views after the allocation: it may have grown (and so replaced) the wasm memory.
    copyBox(heap.typedArrayFromHeap(x) as HeapArray, x.shape, begin, size, heap.typedArrayFromHeap(out) as HeapArray, wasmCopyRows(heap));
  }
  return out;
}

/**
 * Slice for the wasm backend over the stock kernel `stockSlice` (used for string tensors): input `x`
 * of any shape, attrs `begin`, `size` (−1 = to the end); output the box `begin … begin + size`.
 */
export function sliceOver(stockSlice: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = inputsOf('Slice', args.inputs, ['x']);
    if (x.dtype === 'string' || !isWasmHeapBackend(args.backend)) return stockSlice(args);
    const { begin, size } = args.attrs as unknown as SliceAttrs;
    const [b, n] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    return sliceOnHeap(args.backend, x, b, n);
  };
}

/** Slice for the wasm backend over the stock config it replaces (registered by `registerWasmKernels`). */
export function sliceConfigOver(stock: KernelConfig): KernelConfig {
  return {
    kernelName: 'Slice',
    backendName: 'wasm',
    kernelFunc: sliceOver(stock.kernelFunc),
    ...(stock.setupFunc === undefined ? {} : { setupFunc: stock.setupFunc }),
  };
}
