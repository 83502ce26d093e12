// Why this kernel exists: tfjs-backend-wasm 4.22 has no DepthwiseConv2dNativeBackpropInput, so the
// input gradient of `tf.depthwiseConv2d` (the loss's 3×3 box filter over class probabilities) fails
// with "Kernel 'DepthwiseConv2dNativeBackpropInput' not registered for backend 'wasm'".
import * as tf from '@tensorflow/tfjs-core';
import type { DepthwiseConv2dNativeBackpropInputAttrs, KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { inputsOf, withKernelScope } from './kernelScope.js';
import { insertZeros, padOrCrop, reshape, reverse, sum } from './scopeOps.js';

/**
 * Input gradient of a depthwise 2D convolution (NHWC), as a stride-1 depthwise convolution of the
 * zero-inserted dy with the 180°-rotated filter, then a sum over the channel multiplier.
 * Inputs `dy: [B, Ho, Wo, C·m]`, `filter: [kh, kw, C, m]`; output `attrs.inputShape` `[B, H, W, C]` float32.
 * Any strides, paddings and dilations.
 */
export const depthwiseConv2dNativeBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputsOf('DepthwiseConv2dNativeBackpropInput', inputs, ['dy', 'filter']);
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs as unknown as DepthwiseConv2dNativeBackpropInputAttrs;
  const c = tf.backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    dilations,
    pad,
    dimRoundingMode,
    true,
  );
  const [kh, kw, ch, m] = filter.shape;
  const [b, h, w] = inputShape;
  return withKernelScope(backend, (s) => {
    const up = insertZeros(s, insertZeros(s, dy, 1, c.strideHeight), 2, c.strideWidth);
    const effH = c.effectiveFilterHeight;
    const effW = c.effectiveFilterWidth;
    const beforeH = effH - 1 - c.padInfo.top;
    const beforeW = effW - 1 - c.padInfo.left;
    const amounts: Array<[number, number]> = [
      [0, 0],
      [beforeH, h + effH - 1 - up.shape[1] - beforeH],
      [beforeW, w + effW - 1 - up.shape[2] - beforeW],
      [0, 0],
    ];
    // Depthwise filter [kh, kw, C, m] is, channel by channel, the same as [kh, kw, C·m, 1].
    const rotated = reshape(s, reverse(s, filter, [0, 1]), [kh, kw, ch * m, 1]);
    const nonNegative = amounts.every(([p, q]) => p >= 0 && q >= 0);
    const x = nonNegative ? up : padOrCrop(s, up, amounts);
    const out = s.run(
      'DepthwiseConv2dNative',
      { x, filter: rotated },
      {
        strides: [1, 1],
        dilations: [c.dilationHeight, c.dilationWidth],
        pad: nonNegative ? amounts : 'valid',
        dataFormat: 'NHWC',
      },
    ); // [B, H, W, C·m]
    return m === 1 ? out : sum(s, reshape(s, out, [b, h, w, ch, m]), [4]);
  });
};

/** DepthwiseConv2dNativeBackpropInput for the wasm backend (registered by `registerWasmKernels`). */
export const depthwiseConv2dNativeBackpropInputConfig: KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropInput',
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropInput,
};
