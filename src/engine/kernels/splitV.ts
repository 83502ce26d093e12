// Why this kernel exists: tfjs-backend-wasm 4.22's SplitV calls its own JavaScript Slice directly (not
// through the kernel registry), so it copies one innermost row per `TypedArray.set` call. SplitV is
// the gradient of Concat: splitting a [4,96,96,64] gradient into two 32-channel halves took 25 ms per
// ModSegNet step. This one slices through `sliceOnHeap` (merged axes, element loops for short rows).
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, SplitVAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { inputsOf } from './kernelScope.js';
import { sliceOnHeap } from './slice.js';
import { isWasmHeapBackend } from './wasmHeap.js';

/**
 * SplitV for the wasm backend over the stock kernel `stockSplitV` (used for string tensors): input `x`,
 * attrs `numOrSizeSplits` (a count of equal parts, or the sizes, one of them may be −1) and `axis`;
 * outputs the consecutive parts of `x` along `axis`.
 */
export function splitVOver(stockSplitV: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = inputsOf('SplitV', args.inputs, ['x']);
    const backend = args.backend;
    if (x.dtype === 'string' || !isWasmHeapBackend(backend)) return stockSplitV(args);
    const { numOrSizeSplits, axis } = args.attrs as unknown as SplitVAttrs;
    const ax = tf.util.parseAxisParam(axis, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, ax);
    const begin = x.shape.map(() => 0);
    const out: TensorInfo[] = [];
    for (const n of sizes) {
      const size = [...x.shape];
      size[ax] = n;
      out.push(sliceOnHeap(backend, x, [...begin], size));
      begin[ax] += n;
    }
    return out;
  };
}

/** SplitV for the wasm backend over the stock config it replaces (registered by `registerWasmKernels`). */
export function splitVConfigOver(stock: KernelConfig): KernelConfig {
  return {
    kernelName: 'SplitV',
    backendName: 'wasm',
    kernelFunc: splitVOver(stock.kernelFunc),
    ...(stock.setupFunc === undefined ? {} : { setupFunc: stock.setupFunc }),
  };
}
