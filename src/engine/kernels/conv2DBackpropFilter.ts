// Why this kernel exists: tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter at all, so the weight
// gradient of every conv2d and conv2dTranspose fails with "Kernel 'Conv2DBackpropFilter' not
// registered for backend 'wasm'". Written as one XNNPACK convolution with dy as the filter it takes
// 26 ms for a 4×128²×16→16 3×3 'same' layer (forward conv: 20 ms; the im2col + GEMM form, kept as the
// 'fixesOnly' baseline, 262 ms); at stride 1 on wasm, a GEMM over shifted channels-first copies of x
// is faster still (see `filterGradViaShiftedGemm`). tfjs-backend-cpu has one, but it takes ~15 s for
// that layer, so `registerCpuKernels` installs the convolution form for cpu too.
import * as tf from '@tensorflow/tfjs-core';
import type { Conv2DBackpropFilterAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { inputsOf, withKernelScope, type KernelScope } from './kernelScope.js';
import { concat, matMul, pad, reshape, slice, stridedSlice, transpose } from './scopeOps.js';
import { heapOutput, heapView, isWasmHeapBackend, type WasmHeapBackend } from './wasmHeap.js';

/** Formulation of the weight gradient; see {@link conv2DBackpropFilterWith}. */
export type Conv2DBackpropFilterMethod = 'auto' | 'convAuto' | 'conv' | 'im2col' | 'shiftedGemm';

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

/** Largest shifted operand (float32 elements, 256 MB) before the GEMM form gives way to the convolution form. */
const MAX_SHIFTED_ELEMENTS = 1 << 26;

/**
 * dW as one GEMM over the pixels, stride 1 only (wasm heap needed for the shifted copies).
 *
 * Lay x (padded) and dy on the same flattened grid of L = B·Hp·Wp pixels, dy at its output pixel
 * (i, j) and zero at the rows/columns past (Ho, Wo). Tap (a, b) then pairs pixel q of dy with pixel
 * q + a·Wp + b of x, never across rows or images where dy is non-zero, so
 *   dW[a,b,ci,co] = Σ_q xflat[q + a·Wp + b, ci] · dyflat[q, co].
 * x is made channels-first ([Ci, L], pixels contiguous) and copied once per tap, shifted, into the
 * [kh·kw·Ci, L] left factor; dy stays pixels-major ([L, Co]) as the right factor of one XNNPACK
 * 1×1 convolution (a GEMM with K = L).
 *
 * Minimum CPU ms over 7 interleaved runs on the ModSegNet layers (2-vCPU EPYC, loaded), this vs
 * {@link filterGradViaConv}: 4×96²×64→32 3×3 67 vs 87, 4×48²×128→64 57 vs 78, 4×12²×512→256 66 vs
 * 69, 4×96²×7→32 12 vs 17, the 1×1 classifier 4×96²×32→117 17 vs 73; 380 vs 517 over ten layers.
 * Copying dy instead (fewer channels in the decoder) was no faster: packing the GEMM's right factor
 * costs 5–10 ns per element against ~1.4 ns for a shifted copy.
 *
 * @param x - `[B, H, W, Ci]`; `dy` - `[B, Ho, Wo, Co]`; `c` - the forward convolution's info
 *   (stride 1, dilation 1).
 * @returns `[kh, kw, Ci, Co]`, owned by `s`.
 */
export function filterGradViaShiftedGemm(
  s: KernelScope,
  heap: WasmHeapBackend,
  x: TensorInfo,
  dy: TensorInfo,
  c: tf.backend_util.Conv2DInfo,
): TensorInfo {
  const { top, bottom, left, right } = c.padInfo;
  const [kh, kw, ci, co] = [c.filterHeight, c.filterWidth, c.inChannels, c.outChannels];
  const [b, hp, wp] = [c.batchSize, c.inHeight + top + bottom, c.inWidth + left + right];
  const [ho, wo] = [c.outHeight, c.outWidth];
  const taps = kh * kw;
  const len = b * hp * wp;
  const planes = transpose(s, x, [3, 0, 1, 2]); // [Ci, B, H, W]
  const cf = top + bottom + left + right > 0 ? pad(s, planes, [[0, 0], [0, 0], [top, bottom], [left, right]]) : planes;
  const dyGrid = hp > ho || wp > wo ? pad(s, dy, [[0, 0], [0, hp - ho], [0, wp - wo], [0, 0]]) : dy; // [B, Hp, Wp, Co]
  const lhs = heapOutput(s, heap, [taps * ci, 1, 1, len]);
  const src = heapView(heap, cf);
  const dst = heapView(heap, lhs);
  for (let t = 0; t < taps; t++) {
    const off = Math.floor(t / kw) * wp + (t % kw);
    for (let i = 0; i < ci; i++) {
      // row (t, i)[q] = x[i, q + off], zero past the end (only dy's zero border meets it).
      const o = (t * ci + i) * len;
      dst.set(src.subarray(i * len + off, (i + 1) * len), o);
      dst.fill(0, o + len - off, o + len);
    }
  }
  const rhs = reshape(s, dyGrid, [1, 1, len, co]);
  const g = s.run('Conv2D', { x: lhs, filter: rhs }, { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1] });
  return reshape(s, g, [kh, kw, ci, co]); // [taps·Ci, Co] is [kh, kw, Ci, Co] row-major
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

/** Whether the shifted-GEMM form applies: stride 1 and a left factor of bounded size. */
function shiftedGemmFits(c: tf.backend_util.Conv2DInfo): boolean {
  const { top, bottom, left, right } = c.padInfo;
  const len = c.batchSize * (c.inHeight + top + bottom) * (c.inWidth + left + right);
  const rows = c.filterHeight * c.filterWidth * c.inChannels;
  return c.strideHeight === 1 && c.strideWidth === 1 && rows * len <= MAX_SHIFTED_ELEMENTS;
}

/**
 * Weight gradient of a 2D convolution (NHWC), composed of the backend's own kernels.
 *
 * @param method - `'conv'`: one XNNPACK convolution with dy as the filter ({@link filterGradViaConv},
 *   any backend, any stride); `'im2col'`: one GEMM on an im2col matrix (any backend, any stride);
 *   `'shiftedGemm'`: one GEMM on shifted channels-first copies ({@link filterGradViaShiftedGemm}),
 *   where it applies (wasm, stride 1), else as `'convAuto'`; `'convAuto'`: `'conv'` at stride 1,
 *   `'im2col'` otherwise (the earlier default, kept as a benchmark baseline); `'auto'`: as
 *   `'shiftedGemm'`.
 * @returns the kernel function: inputs `x: [B, H, W, Ci]`, `dy: [B, Ho, Wo, Co]`,
 *   output `[kh, kw, Ci, Co]` (float32).
 */
export function conv2DBackpropFilterWith(method: Conv2DBackpropFilterMethod): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, dy } = inputsOf('Conv2DBackpropFilter', inputs, ['x', 'dy']);
    const c = convInfoOf(x, attrs as unknown as Conv2DBackpropFilterAttrs);
    const stride1 = c.strideHeight === 1 && c.strideWidth === 1;
    return withKernelScope(backend, (s) => {
      if ((method === 'auto' || method === 'shiftedGemm') && isWasmHeapBackend(backend) && shiftedGemmFits(c)) {
        return filterGradViaShiftedGemm(s, backend, x, dy, c);
      }
      const im2col = method === 'im2col' || (method !== 'conv' && !stride1);
      return im2col ? viaIm2col(s, x, dy, c) : filterGradViaConv(s, x, dy, c);
    });
  };
}

/** Conv2DBackpropFilter for the wasm backend (registered by `registerWasmKernels`). */
export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilterWith('auto'),
};
