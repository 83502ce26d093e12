/**
 * The demo's report: the types of `report.json`, shared by the code that runs the demo (`runDemo`), the analysis
 * (`analyseDemo`) and the renderers (Markdown, HTML, charts). Its own module, so that renderers depend on the
 * report's shape, not on the code that produces it.
 *
 * Vocabulary. A **domain** is a set of held-out labelled subjects: `val` / `unseen-val` (validation: every choice is
 * made on them) and `test` / `unseen-test` (reported). An **arm** is one way of fine-tuning the baseline (control
 * λ = 0, λ = m × the reference heuristic, λ auto, semi-supervised and its control); every arm runs once per **seed**
 * (the replicates), all from the same baseline with the same steps; for a given seed every arm draws the same labelled
 * batches. A **row** of the report is the baseline, an arm, or one of them followed by a post-processing step
 * (`+lcc`: largest connected component per label; `+repair`: `nonadj repair` against the prior).
 */
import type { BootstrapInterval } from '../stats/bootstrapPairedDifference.js';
import type { EpochRecord } from '../train/runFolder.js';
import type { Volume } from '../volume/Volume.js';
import type { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import type { DemoMode, DemoPlan } from './demoPlan.js';

/** Held-out labelled subject sets. */
export type DemoDomain = 'val' | 'unseen-val' | 'test' | 'unseen-test';

/** The test domains, in the order tables show them. */
export const TEST_DOMAINS = ['test', 'unseen-test'] as const satisfies readonly DemoDomain[];

/** The validation domains. */
export const VALIDATION_DOMAINS = ['val', 'unseen-val'] as const satisfies readonly DemoDomain[];

/** Scores of one model (one seed of a row) on one subject. */
export interface SubjectScores {
  set: DemoDomain;
  id: string;
  /** Fine-tune seed of the model; null for the baseline (the same model for every seed). */
  seed: number | null;
  /** Mean Dice over structures (`diceScore`'s convention), 0…1. */
  meanDice: number | null;
  /** Mean over structures of the 95th-percentile and of the maximum (HD100) symmetric surface distance, mm. */
  meanHausdorff95Mm: number | null;
  meanHausdorffMaxMm: number | null;
  /** Mean over structures of (connected components in the prediction − 1). */
  extraComponents: number;
  forbiddenPairs: number;
  forbiddenContacts: number;
  /** Per structure: Dice and volumes (voxels). */
  structures: Array<{ label: number; name: string; dice: number | null; predictionVoxels: number; truthVoxels: number }>;
  /** Structures whose predicted volume is below half of the truth's. */
  collapsed: string[];
}

/** Means of one row on one domain, over seeds × subjects, and the spread of the per-seed means. */
export interface DomainSummary {
  subjects: number;
  seeds: number;
  meanDice: number;
  /** Standard deviation over seeds of the per-seed mean (0 with one seed; null for the baseline). */
  sdDiceOverSeeds: number | null;
  meanHausdorff95Mm: number | null;
  meanHausdorffMaxMm: number | null;
  extraComponents: number;
  forbiddenPairs: number;
  forbiddenContacts: number;
  sdContactsOverSeeds: number | null;
  collapsed: number;
  perStructureDice: Record<string, number>;
}

/** One training run of an arm (one seed). */
export interface DemoArmRun {
  seed: number;
  /** λ of the run: a number, or 'auto'. */
  lambda: number | 'auto';
  /** The `nonadj train` command that ran it. */
  command: string;
  steps: number;
  seconds: number;
  log: EpochRecord[];
}

/** One row of the report. */
export interface DemoRunReport {
  /** `baseline`, an arm's name (`control`, `lambda-1x`, `auto`, `semi`, …), or either with `+lcc` / `+repair`. */
  name: string;
  description: string;
  kind: 'baseline' | 'control' | 'lambda' | 'auto' | 'semi' | 'semi-control';
  /** λ as a multiple of the reference heuristic (fixed-λ and semi-supervised arms), else null. */
  multiplier: number | null;
  /** The post-processing applied to the predictions of `base`, or null. */
  postprocess: 'lcc' | 'repair' | null;
  /** The row whose predictions were post-processed (its own name when `postprocess` is null). */
  base: string;
  /** The training runs, one per seed (empty for the baseline and post-processed rows). */
  runs: DemoArmRun[];
  /** Scores per (seed, subject) on every domain. */
  subjects: SubjectScores[];
  domains: Record<DemoDomain, DomainSummary | null>;
}

/** The metrics compared with the control. */
export type ComparedMetric = 'dice' | 'forbiddenContacts' | 'forbiddenPairs' | 'hausdorffMaxMm' | 'extraComponents';

/** One row against the control (same seed, same subject), on one domain and metric. */
export interface ArmComparison {
  run: string;
  domain: DemoDomain;
  metric: ComparedMetric;
  /** Cells: seeds × subjects. */
  seeds: number;
  subjects: number;
  /** Mean of row − control (Dice in points × 100; contacts, pairs, mm, components as they are), with its 95 % CI. */
  meanDifference: BootstrapInterval;
  /** Relative change of the mean, (row − control) / control, with its CI (contacts and pairs only). */
  relativeChange: BootstrapInterval | null;
  /** Median over subjects of the per-subject relative change, with its CI (contacts and pairs only). */
  medianRelativeChange: BootstrapInterval | null;
  /** Per seed: the row's and the control's means, and their difference. */
  perSeed: Array<{ seed: number; meanRow: number; meanControl: number; meanDifference: number }>;
}

/** The choice of the headline λ, made on validation subjects before any test number exists. */
export interface HeadlineDecision {
  rule: string;
  /** Per λ multiplier: validation Dice cost against the control (points, training domain) and the contacts change. */
  candidates: Array<{ multiplier: number; run: string; diceDeltaPoints: number; contactsChangePercent: number | null; eligible: boolean }>;
  /** The chosen row (null when no multiplier is eligible). */
  chosen: string | null;
}

/** What the λ controller of the auto arm did, per seed. */
export interface AutoLambdaSummary {
  seed: number;
  /** λ of each epoch. */
  lambdas: number[];
  grew: number;
  shrank: number;
  reloads: number;
}

/** A test subject's own anatomy against the training prior: the floor no segmentation can go below. */
export interface TruthFloor {
  set: DemoDomain;
  id: string;
  /** The ground truth's forbidden pairs and contacts (`checkSegmentation` of the label map against the prior). */
  forbiddenPairs: number;
  forbiddenContacts: number;
  /** Region pairs the subject has that the prior lacks, and pairs the prior allows that it lacks (`compareToPrior`). */
  extraPairs: number;
  missingPairs: number;
  /** The extra pairs by name, `A–B (contacts)`. */
  extra: string[];
}

/** `report.json`. */
export interface DemoReport {
  format: 'nonadj-demo-report';
  version: 2;
  mode: DemoMode;
  atlas: 'aal' | 'inia19';
  labels: 'regions' | 'full';
  /** Anatomy of the subjects: smooth warps of the atlas, or varied per subject (ventricles, volumes, cortex). */
  cohort: 'warp' | 'varied';
  /** Seed of the data sets. */
  dataSeed: number;
  /** Fine-tune seeds (replicates). */
  seeds: number[];
  grid: { dims: [number, number, number]; spacingMm: [number, number, number] };
  sets: Record<string, string[]>;
  unseenContrast: string;
  prior: { file: string; numLabels: number; names: string[]; forbiddenUnorderedPairs: number; counts: number[][] };
  baseline: { source: 'shipped' | 'trained-here'; dir: string; command: string; note: string; log: EpochRecord[] };
  /**
   * The reference λ heuristic per seed: 0.3 × mean training Dice coefficient / mean training NonAdjLoss of the warm-up
   * epoch (the auto run's epoch 0, trained at λ = 0; METHOD.md §4). Fixed-λ arms of a seed use multiples of it.
   */
  heuristic: Array<{ seed: number; lambda: number; diceCoefficient: number; nonAdjacency: number }>;
  plan: DemoPlan;
  runs: DemoRunReport[];
  decision: HeadlineDecision;
  /** Every row but the control against the control, per domain and metric. */
  comparisons: ArmComparison[];
  autoLambda: AutoLambdaSummary[];
  /** The test and validation subjects' own forbidden contacts against the prior. */
  truth: TruthFloor[];
  /** Seconds of the whole demo (this invocation). */
  seconds: number;
  /** Where the numbers come from: tool version, Node, machine. */
  provenance: { version: string; node: string; cpus: string; cores: number };
}

/** What the HTML report draws of one subject: its image, truth and each row's prediction. */
export interface SliceInput {
  subject: string;
  image: Volume;
  truth: Volume;
  predictions: Array<{ run: string; volume: Volume }>;
  /** Rows whose prediction could not be shown (their model is not on this machine). */
  missing?: string[];
  prior: AdjacencyPrior;
}
