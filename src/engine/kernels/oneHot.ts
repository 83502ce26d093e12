// Why this kernel exists: tfjs-backend-wasm 4.22's OneHot ignores its dtype: asked for float32
// (`tf.oneHot(labels, C, 1, 0, 'float32')`, the usual cross-entropy target) it writes int32 bit
// patterns into the float buffer (1 reads as 1.4e-45), and it truncates on/off values to integers
// (0.9/0.05 gives all zeros). This replacement compares the indices with 0…depth−1 instead.
import type { KernelConfig, KernelFunc, OneHotAttrs } from '@tensorflow/tfjs-core';
import { inputsOf, withKernelScope } from './kernelScope.js';
import { add, mul, reshape } from './scopeOps.js';

/**
 * One-hot encoding: `out[..., k] = indices[...] === k ? onValue : offValue`.
 * Input `indices` int32 of any shape; output `[...indices.shape, depth]` of `attrs.dtype`.
 * Indices outside `[0, depth)` give an all-`offValue` row, as in TensorFlow.
 */
export const oneHot: KernelFunc = ({ inputs, backend, attrs }) => {
  const { indices } = inputsOf('OneHot', inputs, ['indices']);
  const { depth, onValue, offValue, dtype } = attrs as unknown as OneHotAttrs;
  return withKernelScope(backend, (s) => {
    const classes = s.run('Range', {}, { start: 0, stop: depth, step: 1, dtype: 'int32' });
    const ids = indices.dtype === 'int32' ? indices : s.run('Cast', { x: indices }, { dtype: 'int32' });
    const hit = s.run('Equal', { a: reshape(s, ids, [...indices.shape, 1]), b: classes }); // bool
    const hot = s.run('Cast', { x: hit }, { dtype: 'float32' });
    let out = hot;
    if (onValue !== 1 || offValue !== 0) {
      // hot·on + (1 − hot)·off: each term is exactly on, off or 0, so the values are exact.
      const on = s.constant(new Float32Array([onValue]), []);
      const off = s.constant(new Float32Array([offValue]), []);
      const one = s.constant(new Float32Array([1]), []);
      out = add(s, mul(s, hot, on), mul(s, s.run('Sub', { a: one, b: hot }), off));
    }
    return dtype === 'float32' ? out : s.run('Cast', { x: out }, { dtype });
  });
};

/** OneHot for the wasm backend (replaces the stock kernel; registered by `registerWasmKernels`). */
export const oneHotConfig: KernelConfig = {
  kernelName: 'OneHot',
  backendName: 'wasm',
  kernelFunc: oneHot,
};
