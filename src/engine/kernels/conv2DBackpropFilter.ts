// Why this kernel exists: tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter at all, so the weight
// gradient of every conv2d and conv2dTranspose fails with "Kernel 'Conv2DBackpropFilter' not
// registered for backend 'wasm'". Written as one XNNPACK convolution with dy as the filter it takes
// 26 ms for a 4×128²×16→16 3×3 'same' layer (forward conv: 20 ms; the im2col + GEMM form, kept as the
// 'fixesOnly' baseline, 262 ms); on wasm a GEMM over channels-first patches of x built on the heap is
// faster still (see `filterGradViaGemm`). tfjs-backend-cpu has one, but it takes ~15 s for
// that layer, so `registerCpuKernels` installs the convolution form for cpu too.
import * as tf from '@tensorflow/tfjs-core';
import type { Conv2DBackpropFilterAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { inputsOf, withKernelScope, type KernelScope } from './kernelScope.js';
import { concat, matMul, pad, reshape, slice, stridedSlice, transpose } from './scopeOps.js';
import { heapOutput, heapView, isWasmHeapBackend, supportsHeapAlias, withHeapAlias, type WasmHeapBackend } from './wasmHeap.js';

/** Formulation of the weight gradient; see {@link conv2DBackpropFilterWith}. */
export type Conv2DBackpropFilterMethod = 'auto' | 'convAuto' | 'conv' | 'im2col';

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

/** Largest left factor (float32 elements, 256 MB) before the GEMM form gives way to the others. */
const MAX_GEMM_ELEMENTS = 1 << 26;

/** Below this many elements a row is copied by an element loop: `set(subarray)` costs ~50 ns a call. */
const MIN_SET_RUN = 32;

/**
 * From this output width on, the left factor is x's padded channel planes read at a shift per tap
 * (no copy, but K includes the padding pixels: +4 % at 96², +8 % at 48², +17 % at 24²), below it a
 * copy (exact K: one shifted block per tap and channel at stride 1 'same', else one per output row).
 * Measured (CPU ms, ModSegNet layers, B = 4): the planes faster at 48² (64→32: 15.5 vs 18.3), the
 * copies at 24² (the four layers: 30.7 vs 32.6) and 12² (256→128: 12.9 vs ~15).
 */
const MIN_PLANE_WIDTH = 32;

/** `lhs · rhs` as an XNNPACK 1×1 convolution: `lhs` `[M, 1, 1, K]` (its input), `rhs` `[1, 1, K, N]` → `[M, 1, 1, N]`. */
function gemm(s: KernelScope, lhs: TensorInfo, rhs: TensorInfo): TensorInfo {
  return s.run('Conv2D', { x: lhs, filter: rhs }, { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1] });
}

/**
 * Shifted planes, stride 1: lay x (padded) and dy on one flattened grid of L = B·Hp·Wp pixels, dy
 * at its output pixel (i, j) and zero past (Ho, Wo). Tap (a, b) then pairs pixel q of dy with pixel
 * q + a·Wp + b of x, never across rows or images where dy is non-zero, so the tap's block of dW is
 * one GEMM of x's channel planes read from offset a·Wp + b (an alias of the padded buffer, no copy;
 * reads past a plane's end meet only dy's zeros, and an extra zero plane ends the buffer) by dy on
 * the grid (packed once: tfjs-backend-wasm caches the XNNPACK operator per filter).
 *
 * @returns `[kh·kw·Ci, Co]`, owned by `s`.
 */
