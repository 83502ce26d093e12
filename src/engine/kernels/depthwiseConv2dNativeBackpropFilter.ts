// Why this kernel exists: tfjs-backend-wasm 4.22 has no DepthwiseConv2dNativeBackpropFilter, so a
// trainable depthwise filter fails in backprop with "Kernel 'DepthwiseConv2dNativeBackpropFilter'
// not registered for backend 'wasm'".
import * as tf from '@tensorflow/tfjs-core';
import type { DepthwiseConv2dNativeBackpropFilterAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { inputsOf, withKernelScope } from './kernelScope.js';
import { mul, pad, reshape, stridedSlice, sum } from './scopeOps.js';

/**
 * Filter gradient of a depthwise 2D convolution (NHWC), one tap at a time:
 * dW[a,b,c,q] = Σ_{n,i,j} xpad[n, i·s + a·d, j·s + b·d, c] · dy[n,i,j,c·m+q]
 * (kh·kw strided slices, products and sums; the filters it serves are small).
 * Inputs `x: [B, H, W, C]`, `dy: [B, Ho, Wo, C·m]`; output `attrs.filterShape` `[kh, kw, C, m]` float32.
 */
export const depthwiseConv2dNativeBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputsOf('DepthwiseConv2dNativeBackpropFilter', inputs, ['x', 'dy']);
  const { strides, dilations, pad: padding, dimRoundingMode, filterShape } =
    attrs as unknown as DepthwiseConv2dNativeBackpropFilterAttrs;
  const c = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    dilations,
    padding,
    dimRoundingMode,
    true,
  );
  const [kh, kw, ch, m] = filterShape;
  const [b, ho, wo] = [c.batchSize, c.outHeight, c.outWidth];
  const [sh, sw, dh, dw] = [c.strideHeight, c.strideWidth, c.dilationHeight, c.dilationWidth];
  const { top, bottom, left, right } = c.padInfo;
  return withKernelScope(backend, (s) => {
    const xp = top + bottom + left + right > 0 ? pad(s, x, [[0, 0], [top, bottom], [left, right], [0, 0]]) : x;
    const dy5 = reshape(s, dy, [b, ho, wo, ch, m]);
    const taps: TensorInfo[] = [];
    for (let a = 0; a < kh; a++) {
      for (let q = 0; q < kw; q++) {
        const tap = stridedSlice(
          s,
          xp,
          [0, a * dh, q * dw, 0],
          [b, a * dh + (ho - 1) * sh + 1, q * dw + (wo - 1) * sw + 1, ch],
          [1, sh, sw, 1],
        ); // [B, Ho, Wo, C]
        taps.push(sum(s, mul(s, dy5, reshape(s, tap, [b, ho, wo, ch, 1])), [0, 1, 2])); // [C, m]
      }
    }
    const stacked = taps.length === 1 ? taps[0] : s.run('Pack', taps as unknown as Record<string, TensorInfo>, { axis: 0 });
    return reshape(s, stacked, [kh, kw, ch, m]);
  });
};

/** DepthwiseConv2dNativeBackpropFilter for the wasm backend (registered by `registerWasmKernels`). */
export const depthwiseConv2dNativeBackpropFilterConfig: KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropFilter',
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropFilter,
};
