import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { conv2DBackpropFilterWith } from './kernels/conv2DBackpropFilter.js';
import { conv2DBackpropInputConfig } from './kernels/conv2DBackpropInput.js';
import { conv3DConfig } from './kernels/conv3D.js';
import { conv3DBackpropFilterV2Config } from './kernels/conv3DBackpropFilterV2.js';
import { conv3DBackpropInputV2Config } from './kernels/conv3DBackpropInputV2.js';
import { depthwiseConv2dNativeBackpropFilterConfig } from './kernels/depthwiseConv2dNativeBackpropFilter.js';
import { depthwiseConv2dNativeBackpropInputConfig } from './kernels/depthwiseConv2dNativeBackpropInput.js';
import { oneHotConfig } from './kernels/oneHot.js';
import { maxPoolGradConfig } from './kernels/maxPoolGrad.js';
import { resizeNearestNeighborGradConfig } from './kernels/resizeNearestNeighborGrad.js';
import { unsortedSegmentSumConfig } from './kernels/unsortedSegmentSum.js';

/**
 * Which wasm kernels to install:
 * - `'fast'` (default): every fix below plus the speed-ups (XNNPACK-based Conv2DBackpropFilter,
 *   Conv2DBackpropInput and Conv3D). This is what training should use.
 * - `'fixesOnly'`: only what is missing or wrong on tfjs-backend-wasm 4.22, each in its simplest
 *   correct form (Conv2DBackpropFilter as im2col + GEMM); the stock Conv2DBackpropInput and Conv3D
 *   stay. It exists as the benchmark's baseline.
 */
export type WasmKernelSet = 'fast' | 'fixesOnly';

/** Options of {@link registerWasmKernels}. */
export interface RegisterWasmKernelsOptions {
  /** Kernel set to install; default `'fast'`. */
  set?: WasmKernelSet;
}

const fixes: KernelConfig[] = [
  depthwiseConv2dNativeBackpropInputConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  unsortedSegmentSumConfig,
  maxPoolGradConfig,
  oneHotConfig,
  resizeNearestNeighborGradConfig,
  conv3DBackpropInputV2Config,
  conv3DBackpropFilterV2Config,
];

const kernelSets: Record<WasmKernelSet, KernelConfig[]> = {
  fixesOnly: [
    { kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2DBackpropFilterWith('im2col') },
    ...fixes,
  ],
  fast: [
    { kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2DBackpropFilterWith('auto') },
    conv2DBackpropInputConfig,
    conv3DConfig,
    ...fixes,
  ],
};

/** The wasm backend's own kernels we replaced, so that another set can put them back. */
const stockKernels = new Map<string, KernelConfig | undefined>();

/**
 * Registers the project's kernels for tfjs-backend-wasm 4.22 (replacing stock ones: unregister +
 * register, keeping the stock `setupFunc`). Idempotent, and switching sets restores the stock
 * kernels the new set does not replace. Import `@tensorflow/tfjs-backend-wasm` first.
 * Each kernel file in `src/engine/kernels/` says why it exists, with the error or time measured.
 *
 * @returns the names of the kernels now provided by this project, sorted.
 * @throws Error if `@tensorflow/tfjs-backend-wasm` has not been imported (no wasm kernels registered).
 */
export function registerWasmKernels(options: RegisterWasmKernelsOptions = {}): string[] {
  const set = options.set ?? 'fast';
  if (tf.getKernel('Conv2D', 'wasm') === undefined) {
    throw new Error("registerWasmKernels: no wasm kernels are registered; import '@tensorflow/tfjs-backend-wasm' first");
  }
  const wanted = kernelSets[set];
  if (wanted === undefined) throw new RangeError(`registerWasmKernels: unknown set '${String(set)}', expected 'fast' or 'fixesOnly'`);
  const wantedNames = new Set(wanted.map((k) => k.kernelName));
  // Put back the stock kernels this set leaves alone (after a previous call with another set).
  for (const [name, stock] of stockKernels) {
    if (wantedNames.has(name)) continue;
    if (tf.getKernel(name, 'wasm') !== undefined) tf.unregisterKernel(name, 'wasm');
    if (stock !== undefined) tf.registerKernel(stock);
    stockKernels.delete(name);
  }
  for (const config of wanted) {
    const current = tf.getKernel(config.kernelName, 'wasm');
    if (!stockKernels.has(config.kernelName)) stockKernels.set(config.kernelName, current);
    if (current !== undefined) tf.unregisterKernel(config.kernelName, 'wasm');
    const stock = stockKernels.get(config.kernelName);
    tf.registerKernel(stock?.setupFunc === undefined ? config : { ...config, setupFunc: stock.setupFunc });
  }
  return [...wantedNames].sort();
}