function viaShiftedPlanes(s: KernelScope, heap: WasmHeapBackend, xT: TensorInfo, dy: TensorInfo, c: tf.backend_util.Conv2DInfo): TensorInfo {
  const { top, bottom, left, right } = c.padInfo;
  const [kh, kw, ci, co] = [c.filterHeight, c.filterWidth, c.inChannels, c.outChannels];
  const [b, hp, wp] = [c.batchSize, c.inHeight + top + bottom, c.inWidth + left + right];
  const [ho, wo] = [c.outHeight, c.outWidth];
  const len = b * hp * wp;
  const cf = pad(s, xT, [[0, 1], [0, 0], [top, bottom], [left, right]]); // [Ci + 1, B, Hp, Wp], last plane zero
  const dyGrid = hp > ho || wp > wo ? pad(s, dy, [[0, 0], [0, hp - ho], [0, wp - wo], [0, 0]]) : dy; // [B, Hp, Wp, Co]
  const rhs = reshape(s, dyGrid, [1, 1, len, co]);
  const blocks: TensorInfo[] = [];
  for (let t = 0; t < kh * kw; t++) {
    const off = Math.floor(t / kw) * wp + (t % kw);
    blocks.push(withHeapAlias(heap, cf, off, [ci, 1, 1, len], (lhs) => gemm(s, lhs, rhs))); // [Ci, 1, 1, Co]
  }
  return blocks.length === 1 ? blocks[0] : concat(s, blocks, 0);
}

/**
 * The patch rows of a stride-1 convolution whose output has the input's size ('same'): row (a, b, ci) is channel ci
 * of x (all images, `[B, H, W]` flattened) read at the shift (a − top)·W + (b − left), so it is one block copy, then
 * zeros where the tap falls outside the image (the first or last rows of each image, the first or last columns of
 * each row). Measured on the 12² ModSegNet layers: the row-by-row copy took ~6 ns an element, this ~0.3.
 *
 * @param src - x channels-first, `[Ci, B, H, W]`; `dst` - the left factor, `[kh·kw·Ci, B·H·W]`.
 */
function shiftedRows(src: ReturnType<typeof heapView>, dst: ReturnType<typeof heapView>, c: tf.backend_util.Conv2DInfo): void {
  const { top, left } = c.padInfo;
  const [kh, kw, ci] = [c.filterHeight, c.filterWidth, c.inChannels];
  const [b, h, w] = [c.batchSize, c.inHeight, c.inWidth];
  const len = b * h * w;
  for (let a = 0; a < kh; a++) {
    const dr = a - top;
    for (let q = 0; q < kw; q++) {
      const dc = q - left;
      const shift = dr * w + dc;
      const p0 = Math.max(0, -shift);
      const p1 = Math.min(len, len - shift);
      for (let k = 0; k < ci; k++) {
        const row = ((a * kw + q) * ci + k) * len;
        const from = k * len;
        if (p1 > p0) dst.set(src.subarray(from + p0 + shift, from + p1 + shift), row + p0);
        dst.fill(0, row, row + Math.min(p0, len));
        if (p1 < len) dst.fill(0, row + Math.max(p1, 0), row + len);
        // Output rows whose input row i + dr lies outside the image (it read the neighbouring image, or nothing).
        if (dr !== 0) {
          const [i0, i1] = dr < 0 ? [0, Math.min(h, -dr)] : [Math.max(0, h - dr), h];
          for (let n = 0; n < b; n++) dst.fill(0, row + (n * h + i0) * w, row + (n * h + i1) * w);
        }
        // Output columns whose input column j + dc lies outside the row (it read the neighbouring row).
        if (dc !== 0) {
          const [j0, j1] = dc < 0 ? [0, Math.min(w, -dc)] : [Math.max(0, w - dc), w];
          for (let r = row; r < row + len; r += w) for (let j = j0; j < j1; j++) dst[r + j] = 0;
        }
      }
    }
  }
}

/**
 * Patch rows, any stride: P[(a,b,ci), (n,i,j)] = xpad[n, i·sh + a, j·sw + b, ci] (zero in the
 * padding), K = B·Ho·Wo exactly; one copy of Wo elements per (tap, channel, image, output row),
 * then one GEMM P · dy.
 *
 * @returns `[kh·kw·Ci, 1, 1, Co]`, owned by `s`.
 */
