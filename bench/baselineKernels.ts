/**
 * The benchmarks' in-run baselines: earlier kernel sets of the project on tfjs-backend-wasm 4.22, assembled from the
 * kernel variants that `src/engine/kernels/` keeps (its tests use them as oracles) and installed through the engine's
 * low-level `replaceWasmKernels`. `registerWasmKernels()` puts the product set back.
 *
 * - `'convBackprop'`: the product set as it was before the first per-kernel profile of a ModSegNet step:
 *   Conv2DBackpropFilter (and Conv3DBackpropFilterV2 per depth tap) as one XNNPACK convolution with dy as the filter
 *   (im2col + GEMM when strided), the filter of Conv2DBackpropInput rotated by the Reverse kernel, MaxPoolGrad
 *   composed of kernels, and the stock Slice, SplitV, Concat, Sum and Identity.
 * - `'fixesOnly'`: only what is missing or wrong on tfjs-backend-wasm 4.22, each in its simplest correct form
 *   (Conv2DBackpropFilter as im2col + GEMM); the stock Conv2DBackpropInput, Conv3D and BatchMatMul stay.
 */
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { replaceWasmKernels, type WasmKernelReplacement } from '../src/engine/replaceWasmKernels.js';
import { batchMatMulConfigOver } from '../src/engine/kernels/batchMatMul.js';
import { conv2DBackpropFilterWith } from '../src/engine/kernels/conv2DBackpropFilter.js';
import { conv2DBackpropInputWith } from '../src/engine/kernels/conv2DBackpropInput.js';
import { conv3DConfig } from '../src/engine/kernels/conv3D.js';
import { conv3DBackpropFilterV2With } from '../src/engine/kernels/conv3DBackpropFilterV2.js';
import { conv3DBackpropInputV2Config } from '../src/engine/kernels/conv3DBackpropInputV2.js';
import { depthwiseConv2dNativeBackpropFilterConfig } from '../src/engine/kernels/depthwiseConv2dNativeBackpropFilter.js';
import { depthwiseConv2dNativeBackpropInputConfig } from '../src/engine/kernels/depthwiseConv2dNativeBackpropInput.js';
import { maxPoolGradWith } from '../src/engine/kernels/maxPoolGrad.js';
import { oneHotConfigOver } from '../src/engine/kernels/oneHot.js';
import { resizeNearestNeighborGradConfig } from '../src/engine/kernels/resizeNearestNeighborGrad.js';
import { unsortedSegmentSumConfig } from '../src/engine/kernels/unsortedSegmentSum.js';

/** A baseline kernel set; see the file comment. */
export type BaselineKernelSet = 'convBackprop' | 'fixesOnly';

const wasm = (kernelName: string, kernelFunc: KernelFunc): KernelConfig => ({ kernelName, backendName: 'wasm', kernelFunc });

/** Missing or wrong kernels whose fix has a single form (shared by every set). */
const fixes: WasmKernelReplacement[] = [
  depthwiseConv2dNativeBackpropInputConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  unsortedSegmentSumConfig,
  resizeNearestNeighborGradConfig,
  conv3DBackpropInputV2Config,
  { kernelName: 'OneHot', over: oneHotConfigOver },
  wasm('MaxPoolGrad', maxPoolGradWith('kernels')),
  wasm('Conv3DBackpropFilterV2', conv3DBackpropFilterV2With('conv')),
];

const sets: Record<BaselineKernelSet, WasmKernelReplacement[]> = {
  fixesOnly: [wasm('Conv2DBackpropFilter', conv2DBackpropFilterWith('im2col')), ...fixes],
  convBackprop: [
    wasm('Conv2DBackpropFilter', conv2DBackpropFilterWith('convAuto')),
    wasm('Conv2DBackpropInput', conv2DBackpropInputWith('reverseKernel')),
    conv3DConfig,
    { kernelName: 'BatchMatMul', over: batchMatMulConfigOver },
    ...fixes,
  ],
};

/**
 * Installs a baseline kernel set on the wasm backend (after `initEngine({ backend: 'wasm' })`); undo with
 * `registerWasmKernels()`.
 *
 * @returns the names of the kernels the set replaces, sorted.
 */
export function registerBaselineKernels(set: BaselineKernelSet): string[] {
  return replaceWasmKernels(sets[set]);
}
