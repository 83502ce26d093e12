import { seededRandom } from '../numeric/seededRandom.js';
import { smoothRandomField } from '../numeric/smoothRandomField.js';

/** Options of {@link elasticDeform2d}. */
export interface ElasticDeform2dOptions {
  /** Rows H and columns W of the sample. */
  height: number;
  width: number;
  /** Largest displacement in pixels: the field is rescaled so that its longest vector has this length. */
  alpha: number;
  /** Smoothness: standard deviation, in pixels, of the Gaussian that smooths the noise. */
  sigma: number;
  /** Seed of the random field (see `seededRandom`). */
  seed: number;
}

/** Result of {@link elasticDeform2d}. */
export interface ElasticDeform2dResult {
  /** `[H, W, C]` channels-last, float32, bilinear resampling. */
  image: Float32Array;
  /** `[H, W]` int32, nearest-neighbour resampling (values ⊆ the input's), or null when no labels were given. */
  label: Int32Array | null;
}

/**
 * Random 2D elastic deformation of a sample and its labels (Simard et al. 2003, as in the reference's
 * augmentation): a displacement field of two channels of N(0, 1) noise, each smoothed by a separable Gaussian of
 * standard deviation `sigma` px (at a step of ⌊σ/2⌋ px, then upsampled: see `displacementField2d`), scaled so its
 * longest vector is `alpha` px. Output pixel (r, c) takes the input
 * at (r + dy, c + dx): bilinear for the image, nearest for the labels (so labels stay integers from the original
 * set), with positions past the border clamped to the edge pixel. `alpha = 0` is the identity.
 *
 * @param image - `[H, W, C]` channels-last float32 (C = `image.length / (H·W)`); not modified.
 * @param label - `[H, W]` int32 labels, or null.
 * @throws RangeError when the sizes disagree, or `alpha`/`sigma` are negative or not finite.
 */
export function elasticDeform2d(
  image: Float32Array,
  label: Int32Array | null,
  options: ElasticDeform2dOptions,
): ElasticDeform2dResult {
  const { height: H, width: W, alpha, sigma } = options;
  const hw = H * W;
  if (!Number.isInteger(H) || !Number.isInteger(W) || hw <= 0 || image.length % hw !== 0 || image.length === 0) {
    throw new RangeError(`elasticDeform2d: image has ${image.length} values, expected [${H}, ${W}, C]`);
  }
  if (label && label.length !== hw) {
    throw new RangeError(`elasticDeform2d: label has ${label.length} values, expected [${H}, ${W}]`);
  }
  if (!(alpha >= 0) || !Number.isFinite(alpha) || !(sigma >= 0) || !Number.isFinite(sigma)) {
    throw new RangeError(`elasticDeform2d: alpha ${alpha} px and sigma ${sigma} px must be finite and ≥ 0`);
  }
  const C = image.length / hw;
  const { dx, dy } = displacementField2d(H, W, alpha, sigma, options.seed);

  const outImage = new Float32Array(image.length);
  const outLabel = label ? new Int32Array(hw) : null;
  for (let r = 0, p = 0; r < H; r++) {
    for (let c = 0; c < W; c++, p++) {
      const y = clamp(r + dy[p], H - 1);
      const x = clamp(c + dx[p], W - 1);
      const y0 = Math.floor(y), x0 = Math.floor(x);
      const y1 = Math.min(y0 + 1, H - 1), x1 = Math.min(x0 + 1, W - 1);
      const fy = y - y0, fx = x - x0;
      const w00 = (1 - fy) * (1 - fx), w01 = (1 - fy) * fx, w10 = fy * (1 - fx), w11 = fy * fx;
      const i00 = (y0 * W + x0) * C, i01 = (y0 * W + x1) * C, i10 = (y1 * W + x0) * C, i11 = (y1 * W + x1) * C;
      const o = p * C;
      for (let ch = 0; ch < C; ch++) {
        outImage[o + ch] = w00 * image[i00 + ch] + w01 * image[i01 + ch] + w10 * image[i10 + ch] + w11 * image[i11 + ch];
      }
      if (outLabel && label) outLabel[p] = label[Math.round(y) * W + Math.round(x)];
    }
  }
  return { image: outImage, label: outLabel };
}

/**
 * The displacement field of {@link elasticDeform2d}: `dx`, `dy` (`[H, W]` float32, pixels), from
 * `smoothRandomField` (N(0, 1) noise drawn on a grid of step ⌊σ/2⌋ px, smoothed there with σ, upsampled
 * bilinearly) with the longest vector rescaled to `alpha`.
 */
export function displacementField2d(
  H: number,
  W: number,
  alpha: number,
  sigma: number,
  seed: number,
): { dx: Float32Array; dy: Float32Array } {
  const [dx, dy] = smoothRandomField(seededRandom(seed), [W, H, 1], { sigma: [sigma, sigma, 0], channels: 2, maxNorm: alpha });
  return { dx, dy };
}

function clamp(v: number, hi: number): number {
  return v < 0 ? 0 : v > hi ? hi : v;
}
