// Why this kernel exists: tfjs-backend-wasm 4.22's Concat is JavaScript that copies one row per input
// per `TypedArray.set` call (~100 ns each): concatenating two [4,96,96,32] maps on the channel axis
// (the ModSegNet skip connection) is 73 728 calls of 32 elements, 7 ms. Short rows are copied by an
// element loop here (~2 ms for that case); long rows still go through `set`. Where the wasm row copier is
// available (float32 and int32 data), each input is one call of it instead (see wasmCopyRows.ts).
import * as tf from '@tensorflow/tfjs-core';
import type { ConcatAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { HeapArray } from './copyBox.js';
import { wasmCopyRows } from './wasmCopyRows.js';
import { isWasmHeapBackend } from './wasmHeap.js';

/** Below this many elements a row is copied by an element loop. */
const MIN_SET_RUN = 32;

const product = (xs: readonly number[]): number => xs.reduce((p, d) => p * d, 1);

/**
 * Concat for the wasm backend over the stock kernel `stockConcat` (used for strings, and when at most
 * one input is non-empty): inputs `x0, x1, …` of equal shapes but along `attrs.axis`; output their
 * concatenation along that axis, of the first input's dtype.
 */
export function concatOver(stockConcat: KernelFunc): KernelFunc {
  return (args) => {
    const backend = args.backend;
    const list = (Array.isArray(args.inputs) ? args.inputs : Object.values(args.inputs)) as TensorInfo[];
    if (list.length === 0) throw new Error('Concat: no inputs, expected at least one tensor');
    const nonEmpty = list.filter((t) => product(t.shape) > 0);
    if (!isWasmHeapBackend(backend) || nonEmpty.length < 2 || list.some((t) => t.dtype === 'string')) return stockConcat(args);
    const { axis } = args.attrs as unknown as ConcatAttrs;
    const ax = tf.util.parseAxisParam(axis, list[0].shape)[0];
    const shapes = list.map((t) => t.shape);
    tf.backend_util.assertParamsConsistent(shapes, ax);
    const outShape = tf.backend_util.computeOutShape(shapes, ax);
    const out = backend.makeOutput(outShape, list[0].dtype);
    const outer = product(outShape.slice(0, ax));
    const inners = nonEmpty.map((t) => product(t.shape.slice(ax)));
    const total = inners.reduce((p, n) => p + n, 0);
    const dst = backend.typedArrayFromHeap(out) as HeapArray;
    // 4-byte elements: each input is one call of the wasm row copier (its rows are `outer` runs of `inner`).
    const copyRows = dst.BYTES_PER_ELEMENT === 4 ? wasmCopyRows(backend) : null;
    let col = 0;
    nonEmpty.forEach((t, i) => {
      const src = backend.typedArrayFromHeap(t) as HeapArray;
      const inner = inners[i];
      if (copyRows !== null) {
        copyRows(src.byteOffset, dst.byteOffset + 4 * col, outer, 4 * inner, 4 * inner, 4 * total);
        col += inner;
        return;
      }
      for (let b = 0; b < outer; b++) {
        const from = b * inner;
        const to = b * total + col;
        if (inner >= MIN_SET_RUN) dst.set(src.subarray(from, from + inner), to);
        else for (let j = 0; j < inner; j++) dst[to + j] = src[from + j];
      }
      col += inner;
    });
    return out;
  };
}

/** Concat for the wasm backend over the stock config it replaces (registered by `registerWasmKernels`). */
export function concatConfigOver(stock: KernelConfig): KernelConfig {
  return {
    kernelName: 'Concat',
    backendName: 'wasm',
    kernelFunc: concatOver(stock.kernelFunc),
    ...(stock.setupFunc === undefined ? {} : { setupFunc: stock.setupFunc }),
  };
}
