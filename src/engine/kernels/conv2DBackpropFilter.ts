// Why this kernel exists: tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter at all, so the weight
// gradient of every conv2d and conv2dTranspose fails with "Kernel 'Conv2DBackpropFilter' not
// registered for backend 'wasm'". Written as one XNNPACK convolution it takes 26 ms for a
// 4×128²×16→16 3×3 'same' layer (forward conv: 20 ms; the im2col + GEMM form, kept as the
// benchmark's baseline, 262 ms). tfjs-backend-cpu has one, but it takes ~15 s for that layer, so
// `registerCpuKernels` installs this formulation for cpu too.
import * as tf from '@tensorflow/tfjs-core';
import type { Conv2DBackpropFilterAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { inputsOf, withKernelScope, type KernelScope } from './kernelScope.js';
import { concat, matMul, pad, reshape, slice, stridedSlice, transpose } from './scopeOps.js';

/** Formulation of the weight gradient; see {@link conv2DBackpropFilterWith}. */
export type Conv2DBackpropFilterMethod = 'auto' | 'conv' | 'im2col';

function convInfoOf(x: TensorInfo, attrs: Conv2DBackpropFilterAttrs): tf.backend_util.Conv2DInfo {
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') {
    throw new Error(`Conv2DBackpropFilter: dataFormat '${attrs.dataFormat}' is not supported, expected 'NHWC'`);
  }
  return tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
}

/**
 * dW as one XNNPACK convolution: with Ci as the batch and B as the channels, the input gradient
 * "image" dy is the filter, dilated by the stride.
 * dW[a,b,ci,co] = Σ_{n,i,j} xpad[n, i·s+a, j·s+b, ci] · dy[n,i,j,co].
 * Shared with the 3D kernels, which call it once per depth tap.
 *
 * @param x - `[B, H, W, Ci]`; `dy` - `[B, Ho, Wo, Co]`; `c` - the forward convolution's info.
 * @returns `[kh, kw, Ci, Co]`, owned by `s`.
 */
export function filterGradViaConv(s: KernelScope, x: TensorInfo, dy: TensorInfo, c: tf.backend_util.Conv2DInfo): TensorInfo {
  const { top, bottom, left, right } = c.padInfo;
  const [kh, kw, ci, co] = [c.filterHeight, c.filterWidth, c.inChannels, c.outChannels];
  const xT = transpose(s, x, [3, 1, 2, 0]); // [Ci, H, W, B]
  const dyT = transpose(s, dy, [1, 2, 0, 3]); // [Ho, Wo, B, Co]
  let g = s.run(
    'Conv2D',
    { x: xT, filter: dyT },
    {
      strides: [1, 1],
      pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
      dataFormat: 'NHWC',
      dilations: [c.strideHeight, c.strideWidth],
    },
  ); // [Ci, ≥kh, ≥kw, Co]
  // 'valid' with floor rounding can leave input rows no output reads: they give extra taps, cut them.
  if (g.shape[1] !== kh || g.shape[2] !== kw) g = slice(s, g, [0, 0, 0, 0], [ci, kh, kw, co]);
  return transpose(s, g, [1, 2, 0, 3]);
}

/**
 * dW as one matrix product dyᵀ · im2col(x): cost kh·kw copies of x, then one GEMM.
 * Used for strided convolutions, where it beats the dilated-filter convolution.
 */
function viaIm2col(s: KernelScope, x: TensorInfo, dy: TensorInfo, c: tf.backend_util.Conv2DInfo): TensorInfo {
  const { top, bottom, left, right } = c.padInfo;
  const [kh, kw, ci, co] = [c.filterHeight, c.filterWidth, c.inChannels, c.outChannels];
  const [b, ho, wo] = [c.batchSize, c.outHeight, c.outWidth];
  const [sh, sw] = [c.strideHeight, c.strideWidth];
  const xp = top + bottom + left + right > 0 ? pad(s, x, [[0, 0], [top, bottom], [left, right], [0, 0]]) : x;
  const taps: TensorInfo[] = [];
  for (let a = 0; a < kh; a++) {
    for (let q = 0; q < kw; q++) {
      taps.push(stridedSlice(s, xp, [0, a, q, 0], [b, a + (ho - 1) * sh + 1, q + (wo - 1) * sw + 1, ci], [1, sh, sw, 1]));
    }
  }
  const cols = taps.length === 1 ? taps[0] : concat(s, taps, 3); // [B, Ho, Wo, kh·kw·Ci]
  const n = b * ho * wo;
  // Transpose dy (Co columns) rather than cols (kh·kw·Ci columns): it is the smaller of the two.
  const dyT = reshape(s, transpose(s, reshape(s, dy, [n, co]), [1, 0]), [1, co, n]);
  const g = matMul(s, dyT, reshape(s, cols, [1, n, kh * kw * ci])); // [1, Co, kh·kw·Ci]
  return reshape(s, transpose(s, reshape(s, g, [co, kh * kw * ci]), [1, 0]), [kh, kw, ci, co]);
}

/**
 * Weight gradient of a 2D convolution (NHWC), composed of the backend's own kernels.
 *
 * @param method - `'conv'`: one XNNPACK convolution (fastest at stride 1); `'im2col'`: one GEMM;
 *   `'auto'`: `'conv'` at stride 1, `'im2col'` otherwise.
 * @returns the kernel function: inputs `x: [B, H, W, Ci]`, `dy: [B, Ho, Wo, Co]`,
 *   output `[kh, kw, Ci, Co]` (float32).
 */
export function conv2DBackpropFilterWith(method: Conv2DBackpropFilterMethod): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, dy } = inputsOf('Conv2DBackpropFilter', inputs, ['x', 'dy']);
    const c = convInfoOf(x, attrs as unknown as Conv2DBackpropFilterAttrs);
    const useConv = method === 'conv' || (method === 'auto' && c.strideHeight === 1 && c.strideWidth === 1);
    return withKernelScope(backend, (s) => (useConv ? filterGradViaConv(s, x, dy, c) : viaIm2col(s, x, dy, c)));
  };
}

/** Conv2DBackpropFilter for the wasm backend (registered by `registerWasmKernels`). */
export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilterWith('auto'),
};
