/**
 * The demo's report: the types of `report.json`, shared by the code that runs the demo (`runDemo`) and the code that
 * renders it (Markdown, HTML, charts). Its own module, so that renderers depend on the report's shape, not on the
 * code that produces it.
 */
import type { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import type { EpochRecord } from '../train/runFolder.js';
import type { Volume } from '../volume/Volume.js';
import type { DemoMode, DemoPlan } from './demoPlan.js';

/** One run against the matched control fine-tune, on one test domain. */
export interface ControlComparison {
  run: string;
  domain: 'test' | 'unseen-test';
  /** Mean Dice of the run minus the control's, in Dice points (× 100): negative is a cost. */
  diceDeltaPoints: number;
  /** Relative change of the mean forbidden contacts against the control's, in % (−85 = 85 % fewer); null when the control has none. */
  contactsChangePercent: number | null;
  /** Mean forbidden pairs of the run minus the control's. */
  pairsDelta: number;
  /** Mean collapsed structures per subject of the run minus the control's. */
  collapsedDelta: number;
}

/** Scores of one model on one test subject. */
export interface SubjectScores {
  set: 'test' | 'unseen-test';
  id: string;
  meanDice: number | null;
  meanHausdorff95Mm: number | null;
  forbiddenPairs: number;
  forbiddenContacts: number;
  /** Per structure: Dice and volumes (voxels). */
  structures: Array<{ label: number; name: string; dice: number | null; hausdorff95Mm: number | null; predictionVoxels: number; truthVoxels: number }>;
  /** Structures whose predicted volume is below half of the truth's. */
  collapsed: string[];
}

/** One row of the report: a model and its scores. */
export interface DemoRunReport {
  name: string;
  description: string;
  /** The equivalent command line (`nonadj train …`, or `nonadj repair …` for the repaired baseline). */
  command: string;
  lambda: number | 'auto' | null;
  steps: number | null;
  seconds: number | null;
  /** The training log (one record per epoch), empty for the baseline as shipped and for repair. */
  log: EpochRecord[];
  subjects: SubjectScores[];
  /** Means per domain over the subjects. */
  domains: Record<'test' | 'unseen-test', { meanDice: number; meanHausdorff95Mm: number | null; forbiddenPairs: number; forbiddenContacts: number; collapsed: number; perStructureDice: Record<string, number> } | null>;
}

/** `report.json`. */
export interface DemoReport {
  format: 'nonadj-demo-report';
  version: 1;
  mode: DemoMode;
  atlas: 'aal' | 'inia19';
  labels: 'regions' | 'full';
  seed: number;
  grid: { dims: [number, number, number]; spacingMm: [number, number, number] };
  sets: Record<string, string[]>;
  unseenContrast: string;
  prior: { file: string; numLabels: number; names: string[]; forbiddenUnorderedPairs: number; counts: number[][] };
  baseline: { source: 'shipped' | 'trained-here'; dir: string; command: string; note: string; log: EpochRecord[] };
  /** λ heuristic: 0.3 × mean training Dice loss / mean training NonAdjLoss of the warm-up epoch of the `auto` run. */
  heuristicLambda: number;
  plan: DemoPlan;
  runs: DemoRunReport[];
  /** Every run against the control fine-tune, per domain (`compareToControl`: what the renderers print). */
  comparisons: ControlComparison[];
  /** Ground truth's own forbidden contacts on each test subject (a prior from few subjects misses some pairs). */
  truth: Array<{ set: string; id: string; forbiddenPairs: number; forbiddenContacts: number }>;
  /** Seconds of the whole demo (this invocation). */
  seconds: number;
}

/** What the HTML page needs to draw one coronal slice per run. */
export interface SliceInput {
  subject: string;
  image: Volume;
  truth: Volume;
  predictions: Array<{ run: string; volume: Volume }>;
  prior: AdjacencyPrior;
}
