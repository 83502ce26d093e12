import { availableParallelism } from 'node:os';
import { DEFAULT_IMAGE_NAME, DEFAULT_LABEL_NAME } from '../data/findTrainingExams.js';

/**
 * A training run as `nonadj train` takes it: the typed form of its command line, shared by the CLI (which parses its
 * flags into one) and the demo (which builds them and runs `nonadj train` with {@link trainingSpecArgs}). A spec is
 * plain data (JSON-safe), so it is also what a run folder's `command.json` stores for `--resume`.
 *
 * Fields left out take the values of {@link TRAINING_SPEC_DEFAULTS}; fields with no default there (`lr`,
 * `weightDecay`, `schedule`, `filters`, `padTo`, `patch`, `intensity`) are chosen by the training code from the others.
 */
export interface TrainingSpec {
  /** Labelled dataset folder: one sub-folder per exam (image + label map). */
  data: string;
  /** Adjacency prior: `graph.json` or `graph.png.csv` (from `nonadj extract`). */
  prior: string;
  /** Run folder (created; must not hold a run unless resumed). */
  out: string;
  /** Labelled validation dataset; without it, `valSplit` exams of `data` are held out. */
  val?: string;
  /** Validation exams taken from `data` when there is no `val`: a count, or a fraction in (0, 1); 0 = none. */
  valSplit?: number;
  /** Unlabelled images (exam folders or `.nii.gz` files) for semi-supervised batches (METHOD.md §5). */
  semi?: string;
  /** Start from this tfjs layers model (logits or softmax over the prior's classes). */
  init?: string;
  /** Network for a new model: the reference 2.5D ModSegNet, or a 3D U-Net on patches. */
  model?: '2.5d' | '3d';
  /** 2.5D: stacked slices (odd). */
  k?: number;
  /** 2.5D slicing axis: 0 sagittal, 1 coronal, 2 axial. */
  axis?: 0 | 1 | 2;
  /** Filters per level of a new network. */
  filters?: number[];
  /** 2.5D input `[H, W]` in voxels. */
  padTo?: [number, number];
  /** 3D patch `[D, H, W]` in voxels. */
  patch?: [number, number, number];
  /**
   * 3D: the array axes fed to the network's `(D, H, W)` (`InputOrder`), recorded in the model's metadata. Left out:
   * an `init` model's own (`resolveInputOrder`: its metadata's, else brainchop's `'xyz'` for a model without nonadj
   * metadata), else `'zyx'`.
   */
  inputOrder?: 'zyx' | 'xyz';
  epochs?: number;
  /** Optimisation steps per epoch. */
  steps?: number;
  /** Labelled samples per step, b. */
  batchSize?: number;
  /** NonAdjLoss weight ≥ 0, or `'auto'` for the reference controller (METHOD.md §4). */
  lambda?: number | 'auto';
  optimizer?: 'sgd' | 'adam';
  /** Learning rate (default 1e-2 for SGD, 1e-3 for Adam). */
  lr?: number;
  momentum?: number;
  weightDecay?: number;
  schedule?: 'poly' | 'constant';
  polyPower?: number;
  classWeights?: 'median-frequency' | 'uniform';
  /**
   * Intensity scaling as `--intensity` takes it (`parseIntensity`): `image`/`zscore`, `dataset`, `minmax`,
   * `quantile[:l,u]`, `none`. Left out: an `init` model's own (its metadata's, else brainchop's `quantile`), else `image`.
   */
  intensity?: string;
  /** 2.5D: probability of a 2D elastic deformation per sample; 0 = none. */
  augment?: number;
  /** Sampling weight of slices without foreground, in [0, 1]. */
  emptySliceWeight?: number;
  seed?: number;
  imageName?: string;
  labelName?: string;
  /**
   * Worker threads of data-parallel training (`TrainSegmenterOptions.workers`): 1 trains on one thread; the default is
   * the number of cores. A run may be resumed with another count.
   */
  workers?: number;
}

/** The defaults of {@link TrainingSpec} (also the CLI's). */
export const TRAINING_SPEC_DEFAULTS = {
  valSplit: 0.2,
  model: '2.5d',
  k: 7,
  axis: 1,
  epochs: 50,
  steps: 100,
  batchSize: 4,
  lambda: 0,
  optimizer: 'sgd',
  momentum: 0.9,
  polyPower: 0.9,
  classWeights: 'median-frequency',
  augment: 0.6,
  emptySliceWeight: 1,
  seed: 1,
  imageName: DEFAULT_IMAGE_NAME,
  labelName: DEFAULT_LABEL_NAME,
  workers: availableParallelism(),
} as const satisfies Partial<TrainingSpec>;

/** A spec with every default filled in. */
export type ResolvedTrainingSpec = TrainingSpec & { -readonly [K in keyof typeof TRAINING_SPEC_DEFAULTS]-?: NonNullable<TrainingSpec[K]> };

/** `spec` with the defaults of the fields it leaves out, and no `undefined` values. */
export function withTrainingDefaults(spec: TrainingSpec): ResolvedTrainingSpec {
  const given = Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined));
  return { ...TRAINING_SPEC_DEFAULTS, ...given } as ResolvedTrainingSpec;
}

/** Flag of each field, in the order the command line lists them. `data` is the positional argument. */
const FLAGS: ReadonlyArray<[Exclude<keyof TrainingSpec, 'data'>, string]> = [
  ['val', '--val'],
  ['valSplit', '--val-split'],
  ['prior', '--prior'],
  ['out', '--out'],
  ['init', '--init'],
  ['semi', '--semi'],
  ['model', '--model'],
  ['k', '--k'],
  ['axis', '--axis'],
  ['filters', '--filters'],
  ['padTo', '--pad-to'],
  ['patch', '--patch'],
  ['inputOrder', '--input-order'],
  ['epochs', '--epochs'],
  ['steps', '--steps'],
  ['batchSize', '--batch-size'],
  ['lambda', '--lambda'],
  ['optimizer', '--optimizer'],
  ['lr', '--lr'],
  ['momentum', '--momentum'],
  ['weightDecay', '--weight-decay'],
  ['schedule', '--schedule'],
  ['polyPower', '--poly-power'],
  ['classWeights', '--class-weights'],
  ['intensity', '--intensity'],
  ['augment', '--augment'],
  ['emptySliceWeight', '--empty-slice-weight'],
  ['seed', '--seed'],
  ['imageName', '--image-name'],
  ['labelName', '--label-name'],
  ['workers', '--workers'],
];

/**
 * The `nonadj train` arguments (without the leading `train`) that run `spec`: the data folder, then one flag per
 * field the spec gives (a default given explicitly is written too, so a reader sees it). Lists are written as the
 * CLI takes them: filters `16,32`, sizes `96x96`. Parsing these arguments with the CLI gives `spec` back, with the
 * defaults filled in (tested against the real program in `src/cli/train.test.ts`).
 */
export function trainingSpecArgs(spec: TrainingSpec): string[] {
  const args = [spec.data];
  for (const [field, flag] of FLAGS) {
    const value = spec[field];
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(field === 'filters' ? ',' : 'x') : String(value);
    args.push(flag, text);
  }
  return args;
}

/** A command line for display: `nonadj train …`, each argument quoted for a POSIX shell when it needs it. */
export function trainingCommandLine(args: readonly string[]): string {
  return ['nonadj', 'train', ...args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`))].join(' ');
}
