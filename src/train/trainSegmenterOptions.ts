import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { TrainingExam } from '../data/findTrainingExams.js';
import type { LoadVolume } from '../data/loadExam.js';
import type { SamplerAugmentation } from '../data/makeSampler.js';
import type { SliceAxisIndex } from '../volume/sliceAxis.js';
import type { StandardiseOptions } from '../data/standardise.js';
import type { EngineBackend } from '../engine/initEngine.js';
import type { EngineChoice, InferenceEngine } from '../infer/makeInferenceEngine.js';
import type { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import type { LambdaControllerOptions } from './lambdaController.js';
import type { OptimizerOptions } from './optimizer.js';
import type { EpochRecord } from './runFolder.js';

/** The network to build when training starts from scratch. */
export interface ArchitectureOptions {
  /** `'2.5d'`: ModSegNet on k stacked slices (the reference); `'3d'`: a 3D U-Net on patches. @default '2.5d' */
  kind?: '2.5d' | '3d';
  /** Filters per level. @default [32, 64, 128, 256] (2.5D, the reference), [8, 16, 32] (3D) */
  filters?: number[];
  /** 2.5D: stacked slices, odd. @default 7 (the reference) */
  k?: number;
  /** 2.5D: slicing axis, 0 sagittal, 1 coronal (the reference), 2 axial. @default 1 */
  axis?: SliceAxisIndex;
  /**
   * 2.5D: model input `[H, W]`; slices are centred and padded (or cropped) to it. Default: the first training exam's
   * slice size rounded up to a multiple of 2^levels.
   */
  padTo?: readonly [number, number];
  /** 3D: patch size `[D, H, W]` (z, y, x), each a multiple of 2^(levels−1). @default [32, 32, 32] */
  patch?: readonly [number, number, number];
  /**
   * 3D: the array axes fed to the network's `(D, H, W)` in training and validation, recorded in the saved metadata
   * (`ModelMetadata.inputOrder`). @default for an `init` model, `resolveInputOrder` (its metadata's order, else
   * brainchop's `'xyz'` for a model without nonadj metadata); `'zyx'` for a new network
   */
  inputOrder?: 'zyx' | 'xyz';
}

/** What one training step did (for progress bars). */
export interface TrainStepInfo {
  /** Epoch (0-based) and step within it (1-based: the steps done so far in this epoch). */
  epoch: number;
  step: number;
  stepsPerEpoch: number;
  epochs: number;
  /** Steps done in the whole run, and planned. */
  globalStep: number;
  totalSteps: number;
  /** λ and learning rate of this step. */
  lambda: number;
  learningRate: number;
  /** Loss terms of the step (NonAdjLoss unweighted); NaN when the step was skipped for a non-finite loss. */
  total: number;
  crossEntropy: number;
  dice: number;
  nonAdjacency: number;
  /** Labelled and unlabelled samples in the step's batch. */
  labelled: number;
  unlabelled: number;
  /** Wall time of the step (sampling + forward + backward + update), ms. */
  ms: number;
}

/** Options of {@link trainSegmenter}. */
export interface TrainSegmenterOptions {
  /** Run directory (see the module comment); created if missing. */
  outDir: string;
  /**
   * Continue the run saved in `outDir/checkpoint`, exactly where it stopped. The other options must be the ones
   * of the original run (checked through a fingerprint). Without it, a folder that already holds a checkpoint is
   * an error (nothing is overwritten).
   */
  resume?: boolean;
  /** The adjacency prior; its label count is the model's number of classes, its codes the labels' codes. */
  prior: AdjacencyPrior;
  /** Labelled training exams (image + label map in the prior's label codes). */
  train: readonly TrainingExam[];
  /** Labelled validation exams, evaluated on whole volumes after each epoch. Needed by `lambda: 'auto'`. */
  validation?: readonly TrainingExam[];
  /** Unlabelled exams for semi-supervised batches (METHOD.md §5: b labelled + 3b unlabelled per step). */
  unlabelled?: readonly TrainingExam[];
  /** Unlabelled samples per labelled one. @default 3 */
  unlabelledPerLabelled?: number;
  /**
   * Start from a pre-trained tfjs layers model (a `model.json` path or a model): its output must be the logits of the
   * prior's classes, or their softmax, which is removed (checked). Its metadata (axis, k, intensity) is used when present;
   * a model given as an object has none.
   */
  init?: string | LayersModel;
  /** The network to build when there is no `init`. */
  architecture?: ArchitectureOptions;
  /** Epochs (≥ 2 with λ auto: one warm-up epoch plus training). */
  epochs: number;
  /** Optimisation steps per epoch. */
  stepsPerEpoch: number;
  /** Labelled samples per step, b. @default 4 (the reference fine-tunes with 2) */
  batchSize?: number;
  /** A fixed λ ≥ 0, or `'auto'` for the reference's controller and its model selection (METHOD.md §4). */
  lambda: number | 'auto';
  /** Constants of the λ controller (defaults: the reference's). */
  lambdaController?: Omit<LambdaControllerOptions, 'totalEpochs'>;
  /** @default { kind: 'sgd' } (momentum 0.9, weight decay 1e-4, lr 1e-2, poly decay 0.9; the reference) */
  optimizer?: OptimizerOptions;
  /**
   * Cross-entropy class weights: `'median-frequency'` (the reference; counted over the training label maps),
   * `'uniform'`, or one weight per class. @default 'median-frequency'
   */
  classWeights?: 'median-frequency' | 'uniform' | readonly number[];
  /** Weight of the soft Dice term. @default 5 */
  diceWeight?: number;
  /**
   * Intensity standardisation: `'image'` (each image z-scored over its nonzero voxels), `'dataset'` (the training
   * set's mean and std over nonzero voxels, computed once), or explicit options. Stored in the model's metadata.
   * @default `'image'` for a new network; for an `init` model the scaling it was trained with: its nonadj metadata's,
   * else brainchop's quantile scaling (`modelIntensity`, as `segment` does), reported through `onWarning`
   */
  intensity?: 'image' | 'dataset' | StandardiseOptions;
  /** 2D elastic augmentation (2.5D only). @default { probability: 0.6, alpha: 4, sigma: 8 } (probability: the reference) */
  augmentation?: SamplerAugmentation | null;
  /** Weight of slices without foreground in the sampling (see `makeSampler`). @default 1 */
  emptySliceWeight?: number;
  /** Seed of model initialisation and sampling. @default 1 */
  seed?: number;
  /** Validation slices (patches) per exam for the validation NonAdjLoss (see `validateModel`). @default 16 */
  validationSamples?: number;
  /** Exams held decoded at once per pool. @default 3 */
  examsInMemory?: number;
  /** How volumes are read (tests pass in-memory loaders). @default readNiftiFile, 3D */
  load?: LoadVolume;
  /** Backend to initialise; default: the active one if `initEngine` ran, else wasm (see `initEngine`). */
  backend?: EngineBackend;
  /**
   * Worker threads for data-parallel steps (`startParallelStep`): each holds a replica of the model on its own
   * backend (one wasm instance uses one core) and computes the gradient of its share of each batch; the update is
   * the 1-worker update up to float summation order. At most `batchSize` are used (each share needs a labelled
   * item). 1 runs the step on this thread, as before. Not part of a run's fingerprint: a run may be resumed with
   * another count. @default 1 (the CLI's default is the number of cores)
   */
  workers?: number;
  /**
   * Engine of the training step's forward and backward passes (`makeGradientEngine`: onnxruntime-node running the
   * network's training graphs, one thread per worker) and of the per-epoch validation's predictions
   * (`makeInferenceEngine`, with `workers` intra-op threads, the cores this run may use). `'auto'` takes
   * onnxruntime-node for each when the package loads and the model is covered, and tfjs otherwise (the callbacks below
   * say which and why); the loss, its gradient with respect to the logits and the optimiser always run on tfjs.
   * @default 'tfjs' (the CLI's default is auto)
   */
  engine?: EngineChoice;
  /** Called once with the training step's engine (`makeGradientEngine`'s description) and the worker count. */
  onTrainingEngine?: (engine: { description: string; workers: number }) => void;
  /** Called with the engine of each validation (its description, and the seconds its export and session took). */
  onInferenceEngine?: (engine: Pick<InferenceEngine, 'kind' | 'description' | 'setupSeconds'>) => void;
  /** Stops the run after the current step; a checkpoint is written first and the result says `'interrupted'`. */
  signal?: AbortSignal;
  /** Called after every step. */
  onStep?: (info: TrainStepInfo) => void;
  /** Called after every epoch with its log record. */
  onEpoch?: (record: EpochRecord) => void;
  /** Warnings (prior with empty rows, `--init` model whose output activation cannot be read…). */
  onWarning?: (message: string) => void;
}
