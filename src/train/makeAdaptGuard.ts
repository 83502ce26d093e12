import * as tf from '@tensorflow/tfjs-core';
import type { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import type { Volume } from '../volume/Volume.js';
import { checkAgainstOriginal } from './checkAgainstOriginal.js';

/** One check of the adaptation guard (`checkAgainstOriginal` on the whole scans). */
export interface AdaptCheck {
  /** Steps done when checked (0: the original weights, the reference). */
  step: number;
  /** Forbidden contacts and pairs against the prior, summed over the scans. */
  forbiddenContacts: number;
  forbiddenPairs: number;
  /** The label least in agreement with the original's segmentation (Dice), and the scan (index) where; null at step 0. */
  worst: { label: number; dice: number; scan: number } | null;
  /** Every label the original segments keeps Dice ≥ the tolerance. */
  passed: boolean;
  /** Seconds the check took (the segmentations and the scores). */
  seconds: number;
}

/** Options of {@link makeAdaptGuard}. */
export interface MakeAdaptGuardOptions {
  prior: AdjacencyPrior;
  /** Tolerance: the lowest Dice to the original's segmentation any label it segments may keep. */
  minDice: number;
  /** Number of scans `segment` must return label maps for. */
  scans: number;
  /** Segments every scan with the weights of the moment (label codes of the prior, one map per scan, in order). */
  segment: () => Promise<Volume[]>;
  /** Copies of the weights of the moment (the guard keeps the best; it disposes them). */
  snapshot: () => tf.Tensor[];
  /** Called after every check with its segmentations (`AdaptGuardOptions.onCheck`); awaited. */
  onCheck?: (check: AdaptCheck, segmentations: readonly Volume[]) => void | Promise<void>;
  /** The caller's name, for errors. */
  op: string;
}

/** The guard's state: every check so far, and the best weights checked. */
export interface AdaptGuard {
  /** Checks the weights after `step` steps (step 0 first: its segmentations become the reference); false when they fail the tolerance. */
  check(step: number): Promise<boolean>;
  readonly checks: readonly AdaptCheck[];
  /** The passing check with the fewest forbidden contacts (the earliest on a tie) and its weights, or null before any check passed. */
  readonly best: { step: number; contacts: number; weights: tf.Tensor[] } | null;
  /** Frees the kept weights (`best` keeps its step and count, with no weights). */
  dispose(): void;
}

/**
 * The bookkeeping of the test-time adaptation guard (`adaptModel`'s and `adaptLastLayer`'s `guard`): segment the
 * scans with the weights reached, score them against the original weights' segmentations (`checkAgainstOriginal`:
 * per-label Dice, forbidden contacts; the first check, at step 0, is that reference), and keep a copy of the weights
 * of the passing check with the fewest forbidden contacts. Memory: the original's label maps (one int32 per voxel
 * per scan) and one copy of the weights.
 *
 * @throws Error when `segment` returns a label map count other than `scans`.
 */
export function makeAdaptGuard(options: MakeAdaptGuardOptions): AdaptGuard {
  const { prior, minDice, op } = options;
  let originals: Volume[] = [];
  const checks: AdaptCheck[] = [];
  let best: AdaptGuard['best'] = null;
  return {
    checks,
    get best() {
      return best;
    },
    async check(step) {
      const t0 = performance.now();
      const segmentations = await options.segment();
      if (segmentations.length !== options.scans) {
        throw new Error(`${op}: guard.segment returned ${segmentations.length} label maps for ${options.scans} scans, expected one per scan`);
      }
      if (step === 0) originals = segmentations;
      const r = checkAgainstOriginal(segmentations, originals, prior, minDice);
      const check: AdaptCheck = {
        step, forbiddenContacts: r.forbiddenContacts, forbiddenPairs: r.forbiddenPairs, worst: step === 0 ? null : r.worst, passed: r.passed,
        seconds: (performance.now() - t0) / 1000,
      };
      checks.push(check);
      await options.onCheck?.(check, segmentations);
      // Strictly fewer: on a tie the earlier weights, the closer to the original, are kept.
      if (check.passed && (best === null || check.forbiddenContacts < best.contacts)) {
        if (best !== null) tf.dispose(best.weights);
        best = { step, contacts: check.forbiddenContacts, weights: options.snapshot() };
      }
      return check.passed;
    },
    dispose() {
      // The step and count stay readable (the caller reports them); only the tensors go.
      if (best !== null) best = { ...best, weights: (tf.dispose(best.weights), []) };
    },
  };
}
