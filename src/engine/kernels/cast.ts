// Why this kernel exists: tfjs-backend-wasm 4.22's Cast copies its input even when the dtype does not change.
// tfjs-core's ReLU gradient is `dy · cast(step(x), 'float32')` with a float32 step, so a ModSegNet training step
// makes 15 such copies of its activation maps (~1.1 ms of CPU per step). Tensors are immutable in tfjs, so a
// same-dtype cast can share the input's buffer, as tfjs-backend-cpu's Cast does (and the project's Identity).
import type { CastAttrs, KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { inputsOf } from './kernelScope.js';
import { identityAlias } from './identity.js';
import { wasmHeapOf } from './wasmHeap.js';

/**
 * Cast for the wasm backend over the stock kernel: when `attrs.dtype` is `x`'s own dtype the output is `x` itself
 * (same data, one more reference, see {@link identityAlias}); a cast to bool writes `x ≠ 0`; any other conversion
 * goes to `stockCast`.
 */
export function castOver(stockCast: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = inputsOf('Cast', args.inputs, ['x']);
    const { dtype } = args.attrs as unknown as CastAttrs;
    if (dtype === x.dtype) return identityAlias({ ...args, inputs: { x } });
    if (dtype !== 'bool' || x.dtype === 'string' || x.dtype === 'complex64') return stockCast(args);
    const heap = wasmHeapOf('Cast', args.backend);
    const out = heap.makeOutput([...x.shape], 'bool');
    const src = heap.typedArrayFromHeap(x);
    const dst = heap.typedArrayFromHeap(out);
    for (let i = 0; i < src.length; i++) dst[i] = src[i] !== 0 ? 1 : 0;
    return out;
  };
}

/** Cast for the wasm backend over the stock config it replaces (registered by `registerWasmKernels`). */
export function castConfigOver(stock: KernelConfig): KernelConfig {
  return {
    kernelName: 'Cast',
    backendName: 'wasm',
    kernelFunc: castOver(stock.kernelFunc),
    ...(stock.setupFunc === undefined ? {} : { setupFunc: stock.setupFunc }),
  };
}
