import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';

/**
 * One kernel to install on the wasm backend: a complete config (`backendName: 'wasm'`), or a kernel
 * built over the stock one it replaces (`over` gets the stock config, e.g. to fall back to it).
 */
export type WasmKernelReplacement = KernelConfig | { kernelName: string; over: (stock: KernelConfig) => KernelConfig };

/** The wasm backend's own kernels replaced so far, so that a later call can put them back. */
const stockKernels = new Map<string, KernelConfig | undefined>();

/**
 * The low-level registration under {@link registerWasmKernels}: makes `replacements` the only
 * non-stock kernels of tfjs-backend-wasm (unregister + register). Kernels replaced by an earlier
 * call and absent from `replacements` get their stock kernel back (or none, where the backend has
 * none); a replaced kernel keeps the stock `setupFunc`. Idempotent. Exported for the benchmarks'
 * baseline kernel sets (`bench/baselineKernels.ts`) and for tests that install one variant kernel.
 * Import `@tensorflow/tfjs-backend-wasm` first.
 *
 * @param replacements - at most one per kernel name.
 * @returns the names of the kernels now provided by the caller, sorted.
 * @throws Error if `@tensorflow/tfjs-backend-wasm` has not been imported, if a name repeats, or if an
 *   `over` replacement has no stock kernel to build on.
 */
export function replaceWasmKernels(replacements: readonly WasmKernelReplacement[]): string[] {
  if (tf.getKernel('Conv2D', 'wasm') === undefined) {
    throw new Error("replaceWasmKernels: no wasm kernels are registered; import '@tensorflow/tfjs-backend-wasm' first");
  }
  const names = replacements.map((r) => r.kernelName);
  const wanted = new Set(names);
  if (wanted.size !== names.length) {
    throw new Error(`replaceWasmKernels: a kernel is listed twice in [${names.join(', ')}], expected each name once`);
  }
  for (const [name, stock] of stockKernels) {
    if (wanted.has(name)) continue;
    if (tf.getKernel(name, 'wasm') !== undefined) tf.unregisterKernel(name, 'wasm');
    if (stock !== undefined) tf.registerKernel(stock);
    stockKernels.delete(name);
  }
  for (const r of replacements) {
    const name = r.kernelName;
    const current = tf.getKernel(name, 'wasm');
    const stock = stockKernels.has(name) ? stockKernels.get(name) : current;
    let config: KernelConfig;
    if ('over' in r) {
      if (stock === undefined) throw new Error(`replaceWasmKernels: the wasm backend has no stock '${name}' kernel to build on`);
      config = r.over(stock);
    } else {
      config = stock?.setupFunc === undefined ? r : { ...r, setupFunc: stock.setupFunc };
    }
    stockKernels.set(name, stock);
    if (current !== undefined) tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(config);
  }
  return [...wanted].sort();
}
