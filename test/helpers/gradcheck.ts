import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';

/** Options of {@link gradCheck}. */
export interface GradCheckOptions {
  /** Central-difference step, in the units of `x`. @default 1e-2 */
  eps?: number;
  /** Allowed relative error (see {@link gradCheck}). @default 1e-2 */
  rtol?: number;
  /** How many coordinates of `x` to check (spread evenly); all when `x` is smaller. @default 40 */
  samples?: number;
}

/** Result of {@link gradCheck}. */
export interface GradCheckResult {
  /** Coordinates checked. */
  checked: number;
  /** Largest `|numeric − analytic| / (|analytic| + 0.1·‖analytic‖∞)` over them. */
  maxRelError: number;
}

/**
 * Finite-difference check of the gradient of a scalar function: compares `tf.grad(f)(x)` with central
 * differences `(f(x + eps·e_i) − f(x − eps·e_i)) / (2·eps)` on `samples` coordinates, and fails (assert) when
 * `|numeric − analytic| > rtol · (|analytic| + 0.1·‖analytic‖∞)` anywhere: relative per coordinate, with a floor at
 * a tenth of the largest component so that float32 noise on near-zero components does not fail the check.
 *
 * `f` is evaluated in float32 by tfjs, so pick `eps` large enough that rounding noise (~1e-7·|f|/eps) stays well
 * under the tolerance; the truncation error is O(eps²).
 */
export function gradCheck(f: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor, options: GradCheckOptions = {}): GradCheckResult {
  const eps = options.eps ?? 1e-2;
  const rtol = options.rtol ?? 1e-2;
  const samples = Math.min(options.samples ?? 40, x.size);
  const analytic = tf.tidy(() => tf.grad(f)(x)).dataSync() as Float32Array;
  const base = x.dataSync() as Float32Array;
  let scale = 0;
  for (const g of analytic) scale = Math.max(scale, Math.abs(g));
  assert.ok(scale > 0, 'gradCheck: the analytic gradient is identically zero, nothing to check');
  const evalAt = (values: Float32Array): number => tf.tidy(() => f(tf.tensor(values, x.shape, 'float32')).dataSync()[0]);
  let maxRelError = 0;
  const step = x.size / samples;
  for (let s = 0; s < samples; s++) {
    const i = Math.floor(s * step);
    const plus = Float32Array.from(base);
    const minus = Float32Array.from(base);
    plus[i] += eps;
    minus[i] -= eps;
    // Use the step actually representable in float32.
    const numeric = (evalAt(plus) - evalAt(minus)) / (plus[i] - minus[i]);
    const err = Math.abs(numeric - analytic[i]) / (Math.abs(analytic[i]) + 0.1 * scale);
    maxRelError = Math.max(maxRelError, err);
    assert.ok(
      err <= rtol,
      `gradCheck: coordinate ${i}: numeric ${numeric.toExponential(4)} vs analytic ${analytic[i].toExponential(4)} (relative error ${err.toExponential(2)} > ${rtol})`,
    );
  }
  return { checked: samples, maxRelError };
}
