// Why this kernel exists: tfjs-backend-wasm 4.22 has no UnsortedSegmentSum, and tfjs's gradient of
// `tf.gather` is an unsorted segment sum, so every gather on wasm fails in backprop with
// "Kernel 'UnsortedSegmentSum' not registered for backend 'wasm'".
import type { KernelConfig, KernelFunc, UnsortedSegmentSumAttrs } from '@tensorflow/tfjs-core';
import { inputsOf, withKernelScope } from './kernelScope.js';
import { matMul, reshape, transpose } from './scopeOps.js';

/**
 * `out[k] = Σ_{i : ids[i] = k} x[i]`, as one-hot(ids)ᵀ · x (one GEMM, exact for 0/1 weights).
 * Inputs `x: [...idsShape, ...rest]` float32, `segmentIds: idsShape` int32; output `[numSegments, ...rest]`.
 * Ids outside `[0, numSegments)` are dropped, as in TensorFlow.
 *
 * @throws Error if `x` is not float32.
 */
export const unsortedSegmentSum: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputsOf('UnsortedSegmentSum', inputs, ['x', 'segmentIds']);
  const { numSegments } = attrs as unknown as UnsortedSegmentSumAttrs;
  if (x.dtype !== 'float32') {
    throw new Error(`UnsortedSegmentSum: x has dtype ${x.dtype}, expected float32`);
  }
  const n = segmentIds.shape.reduce((p, d) => p * d, 1);
  const rest = x.shape.slice(segmentIds.shape.length);
  const d = rest.reduce((p, k) => p * k, 1);
  return withKernelScope(backend, (s) => {
    const ids = reshape(s, segmentIds, [n]);
    // int32 then Cast: the stock wasm OneHot ignores dtype 'float32' (see oneHot.ts).
    const hot = s.run('OneHot', { indices: ids }, { depth: numSegments, onValue: 1, offValue: 0, dtype: 'int32' });
    const hotT = reshape(s, transpose(s, s.run('Cast', { x: hot }, { dtype: 'float32' }), [1, 0]), [1, numSegments, n]);
    const out = matMul(s, hotT, reshape(s, x, [1, n, d]));
    return reshape(s, out, [numSegments, ...rest]);
  });
};

/** UnsortedSegmentSum for the wasm backend (registered by `registerWasmKernels`). */
export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum,
};
