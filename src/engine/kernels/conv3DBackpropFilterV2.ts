// Why this kernel exists: tfjs-backend-wasm 4.22's Conv3DBackpropFilterV2 is right at stride 1 but
// wrong at stride 2 (a 2³ stride-2 'valid' filter gradient on [1,4,4,4,2] differs from
// tfjs-backend-cpu by 100 % of its magnitude), and it is a naive loop. This one is one XNNPACK
// convolution per depth tap (see `filterGradViaConv`), or on wasm one GEMM per depth tap (see
// `filterGradViaGemm`).
import * as tf from '@tensorflow/tfjs-core';
import type { Conv3DBackpropFilterV2Attrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { inputsOf, withKernelScope } from './kernelScope.js';
import { filterGradViaConv, filterGradViaGemm } from './conv2DBackpropFilter.js';
import { isWasmHeapBackend } from './wasmHeap.js';
import { pad, reshape, slice, stridedSlice } from './scopeOps.js';

/**
 * Filter gradient of a 3D convolution (NDHWC): dW[a] = the 2D filter gradient of the depth planes
 * z·sd + a of the depth-padded x (batch B·Do) against dy (batch B·Do), for each depth tap a.
 * Inputs `x: [B, D, H, W, Ci]`, `dy: [B, Do, Ho, Wo, Co]`; output `attrs.filterShape`
 * `[kd, kh, kw, Ci, Co]` float32. Any strides and paddings; dilation 1 (as in tfjs's conv3d gradient).
 *
 * @param form - `'gemm'`: {@link filterGradViaGemm} per depth tap on wasm ({@link filterGradViaConv}
 *   elsewhere); `'conv'`: {@link filterGradViaConv} per depth tap (the earlier form, a benchmark baseline).
 */
export function conv3DBackpropFilterV2With(form: 'gemm' | 'conv'): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, dy } = inputsOf('Conv3DBackpropFilterV2', inputs, ['x', 'dy']);
    const { strides, pad: padding, filterShape } = attrs as unknown as Conv3DBackpropFilterV2Attrs;
    const c = tf.backend_util.computeConv3DInfo(
      x.shape as [number, number, number, number, number],
      filterShape,
      strides,
      1,
      padding,
    );
    const [b, , h, w, ci] = x.shape;
    const [kd, kh, kw, , co] = filterShape;
    const { front, back, top, bottom, left, right } = c.padInfo;
    const outD = c.outDepth;
    const sd = c.strideDepth;
    const planeInfo = tf.backend_util.computeConv2DInfo(
      [b * outD, h, w, ci],
      [kh, kw, ci, co],
      [c.strideHeight, c.strideWidth],
      1,
      [[0, 0], [top, bottom], [left, right], [0, 0]],
    );
    return withKernelScope(backend, (s) => {
      const xp = front + back > 0 ? pad(s, x, [[0, 0], [front, back], [0, 0], [0, 0], [0, 0]]) : x;
      const dy4 = reshape(s, dy, [b * outD, c.outHeight, c.outWidth, co]);
      const taps: TensorInfo[] = [];
      for (let a = 0; a < kd; a++) {
        const planes =
          sd === 1
            ? slice(s, xp, [0, a, 0, 0, 0], [b, outD, h, w, ci])
            : stridedSlice(s, xp, [0, a, 0, 0, 0], [b, a + (outD - 1) * sd + 1, h, w, ci], [1, sd, 1, 1, 1]);
        const planes4 = reshape(s, planes, [b * outD, h, w, ci]);
        taps.push(form === 'gemm' && isWasmHeapBackend(backend) ? filterGradViaGemm(s, backend, planes4, dy4, planeInfo) : filterGradViaConv(s, planes4, dy4, planeInfo));
      }
      const stacked = taps.length === 1 ? reshape(s, taps[0], [1, kh, kw, ci, co]) : s.run('Pack', taps as unknown as Record<string, TensorInfo>, { axis: 0 });
      return stacked;
    });
  };
}

/** {@link conv3DBackpropFilterV2With} `'gemm'`: the registered kernel. */
export const conv3DBackpropFilterV2: KernelFunc = conv3DBackpropFilterV2With('gemm');

/** Conv3DBackpropFilterV2 for the wasm backend (replaces the stock kernel; registered by `registerWasmKernels`). */
export const conv3DBackpropFilterV2Config: KernelConfig = {
  kernelName: 'Conv3DBackpropFilterV2',
  backendName: 'wasm',
  kernelFunc: conv3DBackpropFilterV2,
};