function viaPatchRows(s: KernelScope, heap: WasmHeapBackend, xT: TensorInfo, dy: TensorInfo, c: tf.backend_util.Conv2DInfo): TensorInfo {
  const { top, left } = c.padInfo;
  const [kh, kw, ci, co] = [c.filterHeight, c.filterWidth, c.inChannels, c.outChannels];
  const [b, h, w] = [c.batchSize, c.inHeight, c.inWidth];
  const [ho, wo, sh, sw] = [c.outHeight, c.outWidth, c.strideHeight, c.strideWidth];
  const len = b * ho * wo;
  const lhs = heapOutput(s, heap, [kh * kw * ci, 1, 1, len]);
  const src = heapView(heap, xT);
  const dst = heapView(heap, lhs);
  if (sh === 1 && sw === 1 && ho === h && wo === w) {
    shiftedRows(src, dst, c);
    return gemm(s, lhs, reshape(s, dy, [1, 1, len, co]));
  }
  for (let a = 0; a < kh; a++) {
    for (let q = 0; q < kw; q++) {
      // Output columns [j0, j1) read input columns j·sw + q − left inside x; the others are zero.
      const j0 = Math.min(wo, Math.max(0, Math.ceil((left - q) / sw)));
      const j1 = Math.max(j0, Math.min(wo, Math.floor((w - 1 + left - q) / sw) + 1));
      const count = j1 - j0;
      const col0 = j0 * sw + q - left;
      for (let k = 0; k < ci; k++) {
        for (let n = 0; n < b; n++) {
          const rowBase = (((a * kw + q) * ci + k) * b + n) * ho * wo;
          const planeBase = (k * b + n) * h * w;
          for (let i = 0; i < ho; i++) {
            const o = rowBase + i * wo;
            const r = i * sh + a - top;
            if (r < 0 || r >= h) {
              dst.fill(0, o, o + wo);
              continue;
            }
            if (j0 > 0) dst.fill(0, o, o + j0);
            const from = planeBase + r * w + col0;
            if (sw === 1 && count >= MIN_SET_RUN) dst.set(src.subarray(from, from + count), o + j0);
            else for (let j = 0; j < count; j++) dst[o + j0 + j] = src[from + j * sw];
            if (j1 < wo) dst.fill(0, o + j1, o + wo);
          }
        }
      }
    }
  }
  return gemm(s, lhs, reshape(s, dy, [1, 1, len, co]));
}

/**
 * dW as GEMMs whose left factor is x's patches laid out channels-first (the transpose of the usual
 * im2col matrix, pixels contiguous) and whose right factor is dy as it is ([pixels, Co]):
 * dW[a,b,ci,co] = Σ_pixels P[(a,b,ci), pixel] · dy[pixel, co], XNNPACK 1×1 convolutions. x is
 * transposed to channels-first once; the patches are then either its padded planes read at a shift
 * per tap (no copy; output width {@link MIN_PLANE_WIDTH} and up, stride 1) or copied on the wasm heap
 * (one shifted block per tap and channel at stride 1 'same', else one copy per output row).
 *
 * A 1×1 stride-1 unpadded convolution needs no copy: the left factor is the transposed operand
 * itself, and the one with more channels is the one transposed, since packing the right factor
 * costs 5–10 ns an element against ~3 ns to transpose (dWᵀ = dyᵀ · x for the 32→117 classifier).
 *
 * Minimum CPU ms over 6 runs with fresh tensors on the ModSegNet layers (2-vCPU EPYC, loaded), this
 * vs {@link filterGradViaConv}: 4×96²×64→32 3×3 60 vs 83, 4×48²×128→64 56 vs 75, 4×12²×512→256
 * 60–75 vs 68–82, 4×96²×7→32 12 vs 17, the 1×1 classifier 4×96²×32→117 33 vs 75; 400 vs 553 over
 * ten layers (421 with the shifted planes copied instead of aliased).
 *
 * @param x - `[B, H, W, Ci]`; `dy` - `[B, Ho, Wo, Co]`; `c` - the forward convolution's info
 *   (any strides and padding, dilation 1).
 * @returns `[kh, kw, Ci, Co]`, owned by `s`.
 */
