import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelScope } from './kernelScope.js';
import { pad, reshape, slice, stridedSlice } from './scopeOps.js';

/** Geometry of a 3D convolution as the 3D kernels below need it (all per-axis, depth/height/width). */
export interface Conv3dGeometry {
  strides: [number, number, number];
  dilations: [number, number, number];
  /** `[before, after]` zero padding per spatial axis (depth, height, width), each ≥ 0. */
  pads: [[number, number], [number, number], [number, number]];
}

/**
 * 3D convolution (NDHWC) computed as Σ over the kd depth taps of one XNNPACK 2D convolution each,
 * the depth slices folded into the batch: out[:, z] = Σ_a conv2d(xpad[:, z·sd + a·dd], W[a]).
 * tfjs-backend-wasm's own Conv3D is a naive loop; this is ~6× faster on the 3D U-Net (see the notes).
 *
 * @param x - `[B, D, H, W, Ci]`; `filter` - `[kd, kh, kw, Ci, Co]`.
 * @returns `[B, Do, Ho, Wo, Co]`, owned by `s`.
 */
export function conv3dViaConv2d(s: KernelScope, x: TensorInfo, filter: TensorInfo, g: Conv3dGeometry): TensorInfo {
  const [b, d, h, w, ci] = x.shape;
  const [kd, kh, kw, , co] = filter.shape;
  const [sd, sh, sw] = g.strides;
  const [dd, dh, dw] = g.dilations;
  const [[front, back], [top, bottom], [left, right]] = g.pads;
  const dp = d + front + back;
  const outD = Math.floor((dp - ((kd - 1) * dd + 1)) / sd) + 1;
  if (outD < 1) throw new RangeError(`conv3dViaConv2d: depth ${d} (padded ${dp}) is smaller than the filter's ${kd}`);
  const xp = front + back > 0 ? pad(s, x, [[0, 0], [front, back], [0, 0], [0, 0], [0, 0]]) : x;
  const parts: TensorInfo[] = [];
  for (let a = 0; a < kd; a++) {
    const z0 = a * dd;
    const planes =
      sd === 1
        ? slice(s, xp, [0, z0, 0, 0, 0], [b, outD, h, w, ci])
        : stridedSlice(s, xp, [0, z0, 0, 0, 0], [b, z0 + (outD - 1) * sd + 1, h, w, ci], [1, sd, 1, 1, 1]);
    const w2 = reshape(s, slice(s, filter, [a, 0, 0, 0, 0], [1, kh, kw, ci, co]), [kh, kw, ci, co]);
    parts.push(
      s.run(
        'Conv2D',
        { x: reshape(s, planes, [b * outD, h, w, ci]), filter: w2 },
        {
          strides: [sh, sw],
          pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
          dataFormat: 'NHWC',
          dilations: [dh, dw],
        },
      ),
    );
  }
  const total = parts.length === 1 ? parts[0] : s.run('AddN', parts as unknown as Record<string, TensorInfo>);
  return reshape(s, total, [b, outD, total.shape[1], total.shape[2], co]);
}
