// Why this kernel exists: tfjs-backend-wasm 4.22's OneHot ignores its dtype: asked for float32
// (`tf.oneHot(labels, C, 1, 0, 'float32')`, the usual cross-entropy target) it writes int32 bit
// patterns into the float buffer (1 reads as 1.4e-45), and it truncates on/off values to integers
// (0.9/0.05 gives all zeros). This replacement runs the stock kernel for int32 0/1 (which it gets
// right, and fast) and casts/scales. (Comparing indices with 0…depth−1 through a broadcasting Equal
// also works, but wasm's broadcasting Equal is ~25× slower: 140 ms for a 4×64²×16×4 mask.)
import type { KernelConfig, KernelFunc, OneHotAttrs } from '@tensorflow/tfjs-core';
import { inputsOf, withKernelScope } from './kernelScope.js';
import { add, mul } from './scopeOps.js';

/**
 * One-hot encoding built on the stock wasm OneHot kernel `stockOneHot`:
 * `out[..., k] = indices[...] === k ? onValue : offValue`. Input `indices` int32 of any shape; output
 * `[...indices.shape, depth]` of `attrs.dtype`. Indices outside `[0, depth)` give an all-`offValue` row.
 */
export function oneHotOver(stockOneHot: KernelFunc): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { indices } = inputsOf('OneHot', inputs, ['indices']);
    const { depth, onValue, offValue, dtype } = attrs as unknown as OneHotAttrs;
    return withKernelScope(backend, (s) => {
      const stockAttrs = { depth, onValue: 1, offValue: 0, dtype: 'int32' };
      const hotInt = stockOneHot({ inputs: { indices }, backend, attrs: stockAttrs });
      if (Array.isArray(hotInt)) throw new Error('OneHot: the stock kernel returned several outputs');
      s.adopt(hotInt);
      if (dtype === 'int32' && onValue === 1 && offValue === 0) return hotInt;
      const hot = s.run('Cast', { x: hotInt }, { dtype: 'float32' });
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
}

/**
 * OneHot for the wasm backend over the stock kernel `stock` (registered by `registerWasmKernels`,
 * which passes the stock config it replaces).
 */
export function oneHotConfigOver(stock: KernelConfig): KernelConfig {
  return {
    kernelName: 'OneHot',
    backendName: 'wasm',
    kernelFunc: oneHotOver(stock.kernelFunc),
    ...(stock.setupFunc === undefined ? {} : { setupFunc: stock.setupFunc }),
  };
}
