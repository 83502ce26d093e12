import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

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
 * Gradient: with respect to `y`, the values at the argmax positions (as max-unpool's); with
 * respect to `pooledFrom`, zero (the indices are not differentiable). Built from Slice, Maximum,
 * Sub, Step, Multiply, Concat and Reshape only, all of which have gradients in tfjs-core and
 * kernels on wasm and cpu.
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

/** `from: [B, H, W, C]`, `y: [B, H/2, W/2, C]` → `[B, H, W, C]` (not tidied; call inside `tf.tidy`). */
function maxUnpool2d(from: Tensor, y: Tensor, name: string): Tensor {
  checkShapes(from.shape, y.shape, name);
  const [b, h, w, c] = from.shape;
  const rows = b * (h / 2);
  // [B, H, W, C] → [B·H/2, 2 (row r in window), W/2, 2·C (column s in window, then channel)].
  const windows = tf.reshape(from, [rows, 2, w / 2, 2 * c]);
  const at = (r: number, s: number): Tensor => tf.slice(windows, [0, r, 0, s * c], [rows, 1, w / 2, c]);
  const x00 = at(0, 0);
  const x01 = at(0, 1);
  const x10 = at(1, 0);
  const x11 = at(1, 1);
  const max = tf.maximum(tf.maximum(x00, x01), tf.maximum(x10, x11));
  // isMax = 1 where x == max: max − x ≥ 0, and step(0) = 0.
  const notMax = (x: Tensor): Tensor => tf.step(tf.sub(max, x));
  const n00 = notMax(x00);
  const n01 = notMax(x01);
  const n10 = notMax(x10);
  const before01 = n00;
  const before10 = tf.mul(n00, n01);
  const before11 = tf.mul(before10, n10);
  const m00 = tf.sub(1, n00);
  const m01 = tf.mul(tf.sub(1, n01), before01);
  const m10 = tf.mul(tf.sub(1, n10), before10);
  // Some position holds the maximum, so the bottom-right one wins when none before it does.
  const m11 = before11;
  const yr = tf.reshape(y, [rows, 1, w / 2, c]);
  const top = tf.concat([tf.mul(m00, yr), tf.mul(m01, yr)], 3);
  const bottom = tf.concat([tf.mul(m10, yr), tf.mul(m11, yr)], 3);
  return tf.reshape(tf.concat([top, bottom], 1), [b, h, w, c]);
}

tf.serialization.registerClass(MaxUnpooling2D);
