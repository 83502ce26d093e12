// Why this kernel exists: tfjs-backend-wasm 4.22's Conv2DBackpropInput (the input gradient of conv2d,
// and the forward pass of conv2dTranspose) is correct but a naive C loop: 218 ms for the input
// gradient of a 4×128²×16→16 3×3 'same' layer (the forward conv takes ~20 ms), 44 ms for a 2×2
// stride-2 transposed conv 4×64²×32 → 4×128²×16. Rewritten as one XNNPACK convolution (or, for the
// non-overlapping 2×2 stride-2 upsampling, one 1×1 convolution and a depth-to-space shuffle):
// 22 ms and 7 ms on the same layers (medians, 2-vCPU EPYC, Node 20).
import * as tf from '@tensorflow/tfjs-core';
import type { Conv2DBackpropInputAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { inputsOf, withKernelScope, type KernelScope } from './kernelScope.js';
import { insertZeros, padOrCrop, reshape, reverse, transpose } from './scopeOps.js';
import { heapOutput, heapView, isWasmHeapBackend } from './wasmHeap.js';

function convInfoOf(attrs: Conv2DBackpropInputAttrs, filter: TensorInfo): tf.backend_util.Conv2DInfo {
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') {
    throw new Error(`Conv2DBackpropInput: dataFormat '${attrs.dataFormat}' is not supported, expected 'NHWC'`);
  }
  return tf.backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
}

/**
 * Transposed convolution as a stride-1 convolution: insert stride − 1 zeros between the rows and
 * columns of dy, then correlate with the filter rotated by 180° and with in/out channels swapped.
 * dx[n,y,x,ci] = Σ dy[n,i,j,co] · W[y + top − i·s, x + left − j·s, ci, co].
 */
/**
 * The filter rotated by 180° with in/out channels swapped: `[kh, kw, Ci, Co]` → `[kh, kw, Co, Ci]`,
 * R[a,b,o,i] = W[kh−1−a, kw−1−b, i, o]. Reversing the taps is a reversal of kh·kw contiguous
 * Ci·Co blocks, copied on the wasm heap: tfjs-backend-wasm's Reverse kernel took 103 ms per
 * ModSegNet step for it (7 ms for a [3,3,512,256] filter), the block copies take well under 1 ms.
 * Elsewhere (another backend) the Reverse kernel does it.
 */
function rotatedFilter(s: KernelScope, backend: unknown, filter: TensorInfo, rotation: RotationMode): TensorInfo {
  const [kh, kw, ci, co] = filter.shape;
  const taps = kh * kw;
  let reversed: TensorInfo;
  if (taps === 1) {
    reversed = reshape(s, filter, [1, ci, co]);
  } else if (rotation === 'heap' && isWasmHeapBackend(backend) && filter.dtype === 'float32') {
    const block = ci * co;
    reversed = heapOutput(s, backend, [taps, ci, co]);
    const src = heapView(backend, filter);
    const dst = heapView(backend, reversed);
    for (let t = 0; t < taps; t++) dst.set(src.subarray((taps - 1 - t) * block, (taps - t) * block), t * block);
  } else {
    reversed = reshape(s, reverse(s, filter, [0, 1]), [taps, ci, co]);
  }
  return reshape(s, transpose(s, reversed, [0, 2, 1]), [kh, kw, co, ci]);
}

/** How {@link rotatedFilter} reverses the taps: block copies on the wasm heap, or the Reverse kernel. */
export type RotationMode = 'heap' | 'reverseKernel';

