import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { MAX_UNPOOL_2D, MAX_UNPOOL_2D_GRAD } from '../engine/kernels/maxUnpool2D.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

/**
 * SegNet's max-unpooling (PyTorch `max_unpool2d` with the indices of `max_pool2d(2, 2)`) as a Keras
 * layer, without indices: tfjs-layers has no max-pooling-with-indices, so the layer takes the
 * tensor that was pooled and finds the argmax positions again.
 *
 * Inputs `[pooledFrom, y]`:
 * - `pooledFrom`: `[B, H, W, C]`, the encoder feature map *before* its 2×2 stride-2 max-pool
 *   (H and W even);
 * - `y`: `[B, H/2, W/2, C]`, the decoder feature map to unpool (same channel count).
 *
 * Output `[B, H, W, C]`: in every 2×2 window of `pooledFrom` and every channel, `y`'s value is
 * placed at the window's argmax and zeros elsewhere. Ties (e.g. the all-zero windows after a ReLU)
 * go to the first maximum in row-major order (top-left, top-right, bottom-left, bottom-right),
 * which is what PyTorch's CPU `max_pool2d` records, so the output equals
 * `max_unpool2d(y, indices)` exactly. (The shorter `equal(x, upsample(maxpool(x))) · upsample(y)`
 * would copy `y` into every tied position.)
 *
 * Gradient (a custom one): with respect to `y`, the incoming gradient at the argmax positions (as
 * max-unpool's); with respect to `pooledFrom`, zero (the indices are not differentiable).
 *
 * Serialisable: registered with `tf.serialization.registerClass` under the class name
 * `'MaxUnpooling2D'` when this module is imported, which `loadLayersModel` needs (in a browser too:
 * import this module before loading a ModSegNet).
 */
export class MaxUnpooling2D extends tfl.layers.Layer {
  static className = 'MaxUnpooling2D';

  constructor(args: LayerArgs = {}) {
    super(args);
    this.supportsMasking = false;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const [from, y] = shapePair(inputShape, this.name);
    if (from.length !== 4 || y.length !== 4) {
      throw new RangeError(`MaxUnpooling2D ${this.name}: inputs have ranks ${from.length} and ${y.length}, expected 4 and 4`);
    }
    checkShapes(from, y, this.name);
    return [from[0], from[1], from[2], y[3]];
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return tf.tidy(() => {
      const list = Array.isArray(inputs) ? inputs : [inputs];
      if (list.length !== 2) {
        throw new RangeError(`MaxUnpooling2D ${this.name}: got ${list.length} inputs, expected [pooledFrom, y]`);
      }
      return maxUnpool2d(list[0], list[1], this.name);
    });
  }
}

function shapePair(inputShape: tfl.Shape | tfl.Shape[], name: string): [tfl.Shape, tfl.Shape] {
  if (!Array.isArray(inputShape[0]) || inputShape.length !== 2) {
    throw new RangeError(`MaxUnpooling2D ${name}: expected two inputs [pooledFrom, y]`);
  }
  return [inputShape[0] as tfl.Shape, inputShape[1] as tfl.Shape];
}

function checkShapes(from: tfl.Shape, y: tfl.Shape, name: string): void {
  const [, h, w, c] = from;
  const [, h2, w2, c2] = y;
  const bad =
    (h != null && h % 2 !== 0) ||
    (w != null && w % 2 !== 0) ||
    (h != null && h2 != null && h2 * 2 !== h) ||
    (w != null && w2 != null && w2 * 2 !== w) ||
    (c != null && c2 != null && c !== c2);
  if (bad) {
    throw new RangeError(
      `MaxUnpooling2D ${name}: pooledFrom is [${from.join(', ')}] and y is [${y.join(', ')}], ` +
        `expected even H, W and y = [B, H/2, W/2, C] with the same C`,
    );
  }
}

/**
 * `from: [B, H, W, C]`, `y: [B, H/2, W/2, C]` → `[B, H, W, C]` (not tidied; call inside `tf.tidy`).
 *
 * Each 2×2 window becomes a row of 4 (`[N, 4]`, N = B·H/2·W/2·C, in row-major window order) by a
 * reshape + transpose, its first maximum is `argMax` (tfjs returns the first index on ties, on cpu and
 * wasm), and `oneHot` of it masks `y`. A custom gradient skips the index path, whose gradient is zero:
 * measured on wasm for a [4, 96, 96, 32] map, this is 3× faster forward and 4× faster forward +
 * backward than four strided slices compared with their maximum.
 */
function maxUnpool2d(from: Tensor, y: Tensor, name: string): Tensor {
  checkShapes(from.shape, y.shape, name);
  if (tf.getKernel(MAX_UNPOOL_2D, tf.getBackend()) !== undefined) {
    // The engine's one-loop kernels (wasm, cpu), with the same gradients as below.
    const unpoolFused = tf.customGrad((...args: Array<Tensor | tf.GradSaveFunc>) => {
      const [x, values] = args as [Tensor, Tensor];
      return {
        value: tf.engine().runKernel(MAX_UNPOOL_2D, { x, y: values }) as Tensor,
        gradFunc: (dy: Tensor) => [tf.zerosLike(x), tf.engine().runKernel(MAX_UNPOOL_2D_GRAD, { x, dy }) as Tensor],
      };
    });
    return unpoolFused(from, y);
  }
  const [b, h, w, c] = from.shape;
  const rows = b * (h / 2);
  const n = rows * (w / 2) * c;
  // [B, H, W, C] = [rows, 2 (r), W/2, 2 (s), C] → [rows, W/2, C, r, s] → [N, 4]; and back.
  const toWindows = (t: Tensor): Tensor => tf.reshape(tf.transpose(tf.reshape(t, [rows, 2, w / 2, 2, c]), [0, 2, 4, 1, 3]), [n, 4]);
  const fromWindows = (t: Tensor): Tensor => tf.reshape(tf.transpose(tf.reshape(t, [rows, w / 2, c, 2, 2]), [0, 3, 1, 4, 2]), [b, h, w, c]);
  const unpool = tf.customGrad((...args: Array<Tensor | tf.GradSaveFunc>) => {
    const [x, values, save] = args as [Tensor, Tensor, tf.GradSaveFunc];
    const mask = tf.oneHot(tf.argMax(toWindows(x), -1), 4, 1, 0, 'float32');
    save([mask]);
    return {
      value: fromWindows(tf.mul(mask, tf.reshape(values, [n, 1]))),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        return [tf.zerosLike(x), tf.reshape(tf.sum(tf.mul(toWindows(dy), saved[0]), -1), values.shape)];
      },
    };
  });
  return unpool(from, y);
}

tf.serialization.registerClass(MaxUnpooling2D);
