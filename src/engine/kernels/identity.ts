// Why this kernel exists: tfjs-backend-wasm 4.22's Identity copies its input into a new buffer. The
// engine calls Identity ~100 times per ModSegNet training step (gradient bookkeeping, clones), on
// maps up to [4,96,96,117]: 38 ms of copies per step. Tensors are immutable in tfjs, so the output
// can share the input's buffer (one more reference), as tfjs-backend-cpu's Identity and every
// backend's Reshape already do.
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { inputsOf } from './kernelScope.js';
import { wasmHeapOf } from './wasmHeap.js';

/** Identity as an alias: output `x` itself (same data, shape and dtype) with its reference count raised. */
export const identityAlias: KernelFunc = ({ inputs, backend }) => {
  const { x } = inputsOf('Identity', inputs, ['x']);
  wasmHeapOf('Identity', backend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
};

/** Identity for the wasm backend (replaces the stock kernel; registered by `registerWasmKernels`). */
export const identityConfig: KernelConfig = {
  kernelName: 'Identity',
  backendName: 'wasm',
  kernelFunc: identityAlias,
};
