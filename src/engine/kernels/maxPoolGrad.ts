// Why this kernel exists: tfjs-backend-wasm 4.22's MaxPoolGrad returns wrong gradients: on random
// inputs its result differs from tfjs-backend-cpu by up to 99 % of the gradient's magnitude for a
// 2×2 stride-2 pool (22 % for 3×3 stride-1 'same'). This replacement routes each output's gradient to
// the FIRST maximum of its window in row-major order, exactly like tfjs-backend-cpu (and PyTorch's
// one-winner rule), so ties (e.g. windows of ReLU zeros) get the gradient once, not once per tie.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, MaxPoolGradAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { inputsOf, withKernelScope, type KernelScope } from './kernelScope.js';
import { insertZeros, pad, padOrCrop, reshape, slice, stridedSlice, transpose } from './scopeOps.js';
import type { HeapArray } from './copyBox.js';
import { isWasmHeapBackend, type WasmHeapBackend } from './wasmHeap.js';
import { wasmPool2x2 } from './wasmPool2x2.js';

/**
 * One-hot mask of the first maximum of every window times dy: `[B, Ho, Wo, C, kh·kw]`, the last
 * axis enumerating window offsets row-major. `taps` is the windows' values in the same layout.
 */
function routeToFirstMax(s: KernelScope, taps: TensorInfo, dy: TensorInfo, k: number): TensorInfo {
  const winner = s.run('ArgMax', { x: taps }, { axis: 4 }); // first index on ties
  // int32 then Cast: the stock wasm OneHot ignores dtype 'float32' (see oneHot.ts).
  const hot = s.run('OneHot', { indices: winner }, { depth: k, onValue: 1, offValue: 0, dtype: 'int32' });
  const mask = s.run('Cast', { x: hot }, { dtype: 'float32' });
  return s.run('Multiply', { a: mask, b: reshape(s, dy, [...dy.shape, 1]) });
}

/** Pool windows that tile the input (stride = window, no padding): a reshape and one transpose. */
function nonOverlapping(s: KernelScope, x: TensorInfo, dy: TensorInfo, c: tf.backend_util.Conv2DInfo): TensorInfo {
  const [b, h, w, ch] = x.shape;
  const [kh, kw, ho, wo] = [c.filterHeight, c.filterWidth, c.outHeight, c.outWidth];
  const covered = ho * kh === h && wo * kw === w ? x : slice(s, x, [0, 0, 0, 0], [b, ho * kh, wo * kw, ch]);
  const taps = reshape(
    s,
    transpose(s, reshape(s, covered, [b, ho, kh, wo, kw, ch]), [0, 1, 3, 5, 2, 4]),
    [b, ho, wo, ch, kh * kw],
  );
  const g = routeToFirstMax(s, taps, dy, kh * kw);
  const back = reshape(s, transpose(s, reshape(s, g, [b, ho, wo, ch, kh, kw]), [0, 1, 4, 2, 5, 3]), [b, ho * kh, wo * kw, ch]);
  // Rows/columns no window reads (floor rounding) get zero gradient.
  return padOrCrop(s, back, [[0, 0], [0, h - ho * kh], [0, w - wo * kw], [0, 0]]);
}

/**
 * The tiling case as one loop over the wasm heap: every window's first maximum (row-major, strict
 * `>`, as ArgMax) gets dy, every other input position zero. 2–3 ms for a [4,96,96,32] input, against
 * 21 ms for {@link nonOverlapping}'s transposes, ArgMax, OneHot and Multiply; 2×2 windows over 4k channels go to
 * the SIMD loop of `wasmPool2x2` (the same scatter as the max-unpooling).
 */
function nonOverlappingOnHeap(heap: WasmHeapBackend, x: TensorInfo, dy: TensorInfo, c: tf.backend_util.Conv2DInfo): TensorInfo {
  const [b, h, w, ch] = x.shape;
  const [kh, kw, ho, wo] = [c.filterHeight, c.filterWidth, c.outHeight, c.outWidth];
  const out = heap.makeOutput([b, h, w, ch], 'float32');
  const src = heap.typedArrayFromHeap(x) as HeapArray;
  const g = heap.typedArrayFromHeap(dy) as HeapArray;
  const dst = heap.typedArrayFromHeap(out) as HeapArray;
  // 2×2 windows tiling the map, 4k channels: the SIMD scatter (it writes every element of the output).
  const simd = kh === 2 && kw === 2 && ho * 2 === h && wo * 2 === w && ch % 4 === 0 ? wasmPool2x2(heap, 'scatter') : null;
  if (simd !== null) {
    simd(src.byteOffset, dst.byteOffset, g.byteOffset, { b, h, w, c: ch });
    return out;
  }
  dst.fill(0);
  const best = new Float32Array(ch);
  const at = new Int32Array(ch);
  for (let n = 0; n < b; n++) {
    for (let i = 0; i < ho; i++) {
      for (let j = 0; j < wo; j++) {
        for (let a = 0; a < kh; a++) {
          for (let q = 0; q < kw; q++) {
            const base = ((n * h + i * kh + a) * w + j * kw + q) * ch;
            if (a === 0 && q === 0) {
              for (let k = 0; k < ch; k++) {
                best[k] = src[base + k];
                at[k] = base + k;
              }
            } else {
              for (let k = 0; k < ch; k++) {
                const v = src[base + k];
                if (v > best[k]) {
                  best[k] = v;
                  at[k] = base + k;
                }
              }
            }
          }
        }
        const gBase = ((n * ho + i) * wo + j) * ch;
        for (let k = 0; k < ch; k++) dst[at[k]] = g[gBase + k];
      }
    }
  }
  return out;
}

