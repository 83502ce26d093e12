import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

/** Arguments of {@link UpSampling3D}. */
export interface UpSampling3DArgs extends LayerArgs {
  /** Integer repeat factor per spatial axis `[depth, height, width]` (or one for all). Default 2. */
  size?: number | [number, number, number];
}

/**
 * Nearest-neighbour upsampling of `[B, D, H, W, C]` to `[B, sd·D, sh·H, sw·W, C]` (Keras
 * `UpSampling3D`, channels-last), which tfjs-layers 4.22 lacks.
 *
 * Each axis is repeated with a reshape to `[outer, 1, inner]`, a concatenation of `s` copies along
 * the middle axis and a reshape back: rank-3 ops only, because tfjs-backend-wasm mishandles
 * broadcasting above 6 dimensions and `conv3dTranspose` has no gradient in tfjs-core. The
 * gradient (through Concat and Reshape) sums each `s`-block back, as nearest upsampling's should.
 *
 * Serialisable: registered as `'UpSampling3D'` when this module is imported.
 */
export class UpSampling3D extends tfl.layers.Layer {
  static className = 'UpSampling3D';
  readonly size: [number, number, number];

  constructor(args: UpSampling3DArgs = {}) {
    super(args);
    const s = args.size ?? 2;
    this.size = typeof s === 'number' ? [s, s, s] : [s[0], s[1], s[2]];
    if (!this.size.every((v) => Number.isInteger(v) && v > 0)) {
      throw new RangeError(`UpSampling3D: size [${this.size.join(', ')}] must be positive integers`);
    }
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    if (shape.length !== 5) throw new RangeError(`UpSampling3D ${this.name}: input rank ${shape.length}, expected 5 [B, D, H, W, C]`);
    const [b, d, h, w, c] = shape;
    const [sd, sh, sw] = this.size;
    return [b, d == null ? null : d * sd, h == null ? null : h * sh, w == null ? null : w * sw, c];
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return tf.tidy(() => {
      let x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (x.rank !== 5) throw new RangeError(`UpSampling3D ${this.name}: input rank ${x.rank}, expected 5 [B, D, H, W, C]`);
      const shape = [...x.shape];
      for (let axis = 1; axis <= 3; axis++) {
        const s = this.size[axis - 1];
        if (s === 1) continue;
        const outer = shape.slice(0, axis + 1).reduce((a, v) => a * v, 1);
        const inner = shape.slice(axis + 1).reduce((a, v) => a * v, 1);
        const r = tf.reshape(x, [outer, 1, inner]);
        x = tf.concat(Array.from({ length: s }, () => r), 1);
        shape[axis] *= s;
        x = tf.reshape(x, shape);
      }
      return x;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), size: [...this.size] };
  }
}

tf.serialization.registerClass(UpSampling3D);
