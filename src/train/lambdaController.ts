/**
 * The reference's λ controller for NonAdjLoss (METHOD.md §4), as a pure state machine: the training loop reports
 * each epoch's numbers and gets back the λ for the next epoch and whether to reload a checkpoint. No tensors,
 * no I/O: the state is plain JSON, so a checkpoint stores it and `--resume` continues exactly.
 */

/** What the training loop measured in one epoch. */
export interface EpochReport {
  /**
   * Mean training Dice *coefficient* of the epoch: the 0…1 Dice of the arg-max prediction on the training batches
   * (the reference's `eval_metrics`, METHOD.md §4), not the soft Dice loss.
   */
  trainDiceCoefficient: number;
  /** Mean training NonAdjLoss of the epoch, unweighted (λ = 1). */
  trainNonAdj: number;
  /** Mean validation Dice score (0..1, higher is better). */
  valDice: number;
  /** Validation NonAdjLoss, unweighted (used to pick the final model). */
  valNonAdj: number;
  /** True when the epoch's training loss was NaN. */
  nanLoss?: boolean;
}

/** The controller's constants; the defaults are the reference's. */
export interface LambdaControllerOptions {
  /** Total number of epochs planned (the 70 % boundary is computed from it). */
  totalEpochs: number;
  /** λ after the warm-up epoch = initialRatio × training Dice coefficient / training NonAdjLoss. @default 0.3 */
  initialRatio?: number;
  /** An epoch is "good" when valDice ≥ D₀ − goodMargin. @default 0.01 */
  goodMargin?: number;
  /** Final-model eligibility: valDice ≥ D₀ − selectMargin. @default 0.005 */
  selectMargin?: number;
  /** Good epochs in a row that grow λ. @default 5 */
  patience?: number;
  /** λ growth factor at the start. @default 1.3 */
  growth?: number;
  /** The growth factor is multiplied by this at each setback (bad epoch). @default 0.98 */
  growthDecay?: number;
  /** Fraction of the epochs after which λ may only shrink. @default 0.7 */
  growUntil?: number;
}

/** Serialisable controller state. */
export interface LambdaControllerState {
  epoch: number;
  lambda: number;
  /** D₀: the validation Dice of the warm-up epoch (null before it). */
  d0: number | null;
  growth: number;
  goodStreak: number;
  badStreak: number;
  belowD0: number;
  nanCount: number;
  /** Last epoch whose checkpoint counts as good (null until there is one). */
  lastGoodEpoch: number | null;
  history: Array<EpochReport & { epoch: number; lambda: number }>;
}

/**
 * The reference heuristic (METHOD.md §4): λ = ratio × the warm-up epoch's mean training Dice coefficient (0…1, arg-max
 * prediction) / its mean unweighted training NonAdjLoss. The controller's first λ, and what the demo multiplies.
 */
export function warmUpLambda(trainDiceCoefficient: number, trainNonAdj: number, initialRatio = 0.3): number {
  return (initialRatio * trainDiceCoefficient) / trainNonAdj;
}

/** The controller's answer after an epoch. */
export interface LambdaDecision {
  /** λ for the next epoch. */
  lambda: number;
  /** `reload`: restore the checkpoint of `reloadEpoch` before going on. */
  action: 'continue' | 'reload';
  reloadEpoch?: number;
  /** Whether the epoch just reported was good (its checkpoint may be reloaded later). */
  good: boolean;
  /** Readable notes for the log ("λ × 1.3 after 5 good epochs"). */
  events: string[];
}

/**
 * Make the reference's λ controller (Ganaye et al., MedIA 2019; METHOD.md §4):
 * - epoch 0 trains without NonAdjLoss (λ = 0); then λ = 0.3 × trainDiceCoefficient / trainNonAdj and D₀ = that epoch's valDice;
 * - until 70 % of the epochs: every 5 good epochs in a row (valDice ≥ D₀ − 0.01) multiply λ by the growth factor
 *   (1.3, itself × 0.98 at each bad epoch); 5 bad epochs in a row multiply λ by 0.95; 10 multiply it by 0.9 and
 *   reload the last good checkpoint;
 * - after 70 %: every 5 epochs below D₀ (counted since the last shrink, not necessarily in a row) multiply λ by 0.9;
 * - a NaN epoch multiplies λ by 0.9; the third NaN epoch since the last reload reloads the last good checkpoint.
 *
 * Interpretation choices where METHOD.md is terse are stated above; `selectFinalEpoch` picks the final model.
 */
