import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { TrainingExam } from '../data/findTrainingExams.js';
import { readVolume, type LoadVolume } from '../data/loadExam.js';
import type { SamplerAugmentation } from '../data/makeSampler.js';
import type { StandardiseOptions } from '../data/standardise.js';
import type { EngineBackend } from '../engine/initEngine.js';
import type { ModelMetadata } from '../model/modelFiles.js';
import type { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import type { LambdaControllerOptions } from './lambdaController.js';
import { resolveOptimizerOptions, type ResolvedOptimizerOptions } from './optimizer.js';
import type { EpochRecord } from './runFolder.js';
import type { ArchitectureOptions, TrainSegmenterOptions, TrainStepInfo } from './trainSegmenterOptions.js';

/**
 * {@link TrainSegmenterOptions} checked and with every default filled in: the one object the training code reads
 * (nothing downstream looks at the raw options again).
 */
export interface ResolvedTrainOptions {
  outDir: string;
  resume: boolean;
  prior: AdjacencyPrior;
  train: readonly TrainingExam[];
  /** Empty without validation exams. */
  validation: readonly TrainingExam[];
  unlabelled: readonly TrainingExam[] | undefined;
  init: string | LayersModel | undefined;
  architecture: ArchitectureOptions;
  epochs: number;
  stepsPerEpoch: number;
  batchSize: number;
  unlabelledPerLabelled: number;
  lambda: number | 'auto';
  lambdaController: Omit<LambdaControllerOptions, 'totalEpochs'>;
  optimizer: ResolvedOptimizerOptions;
  classWeights: 'median-frequency' | 'uniform' | readonly number[];
  diceWeight: number;
  /** undefined: the `init` model's scaling, or `'image'` for a new network (see `resolveIntensity`). */
  intensity: 'image' | 'dataset' | StandardiseOptions | undefined;
  augmentation: SamplerAugmentation | null;
  emptySliceWeight: number;
  seed: number;
  validationSamples: number;
  examsInMemory: number;
  load: LoadVolume;
  backend: EngineBackend | undefined;
  workers: number;
  signal: AbortSignal | undefined;
  onStep: ((info: TrainStepInfo) => void) | undefined;
  onEpoch: ((record: EpochRecord) => void) | undefined;
  onWarning: ((message: string) => void) | undefined;
}

/**
 * Check `options` and fill in the defaults (see {@link TrainSegmenterOptions} for each).
 *
 * @throws RangeError or Error naming `trainSegmenter`, the option and its value: a count that is not a positive
 *   integer, a λ that is neither a finite number ≥ 0 nor 'auto', λ auto without validation exams or with fewer than 2
 *   epochs, no training exam.
 */
export function resolveTrainOptions(options: TrainSegmenterOptions): ResolvedTrainOptions {
  const where = 'trainSegmenter';
  const positiveInt = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${where}: ${name} is ${v}, expected a positive integer`);
  };
  positiveInt('epochs', options.epochs);
  positiveInt('stepsPerEpoch', options.stepsPerEpoch);
  const batchSize = options.batchSize ?? 4;
  positiveInt('batchSize', batchSize);
  const workers = options.workers ?? 1;
  positiveInt('workers', workers);
  const lambda = options.lambda;
  if (lambda !== 'auto' && !(typeof lambda === 'number' && lambda >= 0 && Number.isFinite(lambda))) {
    throw new RangeError(`${where}: lambda is ${String(lambda)}, expected a finite number ≥ 0 or 'auto'`);
  }
  if (lambda === 'auto') {
    if (!options.validation?.length) {
      throw new Error(`${where}: lambda 'auto' needs validation exams (the controller compares validation Dice with the warm-up epoch's)`);
    }
    if (options.epochs < 2) throw new RangeError(`${where}: lambda 'auto' needs at least 2 epochs (one warm-up epoch without NonAdjLoss), got ${options.epochs}`);
  }
  if (options.train.length === 0) throw new RangeError(`${where}: no training exam`);
  return {
    outDir: options.outDir,
    resume: options.resume === true,
    prior: options.prior,
    train: options.train,
    validation: options.validation ?? [],
    unlabelled: options.unlabelled,
    init: options.init,
    architecture: options.architecture ?? {},
    lambdaController: options.lambdaController ?? {},
    classWeights: options.classWeights ?? 'median-frequency',
    intensity: options.intensity,
    load: options.load ?? readVolume,
    backend: options.backend,
    workers,
    signal: options.signal,
    onStep: options.onStep,
    onEpoch: options.onEpoch,
    onWarning: options.onWarning,
    epochs: options.epochs,
    stepsPerEpoch: options.stepsPerEpoch,
    batchSize,
    unlabelledPerLabelled: options.unlabelledPerLabelled ?? 3,
    lambda,
    optimizer: resolveOptimizerOptions(options.optimizer ?? { kind: 'sgd' }),
    diceWeight: options.diceWeight ?? 5,
    augmentation: options.augmentation === undefined ? { probability: 0.6, alpha: 4, sigma: 8 } : options.augmentation,
    emptySliceWeight: options.emptySliceWeight ?? 1,
    seed: options.seed ?? 1,
    validationSamples: options.validationSamples ?? 16,
    examsInMemory: options.examsInMemory ?? 3,
  };
}

/** The options a resumed run must share with the original one. */
export function trainingFingerprint(o: ResolvedTrainOptions, metadata: ModelMetadata): Record<string, unknown> {
  return {
    epochs: o.epochs,
    stepsPerEpoch: o.stepsPerEpoch,
    batchSize: o.batchSize,
    unlabelledPerLabelled: o.unlabelledPerLabelled,
    lambda: o.lambda,
    optimizer: o.optimizer,
    diceWeight: o.diceWeight,
    augmentation: o.augmentation,
    emptySliceWeight: o.emptySliceWeight,
    seed: o.seed,
    kind: metadata.kind,
    inputShape: metadata.inputShape,
    axis: metadata.axis ?? null,
    classes: metadata.classes,
  };
}