/** Any windows/strides/padding: gather the kh·kw taps with strided slices, scatter back by offset. */
function general(s: KernelScope, x: TensorInfo, dy: TensorInfo, c: tf.backend_util.Conv2DInfo): TensorInfo {
  const [b, h, w, ch] = x.shape;
  const [kh, kw, ho, wo] = [c.filterHeight, c.filterWidth, c.outHeight, c.outWidth];
  const [sh, sw] = [c.strideHeight, c.strideWidth];
  const { top, left } = c.padInfo;
  const spanH = (ho - 1) * sh + kh;
  const spanW = (wo - 1) * sw + kw;
  // −∞ padding never wins a window, which is how the cpu kernel skips out-of-image positions.
  const xp = pad(s, x, [[0, 0], [top, Math.max(0, spanH - top - h)], [left, Math.max(0, spanW - left - w)], [0, 0]], -Infinity);
  const tapList: TensorInfo[] = [];
  for (let a = 0; a < kh; a++) {
    for (let q = 0; q < kw; q++) {
      tapList.push(stridedSlice(s, xp, [0, a, q, 0], [b, a + (ho - 1) * sh + 1, q + (wo - 1) * sw + 1, ch], [1, sh, sw, 1]));
    }
  }
  const taps = s.run('Pack', tapList as unknown as Record<string, TensorInfo>, { axis: 4 });
  const g = routeToFirstMax(s, taps, dy, kh * kw);
  const parts: TensorInfo[] = [];
  for (let a = 0; a < kh; a++) {
    for (let q = 0; q < kw; q++) {
      const gk = reshape(s, slice(s, g, [0, 0, 0, 0, a * kw + q], [b, ho, wo, ch, 1]), [b, ho, wo, ch]);
      const spread = insertZeros(s, insertZeros(s, gk, 1, sh), 2, sw); // [B, (Ho−1)sh+1, (Wo−1)sw+1, C]
      const y0 = a - top;
      const x0 = q - left;
      parts.push(
        padOrCrop(s, spread, [
          [0, 0],
          [y0, h - y0 - spread.shape[1]],
          [x0, w - x0 - spread.shape[2]],
          [0, 0],
        ]),
      );
    }
  }
  return parts.length === 1 ? parts[0] : s.run('AddN', parts as unknown as Record<string, TensorInfo>);
}

/** How {@link maxPoolGradWith} computes the tiling (stride = window, no padding) case. */
export type MaxPoolGradMode = 'heap' | 'kernels';

/**
 * Gradient of 2D max pooling (NHWC) w.r.t. its input. Inputs `dy: [B, Ho, Wo, C]`,
 * `input: [B, H, W, C]` (`output` is not needed); output `[B, H, W, C]`.
 *
 * @param mode - `'heap'`: tiling windows of float32 maps in one loop over the wasm heap (wasm only;
 *   else as `'kernels'`); `'kernels'`: composed of the backend's own kernels (the earlier form, kept
 *   as a benchmark baseline). Other windows always use the composed form.
 */
export function maxPoolGradWith(mode: MaxPoolGradMode): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { dy, input } = inputsOf('MaxPoolGrad', inputs, ['dy', 'input']);
    const { filterSize, strides, pad: padding, dimRoundingMode } = attrs as unknown as MaxPoolGradAttrs;
    const c = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      filterSize,
      strides,
      1,
      padding,
      dimRoundingMode,
    );
    const { top, bottom, left, right } = c.padInfo;
    const tiles = c.strideHeight === c.filterHeight && c.strideWidth === c.filterWidth && top + bottom + left + right === 0;
    if (mode === 'heap' && tiles && isWasmHeapBackend(backend) && input.dtype === 'float32' && dy.dtype === 'float32') {
      return nonOverlappingOnHeap(backend, input, dy, c);
    }
    return withKernelScope(backend, (s) => (tiles ? nonOverlapping(s, input, dy, c) : general(s, input, dy, c)));
  };
}

/** {@link maxPoolGradWith} `'heap'`: the registered MaxPoolGrad. */
export const maxPoolGrad: KernelFunc = maxPoolGradWith('heap');

/** MaxPoolGrad for the wasm backend (replaces the stock kernel; registered by `registerWasmKernels`). */
export const maxPoolGradConfig: KernelConfig = {
  kernelName: 'MaxPoolGrad',
  backendName: 'wasm',
  kernelFunc: maxPoolGrad,
};
