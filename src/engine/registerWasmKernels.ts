import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { conv2DBackpropFilterWith } from './kernels/conv2DBackpropFilter.js';
import { conv2DBackpropInput, conv2DBackpropInputWith } from './kernels/conv2DBackpropInput.js';
import { concatConfigOver } from './kernels/concat.js';
import { conv3DConfig } from './kernels/conv3D.js';
import { conv3DBackpropFilterV2Config, conv3DBackpropFilterV2With } from './kernels/conv3DBackpropFilterV2.js';
import { conv3DBackpropInputV2Config } from './kernels/conv3DBackpropInputV2.js';
import { depthwiseConv2dNativeBackpropFilterConfig } from './kernels/depthwiseConv2dNativeBackpropFilter.js';
import { depthwiseConv2dNativeBackpropInputConfig } from './kernels/depthwiseConv2dNativeBackpropInput.js';
import { identityConfig } from './kernels/identity.js';
import { oneHotConfigOver } from './kernels/oneHot.js';
import { batchMatMulConfigOver } from './kernels/batchMatMul.js';
import { maxPoolGrad, maxPoolGradWith } from './kernels/maxPoolGrad.js';
import { resizeNearestNeighborGradConfig } from './kernels/resizeNearestNeighborGrad.js';
import { sliceConfigOver } from './kernels/slice.js';
import { splitVConfigOver } from './kernels/splitV.js';
import { sumConfigOver } from './kernels/sum.js';
import { unsortedSegmentSumConfig } from './kernels/unsortedSegmentSum.js';

/**
 * Which wasm kernels to install:
 * - `'fast'` (default): every fix below plus the speed-ups: Conv2DBackpropFilter and
 *   Conv3DBackpropFilterV2 as XNNPACK GEMMs over channels-first patches; XNNPACK-based
 *   Conv2DBackpropInput, Conv3D and large float32 BatchMatMul; heap-level Slice, SplitV, Concat,
 *   Sum (leading axes) and MaxPoolGrad (tiling windows); an aliasing Identity. This is what
 *   training should use.
 * - `'convBackprop'`: the 'fast' set as it was before the per-kernel profile of a ModSegNet step:
 *   Conv2DBackpropFilter (and Conv3DBackpropFilterV2 per depth tap) as one XNNPACK convolution
 *   with dy as the filter (im2col + GEMM when strided), the filter of Conv2DBackpropInput rotated
 *   by the Reverse kernel, MaxPoolGrad composed of kernels, and the stock Slice, SplitV, Concat,
 *   Sum and Identity. It exists as the benchmarks' in-run baseline.
 * - `'fixesOnly'`: only what is missing or wrong on tfjs-backend-wasm 4.22, each in its simplest
 *   correct form (Conv2DBackpropFilter as im2col + GEMM); the stock Conv2DBackpropInput, Conv3D
 *   and BatchMatMul stay. It exists as the benchmarks' baseline.
 */
export type WasmKernelSet = 'fast' | 'convBackprop' | 'fixesOnly';

/** Options of {@link registerWasmKernels}. */
export interface RegisterWasmKernelsOptions {
  /** Kernel set to install; default `'fast'`. */
  set?: WasmKernelSet;
}

const wasmSets: readonly WasmKernelSet[] = ['fast', 'convBackprop', 'fixesOnly'];

const fixes: KernelConfig[] = [
  depthwiseConv2dNativeBackpropInputConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  unsortedSegmentSumConfig,
  resizeNearestNeighborGradConfig,
  conv3DBackpropInputV2Config,
];

const wasm = (kernelName: string, kernelFunc: KernelConfig['kernelFunc']): KernelConfig => ({ kernelName, backendName: 'wasm', kernelFunc });
const composedMaxPoolGrad = wasm('MaxPoolGrad', maxPoolGradWith('kernels'));
const conv3DFilterViaConv = wasm('Conv3DBackpropFilterV2', conv3DBackpropFilterV2With('conv'));

/** A kernel built over the stock kernel it replaces (given the stock config). */
interface Wrapper {
  kernelName: string;
  over: (stock: KernelConfig) => KernelConfig;
}

const oneHotFix: Wrapper = { kernelName: 'OneHot', over: oneHotConfigOver };
const batchMatMul: Wrapper = { kernelName: 'BatchMatMul', over: batchMatMulConfigOver };
const wrapperSets: Record<WasmKernelSet, Wrapper[]> = {
  fixesOnly: [oneHotFix],
  convBackprop: [oneHotFix, batchMatMul],
  fast: [
    oneHotFix,
    batchMatMul,
    { kernelName: 'Slice', over: sliceConfigOver },
    { kernelName: 'SplitV', over: splitVConfigOver },
    { kernelName: 'Concat', over: concatConfigOver },
    { kernelName: 'Sum', over: sumConfigOver },
  ],
};

const kernelSets: Record<WasmKernelSet, KernelConfig[]> = {
  fixesOnly: [wasm('Conv2DBackpropFilter', conv2DBackpropFilterWith('im2col')), composedMaxPoolGrad, conv3DFilterViaConv, ...fixes],
  convBackprop: [
    wasm('Conv2DBackpropFilter', conv2DBackpropFilterWith('convAuto')),
    wasm('Conv2DBackpropInput', conv2DBackpropInputWith('reverseKernel')),
    composedMaxPoolGrad,
    conv3DFilterViaConv,
    conv3DConfig,
    ...fixes,
  ],
  fast: [
    wasm('Conv2DBackpropFilter', conv2DBackpropFilterWith('auto')),
    wasm('Conv2DBackpropInput', conv2DBackpropInput),
    wasm('MaxPoolGrad', maxPoolGrad),
    identityConfig,
    conv3DBackpropFilterV2Config,
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
  if (!wasmSets.includes(set)) {
    throw new RangeError(`registerWasmKernels: unknown set '${String(set)}', expected one of ${wasmSets.join(', ')}`);
  }
  const wanted = kernelSets[set];
  const wrappers = wrapperSets[set];
  const wantedNames = new Set([...wanted.map((k) => k.kernelName), ...wrappers.map((w) => w.kernelName)]);
  // Put back the stock kernels this set leaves alone (after a previous call with another set).
  for (const [name, stock] of stockKernels) {
    if (wantedNames.has(name)) continue;
    if (tf.getKernel(name, 'wasm') !== undefined) tf.unregisterKernel(name, 'wasm');
    if (stock !== undefined) tf.registerKernel(stock);
    stockKernels.delete(name);
  }
  const replace = (name: string, make: (stock: KernelConfig | undefined) => KernelConfig): void => {
    const current = tf.getKernel(name, 'wasm');
    if (!stockKernels.has(name)) stockKernels.set(name, current);
    if (current !== undefined) tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(make(stockKernels.get(name)));
  };
  for (const config of wanted) {
    replace(config.kernelName, (stock) =>
      stock?.setupFunc === undefined ? config : { ...config, setupFunc: stock.setupFunc },
    );
  }
  for (const { kernelName, over } of wrappers) {
    replace(kernelName, (stock) => {
      if (stock === undefined) throw new Error(`registerWasmKernels: the wasm backend has no stock '${kernelName}' kernel to build on`);
      return over(stock);
    });
  }
  return [...wantedNames].sort();
}
