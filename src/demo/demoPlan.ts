import path from 'node:path';
import type { TrainingSpec } from '../train/trainingSpec.js';
import type { CohortSizes } from './makeDemoData.js';

/**
 * Size of a demo: `quick` (a smoke run of the whole pipeline, ≤ 3 min), `default` (a single-seed preview from the
 * shipped baseline, ≤ 20 min), `replicated` (the experiment behind the README's table: several seeds, the full
 * validation and test sets), `full` (1 mm, retrains the baseline: days on 2 cores).
 */
export type DemoMode = 'quick' | 'default' | 'replicated' | 'full';

/** How big each part of a demo is, and the rules fixed before any number is seen. */
export interface DemoPlan {
  mode: DemoMode;
  /** 2 → 2 mm grid (AAL; 1 mm for INIA19), 1 → the atlas grid. */
  downsample: 1 | 2;
  /** Anatomy of the subjects (see `makeDemoData`'s `cohort`). */
  cohort: 'warp' | 'varied';
  sizes: CohortSizes;
  /** Fine-tune seeds: every arm runs once per seed (the replicates). */
  seeds: number[];
  /**
   * Every fine-tune: epochs × steps per epoch, batch size, Adam learning rate. Short epochs, so that λ auto's
   * controller (which acts after 5 good epochs in a row, until 70 % of the epochs) changes λ several times. 1e-4, a
   * tenth of the baseline's: Adam's first steps move every weight by about the learning rate whatever its gradient,
   * and at 1e-3 two steps from the baseline cost a control fine-tune a Dice point.
   */
  fineTune: { epochs: number; steps: number; batchSize: number; lr: number };
  /** Fixed-λ arms: λ = multiplier × the reference heuristic of the same seed. */
  lambdaMultipliers: number[];
  /** λ of the two semi-supervised arms, × the heuristic (fixed in advance: the reference's own λ). */
  semiMultiplier: number;
  /** The headline row: the largest multiplier whose validation Dice (training domain) is within this many points of the control's. */
  headlineMaxDiceCostPoints: number;
  /** The baseline when it is trained inside the demo (`--full`, or no shipped baseline fits). */
  baseline: { epochs: number; steps: number; batchSize: number; lr: number };
  /** Filters per ModSegNet level of a baseline trained here (the shipped one records its own). */
  filters: number[];
}

/** Options of {@link demoPlan}. */
export interface DemoPlanOptions {
  /** Seeds of a `replicated` demo (1 … n). @default 3 */
  replicates?: number;
  /** Anatomy of the subjects. @default 'varied' (AAL), 'warp' (INIA19: no cortex labels or MNI ventricles) */
  cohort?: 'warp' | 'varied';
}

const MULTIPLIERS = [0.1, 0.3, 1, 3, 10];
/**
 * The experiment goes further: in the first replicated run (human, session 4) Dice on the training scanner had not
 * fallen at 10 ×, so the knee the sweep is for lay beyond it. The headline rule is unchanged and reads validation only.
 */
const REPLICATED_MULTIPLIERS = [...MULTIPLIERS, 30, 100];

/**
 * The plan of a demo mode. Every mode has every arm; they differ in size. `default` is a preview sized for
 * ≤ 20 minutes on 2 cores (one seed, 2 + 2 validation and 4 + 4 test subjects); `replicated` is the experiment
 * (`replicates` seeds, 4 + 4 validation and 12 + 12 test subjects); `quick` tests the pipeline in ≤ 3 minutes.
 *
 * @throws RangeError for `replicates` outside 2…20.
 */
export function demoPlan(mode: DemoMode, options: DemoPlanOptions = {}): DemoPlan {
  const filters = [16, 32, 64, 128];
  const cohort = options.cohort ?? 'varied';
  const rules = { lambdaMultipliers: [...MULTIPLIERS], semiMultiplier: 1, headlineMaxDiceCostPoints: 0.5, filters, cohort };
  const pools = { 'unseen-train': 8, 'unlabelled-train': 8 };
  switch (mode) {
    case 'quick':
      return {
        mode, downsample: 2, ...rules,
        sizes: { train: 2, val: 1, 'unseen-val': 1, test: 1, 'unseen-test': 1, 'unseen-train': 1, 'unlabelled-train': 1 },
        seeds: [1],
        fineTune: { epochs: 2, steps: 1, batchSize: 2, lr: 1e-4 },
        baseline: { epochs: 2, steps: 3, batchSize: 2, lr: 1e-3 },
      };
    case 'default':
      return {
        mode, downsample: 2, ...rules,
        sizes: { train: 16, val: 2, 'unseen-val': 2, test: 4, 'unseen-test': 4, ...pools },
        seeds: [1],
        fineTune: { epochs: 16, steps: 10, batchSize: 4, lr: 1e-4 },
        baseline: { epochs: 20, steps: 100, batchSize: 4, lr: 1e-3 },
      };
    case 'replicated': {
      const n = options.replicates ?? 3;
      if (!Number.isInteger(n) || n < 2 || n > 20) throw new RangeError(`demoPlan: replicates is ${n}, expected an integer in 2…20`);
      return {
        mode, downsample: 2, ...rules, lambdaMultipliers: [...REPLICATED_MULTIPLIERS],
        sizes: { train: 16, val: 4, 'unseen-val': 4, test: 12, 'unseen-test': 12, ...pools },
        seeds: Array.from({ length: n }, (_, i) => i + 1),
        fineTune: { epochs: 16, steps: 10, batchSize: 4, lr: 1e-4 },
        baseline: { epochs: 20, steps: 100, batchSize: 4, lr: 1e-3 },
      };
    }
    case 'full':
      return {
        mode, downsample: 1, ...rules,
        sizes: { train: 16, val: 2, 'unseen-val': 2, test: 4, 'unseen-test': 4, ...pools },
        seeds: [1],
        fineTune: { epochs: 20, steps: 50, batchSize: 4, lr: 1e-4 },
        baseline: { epochs: 300, steps: 100, batchSize: 4, lr: 1e-3 },
      };
  }
}

