// Why this kernel exists: tfjs-backend-wasm 4.22's Conv3DBackpropInputV2 (the input gradient of
// conv3d) returns garbage, NaN included: on a [1,5,5,5,2] input with a 3³ 'same' filter its result
// differs from tfjs-backend-cpu by 77 % of the gradient's magnitude, and by 100 % at stride 2.
import * as tf from '@tensorflow/tfjs-core';
import type { Conv3DBackpropInputV2Attrs, KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { inputsOf, withKernelScope } from './kernelScope.js';
import { conv3dViaConv2d } from './conv3dViaConv2d.js';
import { insertZeros, padOrCrop, reverse, transpose } from './scopeOps.js';

/**
 * Input gradient of a 3D convolution (NDHWC) = a stride-1 convolution of the zero-inserted dy with
 * the filter rotated by 180° in space and with its channels swapped, computed with Conv2D per depth tap.
 * Inputs `dy: [B, Do, Ho, Wo, Co]`, `filter: [kd, kh, kw, Ci, Co]`; output `attrs.inputShape`
 * `[B, D, H, W, Ci]` float32. Any strides and paddings; dilation 1 (as in tfjs's conv3d gradient).
 */
export const conv3DBackpropInputV2: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputsOf('Conv3DBackpropInputV2', inputs, ['dy', 'filter']);
  const { strides, pad, inputShape } = attrs as unknown as Conv3DBackpropInputV2Attrs;
  const c = tf.backend_util.computeConv3DInfo(
    inputShape,
    filter.shape as [number, number, number, number, number],
    strides,
    1,
    pad,
  );
  const k = [c.filterDepth, c.filterHeight, c.filterWidth];
  const st = [c.strideDepth, c.strideHeight, c.strideWidth];
  const before = [c.padInfo.front, c.padInfo.top, c.padInfo.left];
  const inSize = [c.inDepth, c.inHeight, c.inWidth];
  return withKernelScope(backend, (s) => {
    let up = dy;
    for (let axis = 1; axis <= 3; axis++) up = insertZeros(s, up, axis, st[axis - 1]);
    const amounts = [0, 1, 2].map((i): [number, number] => {
      const lead = k[i] - 1 - before[i];
      return [lead, inSize[i] + k[i] - 1 - up.shape[i + 1] - lead];
    });
    const rotated = transpose(s, reverse(s, filter, [0, 1, 2]), [0, 1, 2, 4, 3]); // [kd, kh, kw, Co, Ci]
    const nonNegative = amounts.every(([p, q]) => p >= 0 && q >= 0);
    const x = nonNegative ? up : padOrCrop(s, up, [[0, 0], ...amounts, [0, 0]]);
    const zero: [number, number] = [0, 0];
    return conv3dViaConv2d(s, x, rotated, {
      strides: [1, 1, 1],
      dilations: [1, 1, 1],
      pads: nonNegative ? [amounts[0], amounts[1], amounts[2]] : [zero, zero, zero],
    });
  });
};

/** Conv3DBackpropInputV2 for the wasm backend (replaces the stock kernel; registered by `registerWasmKernels`). */
export const conv3DBackpropInputV2Config: KernelConfig = {
  kernelName: 'Conv3DBackpropInputV2',
  backendName: 'wasm',
  kernelFunc: conv3DBackpropInputV2,
};
