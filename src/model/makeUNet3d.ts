import * as tfl from '@tensorflow/tfjs-layers';
import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs-layers';
import { UpSampling3D } from './UpSampling3D.js';

/** Options of {@link makeUNet3d}. */
export interface MakeUNet3dOptions {
  /** `[D, H, W, 1]` patch size in voxels (D, H, W divisible by 2^(levels−1)) and one input channel. */
  inputShape: [number, number, number, number];
  /** Number of output classes C (background included). */
  numClasses: number;
  /** Filters per level, shallowest first; the last entry is the bottleneck. Default `[8, 16, 32]`. */
  filters?: number[];
  /** 3×3×3 conv + ReLU per level. Default 2. */
  convsPerLevel?: number;
  /** Kernel initialiser of the convolutions; default `'heNormal'`. */
  kernelInitializer?: 'heNormal' | 'heUniform' | 'glorotUniform' | 'glorotNormal';
  /** Seed for the initialiser, for reproducible weights. Default: unseeded. */
  seed?: number;
  /** Model name. Default `'unet3d'`. */
  name?: string;
}

/**
 * A small 3D U-Net, channels-last (`[B, D, H, W, C]`, the only layout tfjs conv3d takes).
 *
 * - Level l < L−1 (L = `filters.length`): `convsPerLevel` × (3×3×3 'same' conv + ReLU) with
 *   `filters[l]` filters, kept as the skip, then a 2×2×2 max-pool. Level L−1 is the bottleneck
 *   (convs, no pool).
 * - Decoder level l (from L−2 down to 0): nearest ×2 upsampling ({@link UpSampling3D}), a 1×1×1
 *   conv + ReLU to `filters[l]`, concatenation with the skip, `convsPerLevel` × (3×3×3 conv + ReLU).
 *   Nearest upsampling + conv replaces the transposed convolution, which is not trainable in tfjs
 *   (Conv3DBackpropInputV2 has no gradient in tfjs-core); the 1×1×1 conv keeps it cheap, the 3³
 *   convs after it do the spatial mixing.
 * - A 1×1×1 conv to `numClasses` giving the logits of the classes (no softmax: the loss takes
 *   logits, and inference applies `tf.softmax` where it needs probabilities). No batch-norm.
 * - The skip concatenation is done on `[B, D·H·W, C]` views (standard Reshape layers around the
 *   Concatenate): its gradient splits the channels again, and tfjs-backend-wasm 4.22 slices rank-5
 *   tensors element by element in JavaScript (rank ≤ 4 has a fast path). Measured on a 48³ patch with
 *   8 + 8 channels: 1.4 s for the rank-5 concatenation forward + backward, 0.06 s on the rank-3 views.
 *
 * Uses `tf.layers.conv3d`: on wasm, {@link initEngine}'s kernels already compute Conv3D and its
 * gradients as XNNPACK conv2d per depth tap (the "conv3d as conv2d" speed-up), so no custom
 * convolution layer is needed and the saved model uses only standard layers plus UpSampling3D.
 *
 * @returns a model mapping `[B, D, H, W, 1]` float32 to `[B, D, H, W, C]` probabilities.
 * @throws RangeError if D, H or W is not divisible by 2^(L−1), or a size or count is not a positive integer.
 */
export function makeUNet3d(options: MakeUNet3dOptions): LayersModel {
  const { inputShape, numClasses } = options;
  const filters = options.filters ?? [8, 16, 32];
  const convs = options.convsPerLevel ?? 2;
  const levels = filters.length;
  const positive = (v: number): boolean => Number.isInteger(v) && v > 0;
  if (inputShape.length !== 4 || !inputShape.every(positive)) {
    throw new RangeError(`makeUNet3d: inputShape [${inputShape.join(', ')}] must be four positive integers [D, H, W, channels]`);
  }
  if (!positive(numClasses)) throw new RangeError(`makeUNet3d: numClasses ${numClasses} must be a positive integer`);
  if (levels < 1 || !filters.every(positive)) {
    throw new RangeError(`makeUNet3d: filters [${filters.join(', ')}] must be a non-empty list of positive integers`);
  }
  if (!positive(convs)) throw new RangeError(`makeUNet3d: convsPerLevel ${convs} must be a positive integer`);
  const factor = 2 ** (levels - 1);
  if (inputShape.slice(0, 3).some((v) => v % factor !== 0)) {
    throw new RangeError(
      `makeUNet3d: patch ${inputShape.slice(0, 3).join('×')} must be divisible by 2^${levels - 1} = ${factor} (${levels - 1} pooling levels)`,
    );
  }
  const init = options.kernelInitializer ?? 'heNormal';
  let seed = options.seed;
  const conv = (x: SymbolicTensor, n: number, name: string, size = 3, activation: 'relu' | 'linear' = 'relu'): SymbolicTensor =>
    tfl.layers
      .conv3d({
        filters: n,
        kernelSize: size,
        padding: 'same',
        activation,
        kernelInitializer: seed === undefined ? init : tfl.initializers[init]({ seed: seed++ }),
        name,
      })
      .apply(x) as SymbolicTensor;

  const input = tfl.input({ shape: inputShape, name: 'patch' });
  const skips: SymbolicTensor[] = [];
  let x = input;
  for (let l = 0; l < levels; l++) {
    for (let i = 0; i < convs; i++) x = conv(x, filters[l], `enc${l}_conv${i}`);
    if (l === levels - 1) break;
    skips.push(x);
    x = tfl.layers.maxPooling3d({ poolSize: 2, strides: 2, name: `enc${l}_pool` }).apply(x) as SymbolicTensor;
  }
  for (let l = levels - 2; l >= 0; l--) {
    x = new UpSampling3D({ size: 2, name: `dec${l}_up` }).apply(x) as SymbolicTensor;
    x = conv(x, filters[l], `dec${l}_upconv`, 1);
    x = concatChannels(x, skips[l], filters[l], inputShape.slice(0, 3).map((v) => v / 2 ** l), `dec${l}`);
    for (let i = 0; i < convs; i++) x = conv(x, filters[l], `dec${l}_conv${i}`);
  }
  const logits = conv(x, numClasses, 'classifier', 1, 'linear');
  return tfl.model({ inputs: input, outputs: logits, name: options.name ?? 'unet3d' });
}

/** `[B, D, H, W, c]` ‖ `[B, D, H, W, c]` → `[B, D, H, W, 2c]`, concatenated as rank-3 views (see {@link makeUNet3d}). */
function concatChannels(a: SymbolicTensor, b: SymbolicTensor, channels: number, spatial: number[], name: string): SymbolicTensor {
  const flat = (t: SymbolicTensor, suffix: string): SymbolicTensor =>
    tfl.layers.reshape({ targetShape: [-1, channels], name: `${name}_${suffix}` }).apply(t) as SymbolicTensor;
  const joined = tfl.layers.concatenate({ axis: -1, name: `${name}_concat` }).apply([flat(a, 'flat_up'), flat(b, 'flat_skip')]) as SymbolicTensor;
  return tfl.layers.reshape({ targetShape: [...spatial, 2 * channels], name: `${name}_unflat` }).apply(joined) as SymbolicTensor;
}
