// Why this kernel exists: tfjs-backend-wasm 4.22's Sum reduces innermost axes only, so a sum over the
// leading axes (the bias gradient: [B, H, W, C] summed over B, H, W) first transposes the whole
// tensor: 19 ms for [4,96,96,117] (41 ms per ModSegNet step over all biases). Here it is one pass
// over the rows with a float64 accumulator per column, four rows at a time (~3 ms for that shape).
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, SumAttrs } from '@tensorflow/tfjs-core';
import type { HeapArray } from './copyBox.js';
import { inputsOf } from './kernelScope.js';
import { isWasmHeapBackend } from './wasmHeap.js';

/**
 * Sum for the wasm backend over the stock kernel `stockSum`: input `x`, attrs `axis`, `keepDims`.
 * float32 sums over a leading run of axes `0 … k−1` (k below the rank) are computed here, the
 * reduced axes dropped (or kept as 1 with `keepDims`); everything else goes to the stock kernel.
 */
export function sumOver(stockSum: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = inputsOf('Sum', args.inputs, ['x']);
    const backend = args.backend;
    const { axis, keepDims } = args.attrs as unknown as SumAttrs;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const k = axes.length;
    const leading = k > 0 && k < x.shape.length && axes.every((a, i) => a === i);
    if (!leading || x.dtype !== 'float32' || !isWasmHeapBackend(backend)) return stockSum(args);
    const kept = x.shape.slice(k);
    const outShape = keepDims ? [...x.shape.slice(0, k).map(() => 1), ...kept] : kept;
    const inner = kept.reduce((p, d) => p * d, 1);
    const outer = x.shape.slice(0, k).reduce((p, d) => p * d, 1);
    const out = backend.makeOutput(outShape, 'float32');
    const src = backend.typedArrayFromHeap(x) as HeapArray;
    const dst = backend.typedArrayFromHeap(out) as HeapArray;
    const acc = new Float64Array(inner);
    // Four rows per pass: a quarter of the accumulator traffic (0.7 against 1.5 ns per element).
    let r = 0;
    for (; r + 4 <= outer; r += 4) {
      const b0 = r * inner;
      const b1 = b0 + inner;
      const b2 = b1 + inner;
      const b3 = b2 + inner;
      for (let j = 0; j < inner; j++) acc[j] += src[b0 + j] + src[b1 + j] + (src[b2 + j] + src[b3 + j]);
    }
    for (; r < outer; r++) {
      const base = r * inner;
      for (let j = 0; j < inner; j++) acc[j] += src[base + j];
    }
    for (let j = 0; j < inner; j++) dst[j] = acc[j];
    return out;
  };
}

/** Sum for the wasm backend over the stock config it replaces (registered by `registerWasmKernels`). */
export function sumConfigOver(stock: KernelConfig): KernelConfig {
  return {
    kernelName: 'Sum',
    backendName: 'wasm',
    kernelFunc: sumOver(stock.kernelFunc),
    ...(stock.setupFunc === undefined ? {} : { setupFunc: stock.setupFunc }),
  };
}
