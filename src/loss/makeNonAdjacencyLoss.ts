import * as tf from '@tensorflow/tfjs-core';
import { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import { assertProbs } from './assertProbs.js';
import { softAdjacency } from './softAdjacency.js';
import { runSparseNonAdjacency } from './runSparseNonAdjacency.js';
import { sparseCsr } from './sparseNonAdjacencyKernel.js';
import { makeTensorInPlace, viewTensorData } from '../engine/tensorMemory.js';
import { resolveNonAdjacencyImplementation } from './resolveNonAdjacencyImplementation.js';

/** Options of {@link makeNonAdjacencyLoss}. */
export interface NonAdjacencyLossOptions {
  /** Weight λ of the loss. @default 1 */
  lambda?: number;
  /**
   * `'sparse'`: loss and gradient in TypeScript over the allowed pairs only, O(nnz(G)·pixels), with a hand-written
   * gradient; it reads the probabilities back to the CPU. `'dense'`: `Σ F⊙softAdjacency(P)` in tf ops with
   * ordinary autodiff, O(C²·pixels). `'auto'` (default): sparse on the `'wasm'`, `'cpu'` and `'tensorflow'`
   * backends, dense elsewhere (GPU backends, where reading back would stall the pipeline). Decided at each call
   * ({@link resolveNonAdjacencyImplementation}).
   */
  implementation?: 'auto' | 'sparse' | 'dense';
  /**
   * What the returned function takes. The loss value is the same function of the probabilities either way.
   * - `'softmax'` (default): probabilities whose class vector sums to one at each pixel (a softmax output). The part
   *   of the gradient that comes from `ΣA` is the same for every class at a pixel, so it vanishes through the
   *   softmax; the sparse path drops it, which avoids a cancellation between two ≈1 terms. The gradient w.r.t. the
   *   probabilities is then **not** the true one (it differs by a per-pixel constant); the gradient w.r.t. the
   *   softmax logits is.
   * - `'any'`: probabilities with the exact gradient w.r.t. them.
   * - `'logits'`: the logits z, `P = softmax(z)` over the last axis being taken inside. The sparse path then returns
   *   the gradient w.r.t. the logits straight from its kernel, with no softmax backward pass: the fastest way to
   *   train (see bench/loss.bench.ts). Same value and gradient as `loss(tf.softmax(z))` with `'softmax'`.
   */
  inputs?: 'softmax' | 'any' | 'logits';
  /**
   * `'throw'` (default): a NaN or ±∞ in the probabilities throws instead of returning a NaN loss. Checked on the
   * loss value (any NaN in P reaches it, since NaN·0 is NaN), which reads one number back: on a GPU backend that
   * is a sync per call. With `inputs: 'logits'`, a NaN or +∞ logit makes its pixel's softmax NaN and throws the
   * same way; a −∞ logit is a valid logit (probability 0) unless the whole pixel is −∞. `'off'`: no check.
   */
  nanCheck?: 'throw' | 'off';
  /**
   * Receives warnings about the prior, once, when the loss is made: a prior that forbids nothing (the loss is then
   * always 0), labels that never occur (rows of zeros, which inflate nForbidden). Library code never prints.
   */
  onWarning?: (message: string) => void;
}

/** tfjs types a custom-gradient function's parameters as `Tensor | GradSaveFunc`; ours are positional. */
type CustomGrad = Parameters<typeof tf.customGrad<tf.Scalar>>[0];

/**
 * A NonAdjLoss bound to its prior: takes probabilities, or logits with `inputs: 'logits'`. With logits, `softmax` may
 * be `tf.softmax(input)` if the caller has it already: the sparse path reads it instead of recomputing it (its
 * gradient w.r.t. `input` is in closed form, so the same); the dense path, which differentiates through its softmax,
 * ignores it. It stays the caller's to dispose.
 */
export type NonAdjacencyLoss = (input: tf.Tensor, softmax?: tf.Tensor) => tf.Scalar;

/**
 * Make the NonAdjLoss of Ganaye et al. (MICCAI 2018; Medical Image Analysis 58, 2019), METHOD.md §3:
 *
 * `loss = λ · Σ_ij F_ij · A_ij / nForbidden`, with `F = 1 − (G > 0)` the forbidden pairs of the prior, `A` the
 * {@link softAdjacency} of the probabilities, and `nForbidden` the number of forbidden ordered pairs.
 *
 * The sparse path uses `Σ F⊙A = ΣA − Σ G⊙A` (G = allowed pairs), where `ΣA` needs only per-pixel class sums, so the
 * loss costs O(nnz(G)·pixels); both sums are accumulated per pixel and over pixels in float64. Its gradient
 * (derivation; `Q` = box mean of P, `N` pixels, the box is symmetric and zero padded, so its adjoint is itself):
 *
 *   `∂A_ij/∂P_k(y) = (1/N) [δ_ik Q_j(y) + δ_jk Q_i(y)]`
 *   `∂(Σ W⊙A)/∂P_k(y) = (1/N) [(W Q(y))_k + (Wᵀ Q(y))_k]`; with W = F symmetric (the prior is symmetric):
 *   `∂loss/∂P_k(y) = (2λ / (nForbidden·N)) · (Σ_j Q_j(y) − (G Q(y))_k)`.
 *
 * From logits (`inputs: 'logits'`, P = softmax(z)), write g = ∂loss/∂P, s = 2λ/(nForbidden·N), R = G·Q. The softmax
 * Jacobian `∂P_i/∂z_k = P_i (δ_ik − P_k)` gives `∂loss/∂z_k = P_k (g_k − Σ_i P_i g_i)`. A part of g that is the same
 * constant c for every class adds `P_k (c − c Σ_i P_i) = 0` (Σ_i P_i = 1), so the `s Σ_j Q_j` term drops exactly and
 * `∂loss/∂z_k = −s · P_k · (R_k − Σ_i P_i R_i)`. The kernel has `R` and P at each pixel, so it writes this directly
 * and the softmax's backward pass is never run. (With float32 P, Σ_i P_i = 1 ± ~1e-7, so dropping the constant
 * moves the result by that much relative to `s Σ_j Q_j`, i.e. float32 rounding.)
 *
 * Both paths agree to float32 precision (tested), in 2D (`[B, H, W, C]`, 3×3 window) and 3D (`[B, D, H, W, C]`,
 * 3×3×3 window), channels-last; the reference is channels-first.
 *
 * @param prior - the adjacency prior, or its `L × L` count matrix (must be symmetric; `L` = number of classes).
 * @returns `(input) => loss`: `input` float32 `[B, H, W, C]` or `[B, D, H, W, C]`, `C = L`, probabilities or (with
 *   `inputs: 'logits'`) logits; the loss is a scalar (units: λ × mean forbidden contact probability per forbidden
 *   ordered pair). A prior that forbids nothing gives 0.
 * @throws RangeError (from the returned function) when the rank is not 4 or 5, the channel count differs from the
 *   prior's, or (with `nanCheck: 'throw'`) the input holds NaN/±∞ (logits: NaN/+∞, see `nanCheck`); (from the
 *   factory) for a bad λ, `inputs` or prior.
 * @example
 * const loss = makeNonAdjacencyLoss(prior, { lambda: 0.5, inputs: 'logits' });
 * const grads = tf.grad(loss)(logits);
 * // the same as, but faster than:
 * const onProbs = makeNonAdjacencyLoss(prior, { lambda: 0.5 });
 * const grads2 = tf.grad((z) => onProbs(tf.softmax(z)))(logits);
 */
export function makeNonAdjacencyLoss(
  prior: AdjacencyPrior | ReadonlyArray<ArrayLike<number>>,
  options: NonAdjacencyLossOptions = {},
): NonAdjacencyLoss {
  const op = 'makeNonAdjacencyLoss';
  const p = prior instanceof AdjacencyPrior ? prior : AdjacencyPrior.fromCounts(prior, {}, op);
  const lambda = options.lambda ?? 1;
  if (!Number.isFinite(lambda) || lambda < 0) throw new RangeError(`${op}: lambda is ${lambda}, expected a finite number ≥ 0`);
  const implementation = options.implementation ?? 'auto';
  if (!['auto', 'sparse', 'dense'].includes(implementation)) {
    throw new RangeError(`${op}: implementation is "${implementation}", expected "auto", "sparse" or "dense"`);
  }
  const inputs = options.inputs ?? 'softmax';
  if (!['softmax', 'any', 'logits'].includes(inputs)) throw new RangeError(`${op}: inputs is "${inputs}", expected "softmax", "any" or "logits"`);
  const nanCheck = options.nanCheck ?? 'throw';

  const C = p.numLabels;
  const nForbidden = p.forbiddenOrderedPairs;
  const forbidden = Float32Array.from(p.forbiddenMask());
  const allowed = p.allowedCsr();
  const { rowPtr, colOffsets } = sparseCsr(allowed.rowPtr, allowed.cols);
  const empty = p.emptyRows();
  if (nForbidden === 0) {
    options.onWarning?.(`${op}: the prior forbids no pair of its ${C} labels, so the NonAdjLoss is always 0`);
  } else if (empty.length > 0) {
    options.onWarning?.(
      `${op}: ${empty.length} of ${C} labels never occur in the prior (rows ${empty.slice(0, 10).join(', ')}${empty.length > 10 ? ', …' : ''}); ` +
        `all their pairs are forbidden, which inflates nForbidden (relabel the prior to contiguous codes)`,
    );
  }

  const zeroLoss = tf.customGrad(((x: tf.Tensor) => ({ value: tf.scalar(0), gradFunc: () => [tf.zerosLike(x)] })) as CustomGrad);

  const dense = (probs: tf.Tensor): tf.Scalar =>
    tf.tidy(() => tf.mul(tf.sum(tf.mul(softAdjacency(probs), tf.tensor2d(forbidden, [C, C]))), lambda / nForbidden));

  const fromLogits = inputs === 'logits';
  /** The caller's softmax of the logits being passed to `sparse` (set only for the duration of that call). */
  let givenSoftmax: tf.Tensor | null = null;
  /**
   * The sparse loss as a custom gradient over `x` (probabilities, or logits when `fromLogits`): the kernel reads
   * the probabilities in place and writes the gradient w.r.t. `x` into a new tensor in the same pass.
   */
  const sparse = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
    const pixels = x.size / C;
    const s = x.shape;
    const dims = (x.rank === 4 ? [s[0], 1, s[1], s[2], s[3]] : s) as [number, number, number, number, number];
    const run = (probs: Float32Array, grad: Float32Array | null): number =>
      runSparseNonAdjacency(probs, grad, {
        dims,
        depthWindow: x.rank === 5 ? 3 : 1,
        rowPtr,
        colOffsets,
        gradScale: (2 * lambda) / (nForbidden * pixels),
        gradient: fromLogits ? 'logits' : inputs === 'softmax' ? 'softmax' : 'exact',
      });
    // The backend's softmax (stable: it subtracts each pixel's maximum) is vectorised on wasm. Computing it in the
    // kernel instead would save one write and read of P, but an exp per value in JS costs ~10× the wasm softmax
    // (measured: ~250 ms against ~25 ms for 8×128²×135).
    const given = givenSoftmax;
    const probs = fromLogits ? (given ?? tf.softmax(x)) : x;
    let value = NaN;
    try {
      // Build the gradient only when a tape is recording (tf.grad, optimizer.minimize …), in the same pass.
      if (tf.engine().state.gradientDepth > 0) {
        const grad = makeTensorInPlace(x.shape, [probs], (out, [p]) => {
          value = run(p, out);
        });
        save([grad]);
      } else {
        value = run(viewTensorData(probs), null);
      }
    } finally {
      if (probs !== x && probs !== given) probs.dispose();
    }
    return {
      value: tf.scalar((lambda * value) / (nForbidden * pixels)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.mul(saved[0], dy)],
    };
  }) as CustomGrad);
  const what = fromLogits ? 'logits' : 'probabilities';

  return (input: tf.Tensor, softmax?: tf.Tensor): tf.Scalar => {
    assertProbs(input, op, what);
    if (softmax !== undefined && (softmax.dtype !== 'float32' || softmax.shape.length !== input.shape.length || softmax.shape.some((d, i) => d !== input.shape[i]))) {
      throw new RangeError(`${op}: softmax is ${softmax.dtype} [${softmax.shape.join(', ')}], expected float32 of the ${what}' shape [${input.shape.join(', ')}]`);
    }
    const channels = input.shape[input.rank - 1];
    if (channels !== C) {
      throw new RangeError(`${op}: ${what} have ${channels} channels (shape [${input.shape.join(', ')}]), but the prior has ${C} labels`);
    }
    if (nForbidden === 0) return zeroLoss(input) as tf.Scalar;
    const useSparse = resolveNonAdjacencyImplementation(implementation) === 'sparse';
    let loss: tf.Scalar;
    if (useSparse) {
      givenSoftmax = fromLogits && softmax !== undefined ? softmax : null;
      try {
        loss = sparse(input) as tf.Scalar;
      } finally {
        givenSoftmax = null;
      }
    } else {
      // The dense path differentiates through its own softmax: a given one (outside the graph) is not used.
      loss = fromLogits ? tf.tidy(() => dense(tf.softmax(input))) : dense(input);
    }
    if (nanCheck === 'throw' && !Number.isFinite(loss.dataSync()[0])) {
      loss.dispose();
      throw new RangeError(
        `${op}: the loss is ${useSparse ? 'not finite' : 'NaN'} because the ${what} (shape [${input.shape.join(', ')}]) contain NaN or ${fromLogits ? '+Infinity' : '±Infinity'}`,
      );
    }
    return loss;
  };
}
