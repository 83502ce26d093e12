import * as tf from '@tensorflow/tfjs-core';
import { batchMatMulConfigOver } from './kernels/batchMatMul.js';
import { castConfigOver } from './kernels/cast.js';
import { concatConfigOver } from './kernels/concat.js';
import { conv2DBackpropFilterConfig } from './kernels/conv2DBackpropFilter.js';
import { conv2DBackpropInputConfig } from './kernels/conv2DBackpropInput.js';
import { conv3DConfig } from './kernels/conv3D.js';
import { conv3DBackpropFilterV2Config } from './kernels/conv3DBackpropFilterV2.js';
import { conv3DBackpropInputV2Config } from './kernels/conv3DBackpropInputV2.js';
import { depthwiseConv2dNativeBackpropFilterConfig } from './kernels/depthwiseConv2dNativeBackpropFilter.js';
import { depthwiseConv2dNativeBackpropInputConfig } from './kernels/depthwiseConv2dNativeBackpropInput.js';
import { identityConfig } from './kernels/identity.js';
import { maxPoolGradConfig } from './kernels/maxPoolGrad.js';
import { maxUnpool2DConfigs } from './kernels/maxUnpool2D.js';
import { oneHotConfigOver } from './kernels/oneHot.js';
import { optimizerUpdateConfigs } from './kernels/optimizerUpdates.js';
import { reluGradConfig } from './kernels/reluGrad.js';
import { resizeNearestNeighborGradConfig } from './kernels/resizeNearestNeighborGrad.js';
import { sliceConfigOver } from './kernels/slice.js';
import { splitVConfigOver } from './kernels/splitV.js';
import { sumConfigOver } from './kernels/sum.js';
import { unsortedSegmentSumConfig } from './kernels/unsortedSegmentSum.js';
import { replaceWasmKernels, type WasmKernelReplacement } from './replaceWasmKernels.js';

/**
 * Missing on tfjs-backend-wasm 4.22: Conv2DBackpropFilter, the depthwise-conv gradients,
 * UnsortedSegmentSum, ResizeNearestNeighborGrad. Wrong: MaxPoolGrad, Conv3DBackpropInputV2,
 * strided Conv3DBackpropFilterV2, float32 OneHot. Slow: Conv2DBackpropInput, Conv3D, large
 * BatchMatMul, and (measured on a ModSegNet step) Slice, SplitV, Concat, Sum, the copying Identity and the copying
 * same-dtype Cast.
 * New: ModSegNet's max-unpooling and its gradient, the Adam and SGD updates and the ReLU gradient, one loop each.
 */
const kernels: readonly WasmKernelReplacement[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  maxPoolGradConfig,
  identityConfig,
  conv3DConfig,
  conv3DBackpropFilterV2Config,
  conv3DBackpropInputV2Config,
  depthwiseConv2dNativeBackpropInputConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  unsortedSegmentSumConfig,
  resizeNearestNeighborGradConfig,
  ...maxUnpool2DConfigs('wasm'),
  ...optimizerUpdateConfigs('wasm'),
  reluGradConfig('wasm'),
  { kernelName: 'OneHot', over: oneHotConfigOver },
  { kernelName: 'BatchMatMul', over: batchMatMulConfigOver },
  { kernelName: 'Slice', over: sliceConfigOver },
  { kernelName: 'SplitV', over: splitVConfigOver },
  { kernelName: 'Concat', over: concatConfigOver },
  { kernelName: 'Sum', over: sumConfigOver },
  { kernelName: 'Cast', over: castConfigOver },
];

/**
 * Registers the project's kernels for tfjs-backend-wasm 4.22, replacing the stock ones (keeping their
 * `setupFunc`): every missing and wrong kernel fixed, and the slow ones replaced by kernels composed
 * of the backend's own XNNPACK kernels or working on the wasm heap (weight gradients as GEMMs over
 * channels-first patches, Conv2DBackpropInput and Conv3D as XNNPACK convolutions, heap-level
 * Slice/SplitV/Concat/Sum/MaxPoolGrad, an aliasing Identity). Idempotent; it also undoes any other
 * kernel set installed through {@link replaceWasmKernels} (the benchmarks' baselines). Import
 * `@tensorflow/tfjs-backend-wasm` first. Each kernel file in `src/engine/kernels/` says why it
 * exists, with the error or time measured.
 *
 * @returns the names of the kernels now provided by this project, sorted.
 * @throws Error if `@tensorflow/tfjs-backend-wasm` has not been imported (no wasm kernels registered).
 */
export function registerWasmKernels(): string[] {
  if (tf.getKernel('Conv2D', 'wasm') === undefined) {
    throw new Error("registerWasmKernels: no wasm kernels are registered; import '@tensorflow/tfjs-backend-wasm' first");
  }
  return replaceWasmKernels(kernels);
}