export function makeLambdaController(options: LambdaControllerOptions, state?: LambdaControllerState) {
  const o = {
    initialRatio: 0.3,
    goodMargin: 0.01,
    selectMargin: 0.005,
    patience: 5,
    growth: 1.3,
    growthDecay: 0.98,
    growUntil: 0.7,
    ...options,
  };
  if (!Number.isInteger(o.totalEpochs) || o.totalEpochs < 2) {
    throw new RangeError(`lambda controller: totalEpochs is ${o.totalEpochs}, expected an integer ≥ 2 (one warm-up epoch + training)`);
  }
  const s: LambdaControllerState = state
    ? structuredClone(state)
    : { epoch: 0, lambda: 0, d0: null, growth: o.growth, goodStreak: 0, badStreak: 0, belowD0: 0, nanCount: 0, lastGoodEpoch: null, history: [] };

  function report(r: EpochReport): LambdaDecision {
    const epoch = s.epoch;
    s.history.push({ ...r, epoch, lambda: s.lambda });
    s.epoch++;
    const events: string[] = [];
    const shrink = (factor: number, why: string) => {
      s.lambda *= factor;
      events.push(`λ × ${factor} (${why})`);
    };

    if (s.d0 === null) {
      // Warm-up epoch: no NonAdjLoss yet, so its numbers set the scale.
      if (!(r.trainNonAdj > 0) || !Number.isFinite(r.trainDiceCoefficient) || r.nanLoss) {
        throw new RangeError(
          `lambda controller: warm-up epoch gave Dice coefficient ${r.trainDiceCoefficient} and NonAdjLoss ${r.trainNonAdj}; λ = 0.3 × Dice/NonAdj needs a finite Dice coefficient and a positive NonAdjLoss`,
        );
      }
      s.d0 = r.valDice;
      s.lambda = warmUpLambda(r.trainDiceCoefficient, r.trainNonAdj, o.initialRatio);
      s.lastGoodEpoch = epoch;
      events.push(`warm-up done: D₀ = ${r.valDice.toFixed(4)}, λ = ${o.initialRatio} × ${r.trainDiceCoefficient.toPrecision(4)} / ${r.trainNonAdj.toPrecision(4)} = ${s.lambda.toPrecision(4)}`);
      return { lambda: s.lambda, action: 'continue', good: true, events };
    }

    if (r.nanLoss || !Number.isFinite(r.valDice)) {
      s.nanCount++;
      shrink(0.9, 'NaN loss');
      if (s.nanCount >= 3 && s.lastGoodEpoch !== null) {
        s.nanCount = 0;
        events.push(`third NaN epoch: reload epoch ${s.lastGoodEpoch}`);
        return { lambda: s.lambda, action: 'reload', reloadEpoch: s.lastGoodEpoch, good: false, events };
      }
      return { lambda: s.lambda, action: 'continue', good: false, events };
    }

    const good = r.valDice >= s.d0 - o.goodMargin;
    if (good) s.lastGoodEpoch = epoch;
    const growing = epoch < o.growUntil * o.totalEpochs;
    if (growing) {
      if (good) {
        s.badStreak = 0;
        s.goodStreak++;
        if (s.goodStreak === o.patience) {
          s.lambda *= s.growth;
          events.push(`λ × ${s.growth.toFixed(4)} (${o.patience} good epochs)`);
          s.goodStreak = 0;
        }
      } else {
        s.goodStreak = 0;
        s.badStreak++;
        s.growth *= o.growthDecay;
        if (s.badStreak === o.patience) shrink(0.95, `${o.patience} epochs without a good one`);
        if (s.badStreak === 2 * o.patience) {
          shrink(0.9, `${2 * o.patience} epochs without a good one`);
          s.badStreak = 0;
          if (s.lastGoodEpoch !== null) {
            events.push(`reload epoch ${s.lastGoodEpoch}`);
            return { lambda: s.lambda, action: 'reload', reloadEpoch: s.lastGoodEpoch, good, events };
          }
        }
      }
    } else if (r.valDice < s.d0) {
      s.belowD0++;
      if (s.belowD0 === o.patience) {
        shrink(0.9, `${o.patience} epochs below D₀ after ${Math.round(o.growUntil * 100)} %`);
        s.belowD0 = 0;
      }
    }
    return { lambda: s.lambda, action: 'continue', good, events };
  }

  return {
    /** λ to train the current epoch with (0 during the warm-up epoch). */
    get lambda(): number {
      return s.lambda;
    },
    /** D₀, once the warm-up epoch is done. */
    get d0(): number | null {
      return s.d0;
    },
    report,
    /** A copy of the state, for checkpoints. */
    state(): LambdaControllerState {
      return structuredClone(s);
    },
    /** The epoch to keep as the final model (see {@link selectFinalEpoch}). */
    selectFinal(): number | null {
      return selectFinalEpoch(s.history, s.d0, o.selectMargin);
    },
  };
}

/**
 * The reference's model selection: among epochs after the warm-up whose validation Dice is ≥ D₀ − margin, the one
 * with the smallest validation NonAdjLoss (ties: the later epoch). Null when none qualifies (then keep the warm-up
 * epoch's model, which is the baseline fine-tuned once).
 */
export function selectFinalEpoch(history: ReadonlyArray<EpochReport & { epoch: number }>, d0: number | null, margin = 0.005): number | null {
  if (d0 === null) return null;
  let best: { epoch: number; valNonAdj: number } | null = null;
  for (const h of history.slice(1)) {
    if (h.nanLoss || !(h.valDice >= d0 - margin)) continue;
    if (best === null || h.valNonAdj <= best.valNonAdj) best = { epoch: h.epoch, valNonAdj: h.valNonAdj };
  }
  return best?.epoch ?? null;
}
