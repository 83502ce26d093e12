// Why this exists: tfjs-core 4.22's Conv3D gradient refuses dilations ("dilation rates greater than 1 are not yet
// supported in gradients"), so a network with dilated 3D convolutions (brainchop's MeshNet: dilations 1…16) cannot
// be fine-tuned at all. The forward dilated Conv3D works on every backend (on wasm through `kernels/conv3D.ts`).
import * as tf from '@tensorflow/tfjs-core';
import type { Conv3DAttrs, GradConfig, NamedAttrMap, Tensor, Tensor5D } from '@tensorflow/tfjs-core';

let stock: GradConfig | undefined;

/**
 * The gradient of a stride-1 dilated 3D convolution (NDHWC), for `x: [B, D, H, W, Ci]`, `filter: [kd, kh, kw, Ci, Co]`,
 * `dy: [B, Do, Ho, Wo, Co]`, with the input padded by (front, back) per axis and dilation d (so `Do = D + front +
 * back − d·(kd − 1)`):
 *
 * - dx = the dilated convolution of dy, padded by (d·(k − 1) − front, d·(k − 1) − back), with the filter reversed
 *   along its three spatial axes and its channel axes swapped ('valid', same dilation);
 * - dW[a, b, c] = Σ over output voxels p of x_padded[p + d·(a, b, c)] ⊗ dy[p]: one `[Ci, B·Do·Ho·Wo] ×
 *   [B·Do·Ho·Wo, Co]` product per tap (27 for 3×3×3), no kernel of (k − 1)·d + 1 taps with zeros inserted.
 */
function dilatedGradient(dy: Tensor, saved: Tensor[], attrs: NamedAttrMap): Record<string, () => Tensor> {
  const [x, filter] = saved as [Tensor5D, Tensor5D];
  const { strides, pad, dilations } = attrs as unknown as Conv3DAttrs;
  const c = tf.backend_util.computeConv3DInfo(x.shape, filter.shape, strides, dilations, pad);
  const d = [c.dilationDepth, c.dilationHeight, c.dilationWidth];
  const k = [c.filterDepth, c.filterHeight, c.filterWidth];
  const p = c.padInfo;
  const lead: Array<[number, number]> = [
    [p.front, p.back],
    [p.top, p.bottom],
    [p.left, p.right],
  ];
  const [b, , , , ci] = x.shape;
  const co = filter.shape[4];
  const outShape = [c.outDepth, c.outHeight, c.outWidth];
  return {
    x: () =>
      tf.tidy(() => {
        const padded = tf.pad(dy, [[0, 0], ...lead.map(([f, e], i): [number, number] => [d[i] * (k[i] - 1) - f, d[i] * (k[i] - 1) - e]), [0, 0]]);
        const flipped = tf.transpose(tf.reverse(filter, [0, 1, 2]), [0, 1, 2, 4, 3]);
        return tf.conv3d(padded as Tensor5D, flipped as Tensor5D, 1, 'valid', 'NDHWC', d as [number, number, number]);
      }),
    filter: () =>
      tf.tidy(() => {
        const xp = tf.pad(x, [[0, 0], ...lead, [0, 0]]);
        const dy2 = tf.reshape(dy, [-1, co]);
        const taps: Tensor[] = [];
        for (let a = 0; a < k[0]; a++)
          for (let bb = 0; bb < k[1]; bb++)
            for (let cc = 0; cc < k[2]; cc++) {
              const window = tf.slice(xp, [0, a * d[0], bb * d[1], cc * d[2], 0], [b, outShape[0], outShape[1], outShape[2], ci]);
              taps.push(tf.matMul(tf.reshape(window, [-1, ci]), dy2, true, false));
            }
        return tf.reshape(tf.stack(taps), filter.shape);
      }),
  };
}

/**
 * Installs a Conv3D gradient that also handles dilations (see {@link dilatedGradient}); undilated convolutions keep
 * tfjs's own gradient. Call after the gradients are registered (importing tfjs-layers does it); idempotent.
 *
 * @throws Error when no Conv3D gradient is registered yet.
 */
export function registerDilatedConv3DGradient(): void {
  const current = tf.getGradient('Conv3D');
  if (current === undefined) throw new Error('registerDilatedConv3DGradient: no Conv3D gradient registered; import @tensorflow/tfjs-layers first');
  if (current.gradFunc === dilatedOrStock) return;
  stock = current;
  const config: GradConfig = { kernelName: 'Conv3D', inputsToSave: ['x', 'filter'], gradFunc: dilatedOrStock };
  tf.registerGradient(config);
}

function dilatedOrStock(dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap): Record<string, () => Tensor> {
  const { dilations } = attrs as unknown as Conv3DAttrs;
  const dilated = (Array.isArray(dilations) ? dilations : [dilations ?? 1]).some((v) => v !== 1);
  return dilated ? dilatedGradient(dy as Tensor, saved, attrs) : stock!.gradFunc(dy, saved, attrs);
}