function viaConv(
  s: KernelScope,
  backend: unknown,
  dy: TensorInfo,
  filter: TensorInfo,
  c: tf.backend_util.Conv2DInfo,
  rotation: RotationMode,
): TensorInfo {
  const [kh, kw] = [c.filterHeight, c.filterWidth];
  const [sh, sw] = [c.strideHeight, c.strideWidth];
  const { top, left } = c.padInfo;
  const up = insertZeros(s, insertZeros(s, dy, 1, sh), 2, sw); // [B, (Ho−1)sh+1, (Wo−1)sw+1, Co]
  const amounts: Array<[number, number]> = [
    [0, 0],
    [kh - 1 - top, c.inHeight - (c.outHeight - 1) * sh - 1 + top],
    [kw - 1 - left, c.inWidth - (c.outWidth - 1) * sw - 1 + left],
    [0, 0],
  ];
  const rotated = rotatedFilter(s, backend, filter, rotation); // [kh, kw, Co, Ci]
  const conv = (x: TensorInfo, padding: Array<[number, number]>): TensorInfo =>
    s.run('Conv2D', { x, filter: rotated }, { strides: [1, 1], pad: padding, dataFormat: 'NHWC', dilations: [1, 1] });
  if (amounts.every(([b, a]) => b >= 0 && a >= 0)) return conv(up, amounts);
  // A forward padding larger than the kernel makes a negative "transposed" padding: crop first.
  return conv(padOrCrop(s, up, amounts), [[0, 0], [0, 0], [0, 0], [0, 0]]);
}

/**
 * Non-overlapping transposed convolution (stride = kernel size, no padding, exact fit, e.g. the 2×2
 * stride-2 U-Net upsampling): every output pixel gets exactly one tap, so
 * dx[n, i·kh+a, j·kw+b, ci] = Σ_co dy[n,i,j,co] · W[a,b,ci,co] is one 1×1 convolution to kh·kw·Ci
 * channels followed by a depth-to-space shuffle. No multiply by an inserted zero.
 */
function viaDepthToSpace(s: KernelScope, dy: TensorInfo, filter: TensorInfo, c: tf.backend_util.Conv2DInfo): TensorInfo {
  const [kh, kw, ci, co] = [c.filterHeight, c.filterWidth, c.inChannels, c.outChannels];
  const [b, ho, wo] = [c.batchSize, c.outHeight, c.outWidth];
  // W [kh, kw, Ci, Co] → 1×1 filter [1, 1, Co, kh·kw·Ci].
  const w1 = reshape(s, transpose(s, reshape(s, filter, [kh * kw * ci, co]), [1, 0]), [1, 1, co, kh * kw * ci]);
  const taps = s.run('Conv2D', { x: dy, filter: w1 }, { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1] });
  const shuffled = transpose(s, reshape(s, taps, [b, ho, wo, kh, kw, ci]), [0, 1, 3, 2, 4, 5]);
  return reshape(s, shuffled, [b, ho * kh, wo * kw, ci]);
}

function isNonOverlapping(c: tf.backend_util.Conv2DInfo): boolean {
  const { top, bottom, left, right } = c.padInfo;
  return (
    c.strideHeight === c.filterHeight &&
    c.strideWidth === c.filterWidth &&
    top + bottom + left + right === 0 &&
    c.outHeight * c.strideHeight === c.inHeight &&
    c.outWidth * c.strideWidth === c.inWidth
  );
}

/**
 * Input gradient of a 2D convolution (= conv2dTranspose forward), NHWC, composed of the backend's
 * own kernels: inputs `dy: [B, Ho, Wo, Co]`, `filter: [kh, kw, Ci, Co]`; output `attrs.inputShape`
 * `[B, H, W, Ci]` (float32). Any strides and paddings; dilation 1 (tfjs gradients assert that).
 *
 * @param rotation - how the filter is rotated ({@link RotationMode}); `'reverseKernel'` is the
 *   earlier formulation, kept as a benchmark baseline.
 */
export function conv2DBackpropInputWith(rotation: RotationMode): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputsOf('Conv2DBackpropInput', inputs, ['dy', 'filter']);
    const c = convInfoOf(attrs as unknown as Conv2DBackpropInputAttrs, filter);
    return withKernelScope(backend, (s) =>
      isNonOverlapping(c) ? viaDepthToSpace(s, dy, filter, c) : viaConv(s, backend, dy, filter, c, rotation),
    );
  };
}

/** {@link conv2DBackpropInputWith} with the filter rotated on the wasm heap (the registered kernel). */
export const conv2DBackpropInput: KernelFunc = conv2DBackpropInputWith('heap');

/** Conv2DBackpropInput for the wasm backend (replaces the stock kernel; registered by `registerWasmKernels`). */
export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput,
};
