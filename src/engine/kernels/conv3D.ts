// Why this kernel exists: tfjs-backend-wasm 4.22's Conv3D is correct but a naive C loop: 2.3 s for
// one 1×48³×8→8 3³ 'same' layer. Computed as one XNNPACK conv2d per depth tap (`conv3dViaConv2d`)
// it takes 0.11 s, and forward + both gradients of that layer 0.49 s instead of 3.2 s (medians on a
// loaded 2-vCPU EPYC, Node 20). Plain `tf.conv3d` models get the speed-up without any rewriting.
import * as tf from '@tensorflow/tfjs-core';
import type { Conv3DAttrs, KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { inputsOf, withKernelScope } from './kernelScope.js';
import { conv3dViaConv2d } from './conv3dViaConv2d.js';

/**
 * 3D convolution (NDHWC) composed of the backend's Conv2D.
 * Inputs `x: [B, D, H, W, Ci]`, `filter: [kd, kh, kw, Ci, Co]`; output `[B, Do, Ho, Wo, Co]` float32.
 *
 * @throws Error for dataFormat 'NCDHW' (tfjs supports only NDHWC for conv3d).
 */
export const conv3D: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, filter } = inputsOf('Conv3D', inputs, ['x', 'filter']);
  const { strides, pad, dilations, dataFormat } = attrs as unknown as Conv3DAttrs;
  if (dataFormat !== undefined && dataFormat !== 'NDHWC') {
    throw new Error(`Conv3D: dataFormat '${dataFormat}' is not supported, expected 'NDHWC'`);
  }
  const c = tf.backend_util.computeConv3DInfo(
    x.shape as [number, number, number, number, number],
    filter.shape as [number, number, number, number, number],
    strides,
    dilations ?? 1,
    pad,
  );
  const p = c.padInfo;
  return withKernelScope(backend, (s) =>
    conv3dViaConv2d(s, x, filter, {
      strides: [c.strideDepth, c.strideHeight, c.strideWidth],
      dilations: [c.dilationDepth, c.dilationHeight, c.dilationWidth],
      pads: [
        [p.front, p.back],
        [p.top, p.bottom],
        [p.left, p.right],
      ],
    }),
  );
};

/** Conv3D for the wasm backend (replaces the stock kernel; registered by `registerWasmKernels`). */
export const conv3DConfig: KernelConfig = {
  kernelName: 'Conv3D',
  backendName: 'wasm',
  kernelFunc: conv3D,
};