/** The kinds of fine-tune. */
export type DemoArmKind = 'control' | 'lambda' | 'auto' | 'semi' | 'semi-control';

/** One way of fine-tuning the baseline. */
export interface DemoArm {
  /** `control`, `lambda-<m>x`, `auto`, `semi`, `semi-control`. */
  name: string;
  kind: DemoArmKind;
  /** λ as a multiple of the reference heuristic (null: control, auto). */
  multiplier: number | null;
  /** Unlabelled images of the semi-supervised arms: the unseen scanner's, or the training scanner's (its control). */
  pool: 'unseen-train' | 'unlabelled-train' | null;
  description: string;
}

/**
 * The arms of a plan, in the order they start: `auto` first (its warm-up epoch gives the heuristic the others need),
 * `control` beside it, then the two semi-supervised arms (4× the images per step: the longest), then the fixed λs.
 */
export function demoArms(plan: DemoPlan): DemoArm[] {
  const semi = plan.semiMultiplier;
  return [
    { name: 'auto', kind: 'auto', multiplier: null, pool: null, description: 'λ auto: the reference controller (warm-up epoch at λ = 0), validated every epoch, reference model selection' },
    { name: 'control', kind: 'control', multiplier: null, pool: null, description: 'control: the same fine-tune at λ = 0' },
    { name: 'semi', kind: 'semi', multiplier: semi, pool: 'unseen-train', description: `semi-supervised, λ = ${semi} × heuristic, + unlabelled images of the unseen scanner` },
    { name: 'semi-control', kind: 'semi-control', multiplier: semi, pool: 'unlabelled-train', description: `semi-supervised control, λ = ${semi} × heuristic, + unlabelled images of the training scanner` },
    ...[...plan.lambdaMultipliers].reverse().map((m): DemoArm => ({
      name: `lambda-${m}x`, kind: 'lambda', multiplier: m, pool: null, description: `λ = ${m} × heuristic`,
    })),
  ];
}

/** The parts of a demo training run that vary between runs. */
export interface DemoRun {
  /** The run's name in the report and progress lines. */
  name: string;
  /** The run folder. */
  out: string;
  /** The demo's data folder (`train/`, `val/`, … inside). */
  dataDir: string;
  prior: string;
  epochs: number;
  steps: number;
  batchSize: number;
  /** Adam learning rate. */
  lr: number;
  lambda: number | 'auto';
  seed: number;
  /** Start from this model (fine-tunes), or build a new ModSegNet (baseline). */
  init?: string;
  filters?: number[];
  padTo?: [number, number];
  /** Unlabelled images for a semi-supervised run. */
  semi?: string;
  /**
   * Validate every epoch on `<dataDir>/val` (λ auto needs it, and the baseline); otherwise none, and the final model
   * is the last epoch's, so that every arm is compared after exactly the same steps.
   */
  validate: boolean;
  /** Worker threads of the run (`nonadj train --workers`): the cores over the runs at once. @default 1 */
  workers?: number;
}

/**
 * The `nonadj train` spec of a demo run: its data sets, and the demo's fixed choices — Adam (the pilot's optimiser;
 * the baseline at 1e-3, fine-tunes at 1e-4) and empty slices sampled at a tenth. The demo runs exactly
 * `nonadj train ${trainingSpecArgs(spec)}` and its report prints that command.
 */
export function demoTrainingSpec(run: DemoRun): TrainingSpec {
  return {
    data: path.join(run.dataDir, 'train'),
    ...(run.validate ? { val: path.join(run.dataDir, 'val') } : { valSplit: 0 }),
    prior: run.prior,
    out: run.out,
    ...(run.init ? { init: run.init } : {}),
    ...(run.filters ? { filters: run.filters } : {}),
    ...(run.padTo ? { padTo: run.padTo } : {}),
    ...(run.semi ? { semi: run.semi } : {}),
    epochs: run.epochs,
    steps: run.steps,
    batchSize: run.batchSize,
    lambda: run.lambda,
    optimizer: 'adam',
    lr: run.lr,
    emptySliceWeight: 0.1,
    seed: run.seed,
    // Always written: the CLI's default (all the cores) would oversubscribe them when runs go in parallel.
    workers: run.workers ?? 1,
  };
}
