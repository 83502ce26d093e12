import path from 'node:path';
import type { TrainingSpec } from '../train/trainingSpec.js';
import type { DemoSetSizes } from './makeDemoData.js';

/** Size of a demo: `quick` (a smoke run, ≤ 3 min), `default` (from the shipped baseline, ≤ 20 min), `full` (1 mm, retrains the baseline). */
export type DemoMode = 'quick' | 'default' | 'full';

/** The names of the demo's fine-tunes, in the order they run (`auto` first: it gives the λ heuristic). */
export type FineTuneName = 'auto' | 'control' | 'lambda-0.3h' | 'lambda-1h' | 'lambda-3h' | 'semi';

/** How big each part of a demo is. */
export interface DemoPlan {
  mode: DemoMode;
  /** 2 → 2 mm grid (AAL; 1 mm for INIA19), 1 → the atlas grid. */
  downsample: 1 | 2;
  sizes: DemoSetSizes;
  /**
   * Every fine-tune: epochs × steps per epoch, batch size (λ auto needs ≥ 2 epochs: one warm-up), Adam learning
   * rate. 1e-4, a tenth of the baseline's: Adam's first steps move every weight by about the learning rate
   * whatever its gradient, and at 1e-3 two steps from the baseline cost a control fine-tune a Dice point.
   */
  fineTune: { epochs: number; steps: number; batchSize: number; lr: number };
  /** The baseline when it is trained inside the demo (`--full`, or no shipped baseline fits). */
  baseline: { epochs: number; steps: number; batchSize: number; lr: number };
  /** Filters per ModSegNet level of a baseline trained here (the shipped one records its own). */
  filters: number[];
}

/**
 * The plan of a demo mode. `default` is sized for ≤ 20 minutes on a 2-core machine: measured 11 min with two
 * trainings at once (a fine-tune of 160 steps ≈ 150 s with its validations, the semi-supervised one ≈ 430 s: 4× the
 * images per step); `quick` for a test of the whole pipeline in ≤ 3 minutes (measured 2 min).
 */
export function demoPlan(mode: DemoMode): DemoPlan {
  const filters = [16, 32, 64, 128];
  switch (mode) {
    case 'quick':
      return {
        mode,
        downsample: 2,
        sizes: { train: 2, val: 1, test: 1, 'unseen-train': 1, 'unseen-test': 1 },
        fineTune: { epochs: 2, steps: 1, batchSize: 2, lr: 1e-4 },
        baseline: { epochs: 2, steps: 3, batchSize: 2, lr: 1e-3 },
        filters,
      };
    case 'default':
      return {
        mode,
        downsample: 2,
        sizes: { train: 16, val: 2, test: 4, 'unseen-train': 8, 'unseen-test': 3 },
        fineTune: { epochs: 4, steps: 40, batchSize: 4, lr: 1e-4 },
        baseline: { epochs: 20, steps: 100, batchSize: 4, lr: 1e-3 },
        filters,
      };
    case 'full':
      return {
        mode,
        downsample: 1,
        sizes: { train: 16, val: 2, test: 4, 'unseen-train': 8, 'unseen-test': 3 },
        fineTune: { epochs: 10, steps: 100, batchSize: 4, lr: 1e-4 },
        baseline: { epochs: 300, steps: 100, batchSize: 4, lr: 1e-3 },
        filters,
      };
  }
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
}

/**
 * The `nonadj train` spec of a demo run: its data sets, and the demo's fixed choices — Adam (the pilot's optimiser;
 * the baseline at 1e-3, fine-tunes at 1e-4) and empty slices sampled at a tenth. The demo runs exactly
 * `nonadj train ${trainingSpecArgs(spec)}` and its report prints that command.
 */
export function demoTrainingSpec(run: DemoRun): TrainingSpec {
  return {
    data: path.join(run.dataDir, 'train'),
    val: path.join(run.dataDir, 'val'),
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
  };
}