export function filterGradViaGemm(
  s: KernelScope,
  heap: WasmHeapBackend,
  x: TensorInfo,
  dy: TensorInfo,
  c: tf.backend_util.Conv2DInfo,
): TensorInfo {
  const { top, left } = c.padInfo;
  const [kh, kw, ci, co] = [c.filterHeight, c.filterWidth, c.inChannels, c.outChannels];
  const [ho, wo, sh, sw] = [c.outHeight, c.outWidth, c.strideHeight, c.strideWidth];
  const len = c.batchSize * ho * wo;
  const stride1 = sh === 1 && sw === 1;
  const pointwise = kh * kw === 1 && stride1 && ho === c.inHeight && wo === c.inWidth && top === 0 && left === 0;
  if (pointwise && co > ci) {
    const dyT = reshape(s, transpose(s, dy, [3, 0, 1, 2]), [co, 1, 1, len]);
    const g = gemm(s, dyT, reshape(s, x, [1, 1, len, ci])); // [Co, Ci]
    return reshape(s, transpose(s, reshape(s, g, [co, ci]), [1, 0]), [1, 1, ci, co]);
  }
  const xT = transpose(s, x, [3, 0, 1, 2]); // [Ci, B, H, W]
  let g: TensorInfo;
  if (pointwise) g = gemm(s, reshape(s, xT, [ci, 1, 1, len]), reshape(s, dy, [1, 1, len, co]));
  else if (stride1 && wo >= MIN_PLANE_WIDTH && supportsHeapAlias(heap)) g = viaShiftedPlanes(s, heap, xT, dy, c);
  else g = viaPatchRows(s, heap, xT, dy, c);
  return reshape(s, g, [kh, kw, ci, co]); // [kh·kw·Ci, Co] is [kh, kw, Ci, Co] row-major
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

/** Whether the GEMM form's left factor is of bounded size (counting the padded grid of the planes form). */
function gemmFits(c: tf.backend_util.Conv2DInfo): boolean {
  const { top, bottom, left, right } = c.padInfo;
  const grid = c.batchSize * (c.inHeight + top + bottom) * (c.inWidth + left + right);
  const len = Math.max(grid, c.batchSize * c.outHeight * c.outWidth);
  return c.filterHeight * c.filterWidth * c.inChannels * len <= MAX_GEMM_ELEMENTS;
}

/**
 * Weight gradient of a 2D convolution (NHWC), composed of the backend's own kernels.
 *
 * @param method - `'conv'`: one XNNPACK convolution with dy as the filter ({@link filterGradViaConv},
 *   any backend, any stride); `'im2col'`: one GEMM on an im2col matrix (any backend, any stride);
 *   `'convAuto'`: `'conv'` at stride 1, `'im2col'` otherwise (the earlier default, kept as a benchmark
 *   baseline); `'auto'` (the registered kernel): one GEMM on channels-first patches built on the wasm
 *   heap ({@link filterGradViaGemm}) where it applies (wasm, left factor ≤ 256 MB), else as `'convAuto'`.
 * @returns the kernel function: inputs `x: [B, H, W, Ci]`, `dy: [B, Ho, Wo, Co]`,
 *   output `[kh, kw, Ci, Co]` (float32).
 */
export function conv2DBackpropFilterWith(method: Conv2DBackpropFilterMethod): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, dy } = inputsOf('Conv2DBackpropFilter', inputs, ['x', 'dy']);
    const c = convInfoOf(x, attrs as unknown as Conv2DBackpropFilterAttrs);
    const stride1 = c.strideHeight === 1 && c.strideWidth === 1;
    return withKernelScope(backend, (s) => {
      if (method === 'auto' && isWasmHeapBackend(backend) && gemmFits(c)) {
        return filterGradViaGemm(s, backend, x, dy, c);
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
