import * as tfl from '@tensorflow/tfjs-layers';
import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs-layers';
import { MaxUnpooling2D } from './MaxUnpooling2D.js';

/** Options of {@link makeModSegNet}. */
export interface MakeModSegNetOptions {
  /** `[H, W, k]`: slice height and width in voxels (each divisible by 2^levels), k stacked slices as channels. */
  inputShape: [number, number, number];
  /** Number of output classes C (background included). */
  numClasses: number;
  /** Filters per encoder level, shallowest first; the length is the number of levels. Default `[32, 64, 128, 256]`. */
  filters?: number[];
  /** 3×3 conv + ReLU per encoder level (and per decoder level but the shallowest, which has one). Default 2. */
  convsPerLevel?: number;
  /** Kernel initialiser of the convolutions; default `'heNormal'` (ReLU nets, as PyTorch's Kaiming). */
  kernelInitializer?: 'heNormal' | 'heUniform' | 'glorotUniform' | 'glorotNormal';
  /** Seed for the initialiser, for reproducible weights. Default: unseeded. */
  seed?: number;
  /** Model name. Default `'modsegnet'`. */
  name?: string;
}

/**
 * The reference's 2D segmentation network "ModSegNet" (Ganaye et al. 2018; METHOD.md §6), channels-last.
 *
 * - Encoder level l (l = 0…L−1, L = `filters.length`): `convsPerLevel` × (3×3 'same' conv with
 *   `filters[l]` filters + ReLU), then a 2×2 stride-2 max-pool.
 * - Decoder level l (from the deepest, l = L−1…0): max-unpool of the incoming map with the
 *   argmax positions of encoder l's pool ({@link MaxUnpooling2D}), concatenation with encoder l's
 *   pre-pool features (skip, 2·filters[l] channels), then 3×3 conv + ReLU: `convsPerLevel` convs,
 *   the first to `filters[l]`, the last to `filters[l−1]` (decoder 0 has one conv, to `filters[0]`,
 *   as in the reference's `decoder_n_layers = (2, 2, 2, 1)`).
 * - There is no bottleneck block: the deepest pooled map goes straight to decoder L−1.
 * - A 1×1 conv to `numClasses` giving the logits of the classes (no softmax: the loss takes
 *   logits, and inference applies `tf.softmax` where it needs probabilities). No batch-norm, no dropout.
 *
 * Max-pooling with indices and unpooling, which tfjs-layers lacks, are reproduced exactly by
 * {@link MaxUnpooling2D} (it recomputes the argmax from the pre-pool map; ties go to the first
 * maximum, as in PyTorch). The layer is registered for serialisation, so `model.json` loads with
 * `tf.loadLayersModel` once this package's models module is imported.
 *
 * @returns a model mapping `[B, H, W, k]` float32 (standardised intensities) to `[B, H, W, C]`
 *   logits (softmax over C gives the class probabilities).
 * @throws RangeError if H or W is not divisible by 2^L, a size or count is not a positive integer,
 *   or `convsPerLevel` < 1.
 */
export function makeModSegNet(options: MakeModSegNetOptions): LayersModel {
  const { inputShape, numClasses } = options;
  const filters = options.filters ?? [32, 64, 128, 256];
  const convs = options.convsPerLevel ?? 2;
  const levels = filters.length;
  const positive = (v: number): boolean => Number.isInteger(v) && v > 0;
  if (inputShape.length !== 3 || !inputShape.every(positive)) {
    throw new RangeError(`makeModSegNet: inputShape [${inputShape.join(', ')}] must be three positive integers [H, W, k]`);
  }
  if (!positive(numClasses)) throw new RangeError(`makeModSegNet: numClasses ${numClasses} must be a positive integer`);
  if (levels < 1 || !filters.every(positive)) {
    throw new RangeError(`makeModSegNet: filters [${filters.join(', ')}] must be a non-empty list of positive integers`);
  }
  if (!positive(convs)) throw new RangeError(`makeModSegNet: convsPerLevel ${convs} must be a positive integer`);
  const [h, w] = inputShape;
  const factor = 2 ** levels;
  if (h % factor !== 0 || w % factor !== 0) {
    throw new RangeError(
      `makeModSegNet: input ${h}×${w} must be divisible by 2^${levels} = ${factor} (${levels} pooling levels); pad the slices`,
    );
  }
  const init = options.kernelInitializer ?? 'heNormal';
  let seed = options.seed;
  const conv = (x: SymbolicTensor, n: number, name: string, size = 3, activation: 'relu' | 'linear' = 'relu'): SymbolicTensor =>
    tfl.layers
      .conv2d({
        filters: n,
        kernelSize: size,
        padding: 'same',
        activation,
        kernelInitializer: seed === undefined ? init : tfl.initializers[init]({ seed: seed++ }),
        name,
      })
      .apply(x) as SymbolicTensor;

  const input = tfl.input({ shape: inputShape, name: 'slices' });
  const skips: SymbolicTensor[] = [];
  let x = input;
  for (let l = 0; l < levels; l++) {
    for (let i = 0; i < convs; i++) x = conv(x, filters[l], `enc${l}_conv${i}`);
    skips.push(x);
    x = tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `enc${l}_pool` }).apply(x) as SymbolicTensor;
  }
  for (let l = levels - 1; l >= 0; l--) {
    x = new MaxUnpooling2D({ name: `dec${l}_unpool` }).apply([skips[l], x]) as SymbolicTensor;
    x = tfl.layers.concatenate({ axis: -1, name: `dec${l}_concat` }).apply([x, skips[l]]) as SymbolicTensor;
    const n = l === 0 ? 1 : convs;
    const out = filters[Math.max(l - 1, 0)];
    for (let i = 0; i < n; i++) x = conv(x, i === n - 1 ? out : filters[l], `dec${l}_conv${i}`);
  }
  const logits = conv(x, numClasses, 'classifier', 1, 'linear');
  return tfl.model({ inputs: input, outputs: logits, name: options.name ?? 'modsegnet' });
}
