/**
 * The training loop: a segmentation network trained with the reference loss (class-weighted cross-entropy
 * + 5 × soft Dice + λ · NonAdjLoss, METHOD.md §3), with a fixed λ or the reference's λ controller (§4),
 * optionally semi-supervised (§5), resumable exactly.
 *
 * Run directory (`outDir`):
 *
 * ```
 * outDir/
 *   checkpoint/     model.json + weights.bin (the model now), optimizer.bin (optimiser slots),
 *                   state.json (epoch, step, optimiser step, sampler state with its PRNG, λ controller state,
 *                   epoch accumulators, best epoch, log offset, fingerprint of the options)
 *   good/           λ auto only: the checkpoint of the last "good" epoch, reloaded when the controller asks
 *   best/           model.json + weights.bin: the selected final model (what `nonadj segment` takes)
 *   log.jsonl       one JSON line per epoch (losses, λ, learning rate, validation Dice and forbidden counts, time)
 *   summary.json    written at the end (or on interruption): status, epochs, selected epoch and its numbers
 * ```
 *
 * Every file is written atomically (folders: written beside, then swapped in, see `checkpoint.ts`).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { initEngine, type EngineBackend } from '../engine/initEngine.js';
import { acquireRunLock } from '../io/acquireRunLock.js';
import { writeFolderAtomic } from '../io/writeFolderAtomic.js';
import { classWeightsFromCounts } from '../loss/classWeightsFromCounts.js';
import { makeSegmentationLoss } from '../loss/makeSegmentationLoss.js';
import type { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import type { Volume } from '../volume/Volume.js';
import { writeFileAtomic } from '../volume/writeFileAtomic.js';
import { copyCheckpoint, readCheckpoint, writeCheckpoint, findCheckpoint } from './checkpoint.js';
import type { TrainingExam } from './data/findTrainingExams.js';
import { intensityStats } from './data/intensityStats.js';
import { loadExam, readVolume, type LoadVolume } from './data/loadExam.js';
import { makeSampler, type SamplerAugmentation, type SamplerState } from './data/makeSampler.js';
import { sliceAxis, type SliceAxisIndex } from './data/sliceAxis.js';
import type { StandardiseOptions } from './data/standardise.js';
import { intensityMetadata } from './intensityMetadata.js';
import { makeLambdaController, selectFinalEpoch, type LambdaControllerOptions, type LambdaControllerState } from './lambdaController.js';
import { makePatchSampler, type PatchSamplerState } from './makePatchSampler.js';
import { checkModelForPrior } from './models/checkModelForPrior.js';
import { makeModSegNet } from './models/makeModSegNet.js';
import { makeUNet3d } from './models/makeUNet3d.js';
import { loadModel, saveModel, type ModelMetadata } from './models/modelFiles.js';
import { makeOptimizer, resolveOptimizerOptions, type OptimizerOptions, type ResolvedOptimizerOptions } from './optimizer.js';
import { validateModel, type ValidateModelResult } from './validateModel.js';

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

/** One line of `log.jsonl`: what an epoch did. */
export interface EpochRecord {
  epoch: number;
  /** λ used during the epoch. */
  lambda: number;
  /** Learning rate at the epoch's last step. */
  learningRate: number;
  steps: number;
  /** Steps whose loss or gradient was not finite (their update was skipped). */
  nanSteps: number;
  /** Means over the epoch's finite steps (dice = soft Dice loss before its weight; nonAdjacency with λ = 1). */
  train: { total: number; crossEntropy: number; dice: number; nonAdjacency: number };
  /** Validation on whole volumes (null without validation exams). */
  validation: ValidateModelResult | null;
  /** λ controller's notes (warm-up result, λ changes, reloads), and NaN notes. */
  events: string[];
  /** λ auto: whether the controller counted the epoch as good. */
  good?: boolean;
  /** Whether this epoch's model is the selected final model so far (written to best/). */
  best: boolean;
  /** Wall time of the epoch (training + validation + checkpoint), seconds, and when it ended. */
  seconds: number;
  time: string;
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
   * Start from a pre-trained tfjs layers model (a `model.json` path or a model): its output must be a softmax over
   * the prior's classes (checked). Its metadata (axis, k, intensity) is used when present.
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
   * @default 'image'
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
  /** Stops the run after the current step; a checkpoint is written first and the result says `'interrupted'`. */
  signal?: AbortSignal;
  /** Called after every step. */
  onStep?: (info: TrainStepInfo) => void;
  /** Called after every epoch with its log record. */
  onEpoch?: (record: EpochRecord) => void;
  /** Warnings (prior with empty rows, `--init` model whose output activation cannot be read…). */
  onWarning?: (message: string) => void;
}

/** Result of {@link trainSegmenter}. */
export interface TrainSegmenterResult {
  /** `'completed'`: all epochs ran; `'interrupted'`: the signal fired, resume with `resume: true`. */
  status: 'completed' | 'interrupted';
  /** Epochs completed and steps done. */
  epochs: number;
  globalStep: number;
  /** The selected final model's epoch (see {@link selectionRule}) and its folder, or null before any epoch ended. */
  bestEpoch: number | null;
  bestDir: string;
  /** How `bestEpoch` was chosen. */
  selectionRule: string;
  /** Every epoch's record (also those of a resumed run's earlier part). */
  history: EpochRecord[];
  /** The model as it is at the end (last epoch's weights, not necessarily the best). */
  model: LayersModel;
  /** The metadata written with the model. */
  metadata: ModelMetadata;
  /** Paths of the run's files. */
  files: { checkpoint: string; log: string; summary: string };
}

/** What `state.json` holds besides the optimiser (see the module comment). */
interface RunState {
  version: 1;
  fingerprint: Record<string, unknown>;
  /** Epoch in progress (0-based) and steps of it already done. */
  epoch: number;
  stepInEpoch: number;
  globalStep: number;
  sampler: SamplerState | PatchSamplerState;
  controller: LambdaControllerState | null;
  accumulator: Accumulator;
  bestEpoch: number | null;
  bestScore: number | null;
  /** Lines of log.jsonl that belong to this state (later ones are cut on resume). */
  logLines: number;
  history: EpochRecord[];
  classWeights: number[];
  intensity: StandardiseOptions;
}

interface Accumulator {
  steps: number;
  finite: number;
  total: number;
  crossEntropy: number;
  dice: number;
  nonAdjacency: number;
  learningRate: number;
}

/** One batch for a step, whatever the model kind. */
interface StepBatch {
  labelled: Float32Array;
  labels: Int32Array;
  unlabelled: Float32Array | null;
  labelledCount: number;
  unlabelledCount: number;
  /** Shape of one sample without the batch (`[H, W, k]` or `[D, H, W, 1]`) and of one label map. */
  sampleShape: number[];
  labelShape: number[];
}

interface BatchSource {
  next(): Promise<StepBatch>;
  getState(): SamplerState | PatchSamplerState;
}

/** Smallest probability turned into a logit: `log p` is a logit vector of `p` (softmax(log p) = p). */
const PROB_FLOOR = 1e-7;

/**
 * Train (or fine-tune) a segmentation network with NonAdjLoss. See the module comment for the run directory.
 *
 * Each step: one batch from the seeded sampler (b labelled samples, plus 3b unlabelled ones when `unlabelled` is
 * given), one forward pass on all of them, the loss of `makeSegmentationLoss` (cross-entropy and Dice on the
 * labelled items, NonAdjLoss on all), gradients (`tf.variableGrads`, one tidy), and an update of the optimiser
 * (see `optimizer.ts`) unless the loss or the gradient is not finite. The model outputs probabilities and the loss
 * takes logits: `log max(p, 1e-7)` is used as the logits (softmax(log p) = p, and the gradients through the
 * model's softmax are the same as from its pre-activations; the floor is Keras's cross-entropy-from-probabilities
 * clip).
 *
 * After each epoch: validation on whole volumes (`validateModel`), the λ controller (λ auto), the choice of the
 * final model, a log line, a checkpoint. Final model: λ auto, the reference's selection (smallest validation
 * NonAdjLoss among epochs with validation Dice ≥ D₀ − 0.005, else the warm-up epoch); fixed λ, the epoch with the
 * best validation Dice (the last epoch without validation exams).
 *
 * Non-finite loss: with λ auto the step's update is skipped and the epoch is reported as a NaN epoch (the
 * controller shrinks λ, and reloads the last good checkpoint at the third); with a fixed λ the run stops with an
 * error and the last checkpoint is kept. Resuming is exact: the same options give, bit for bit, the weights an
 * uninterrupted run would have reached (single-threaded backends are deterministic).
 *
 * @throws Error with a clear message for: a run folder that already holds a checkpoint (without `resume`), a
 *   resume with other options, an `init` model that does not fit the prior, λ auto without validation exams,
 *   exams that cannot be read or whose grids differ (naming the exam), a non-finite loss with a fixed λ.
 */
export async function trainSegmenter(options: TrainSegmenterOptions): Promise<TrainSegmenterResult> {
  // One process per run folder: a second training into the same folder is refused, naming the holder's pid.
  const lock = await acquireRunLock(options.outDir, { purpose: 'nonadj train' });
  try {
    return await trainLocked(options);
  } finally {
    await lock.release();
  }
}

async function trainLocked(options: TrainSegmenterOptions): Promise<TrainSegmenterResult> {
  const o = resolveOptions(options);
  const { prior, outDir } = options;
  if (options.backend !== undefined || !tf.engine().backendName) await initEngine({ backend: options.backend });
  else await import('@tensorflow/tfjs-layers');

  const files = {
    checkpoint: path.join(outDir, 'checkpoint'),
    good: path.join(outDir, 'good'),
    best: path.join(outDir, 'best'),
    log: path.join(outDir, 'log.jsonl'),
    summary: path.join(outDir, 'summary.json'),
  };
  await fs.mkdir(outDir, { recursive: true });
  const existing = await findCheckpoint(files.checkpoint);
  if (options.resume && existing === null) {
    throw new Error(`trainSegmenter: nothing to resume in ${outDir} (no checkpoint/state.json)`);
  }
  if (!options.resume && existing !== null) {
    throw new Error(`trainSegmenter: ${outDir} already holds a training run; resume it, or choose another folder`);
  }

  const load = options.load ?? readVolume;
  const trainLoad = labelIndexLoader(load, prior, options.train);

  // Model, metadata and run state: from the checkpoint, or fresh.
  let model: LayersModel;
  let metadata: ModelMetadata;
  let run: RunState;
  let optimizerState = null;
  if (options.resume) {
    const saved = await readCheckpoint<RunState>(files.checkpoint);
    const fingerprint = fingerprintOf(o, saved.metadata);
    const diff = Object.keys(fingerprint).filter((k) => JSON.stringify(fingerprint[k]) !== JSON.stringify(saved.state.fingerprint[k]));
    if (diff.length > 0) {
      throw new Error(
        `trainSegmenter: cannot resume ${outDir} with other options: ${diff.map((k) => `${k} was ${JSON.stringify(saved.state.fingerprint[k])}, now ${JSON.stringify(fingerprint[k])}`).join('; ')}`,
      );
    }
    ({ model, metadata } = saved);
    run = saved.state;
    optimizerState = saved.optimizer;
    await truncateLog(files.log, run.logLines);
  } else {
    ({ model, metadata } = await prepareModel(options, o, trainLoad));
    const intensity = await resolveIntensity(options);
    metadata = { ...metadata, intensity: intensityMetadata(intensity) };
    const classWeights = await resolveClassWeights(options, trainLoad);
    run = {
      version: 1,
      fingerprint: fingerprintOf(o, metadata),
      epoch: 0,
      stepInEpoch: 0,
      globalStep: 0,
      sampler: null as unknown as SamplerState,
      controller: null,
      accumulator: emptyAccumulator(),
      bestEpoch: null,
      bestScore: null,
      logLines: 0,
      history: [],
      classWeights,
      intensity,
    };
    await fs.rm(files.log, { force: true });
  }

  const kind = metadata.kind;
  const source = makeBatchSource(options, o, metadata, run, trainLoad);
  if (!options.resume) run.sampler = source.getState();
  const loss = makeSegmentationLoss({ prior, classWeights: run.classWeights, diceWeight: o.diceWeight, nanCheck: 'off', onWarning: options.onWarning });
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = makeOptimizer(variables, o.optimizer);
  if (optimizerState) optimizer.setState(optimizerState);
  const controllerOptions = { totalEpochs: o.epochs, ...options.lambdaController };
  const controller = o.lambda === 'auto' ? makeLambdaController(controllerOptions, run.controller ?? undefined) : null;
  const totalSteps = o.epochs * o.stepsPerEpoch;
  const selectionRule =
    o.lambda === 'auto'
      ? `smallest validation NonAdjLoss among epochs with validation Dice ≥ D₀ − ${options.lambdaController?.selectMargin ?? 0.005} (else the warm-up epoch)`
      : options.validation?.length
        ? 'best validation Dice'
        : 'last epoch (no validation exams)';

  const checkpoint = async () =>
    writeCheckpoint(files.checkpoint, {
      model,
      metadata: withRunInfo(metadata, run, controller?.lambda ?? (o.lambda as number)),
      optimizer: await optimizer.getState(),
      state: { ...run, sampler: source.getState(), controller: controller?.state() ?? null },
    });
  if (!options.resume) await checkpoint();

  const finish = async (status: TrainSegmenterResult['status']): Promise<TrainSegmenterResult> => {
    const bestRecord = run.history.find((h) => h.epoch === run.bestEpoch) ?? null;
    const summary = {
      status,
      epochsCompleted: run.epoch,
      epochsPlanned: o.epochs,
      globalStep: run.globalStep,
      lambda: o.lambda === 'auto' ? { mode: 'auto', final: controller?.lambda, d0: controller?.d0 } : { mode: 'fixed', value: o.lambda },
      bestEpoch: run.bestEpoch,
      selectionRule,
      best: bestRecord && { train: bestRecord.train, validation: bestRecord.validation && summariseValidation(bestRecord.validation) },
      last: run.history.at(-1) ?? null,
      seconds: run.history.reduce((a, h) => a + h.seconds, 0),
      files: { best: files.best, checkpoint: files.checkpoint, log: files.log },
    };
    await writeFileAtomic(files.summary, JSON.stringify(summary, null, 2) + '\n');
    optimizer.dispose();
    return {
      status,
      epochs: run.epoch,
      globalStep: run.globalStep,
      bestEpoch: run.bestEpoch,
      bestDir: files.best,
      selectionRule,
      history: run.history,
      model,
      metadata,
      files: { checkpoint: files.checkpoint, log: files.log, summary: files.summary },
    };
  };

  for (; run.epoch < o.epochs; ) {
    const epochStart = performance.now();
    const lambda = controller ? controller.lambda : (o.lambda as number);
    const acc = run.accumulator;
    while (run.stepInEpoch < o.stepsPerEpoch) {
      if (options.signal?.aborted) {
        await checkpoint();
        return finish('interrupted');
      }
      const t0 = performance.now();
      const batch = await source.next();
      const learningRate = optimizer.learningRateAt(run.globalStep, totalSteps);
      const r = runStep(model, loss, optimizer, variables, batch, lambda, learningRate);
      run.stepInEpoch++;
      run.globalStep++;
      acc.steps++;
      acc.learningRate = learningRate;
      if (r.finite) {
        acc.finite++;
        acc.total += r.total;
        acc.crossEntropy += r.crossEntropy;
        acc.dice += r.dice;
        acc.nonAdjacency += r.nonAdjacency;
      } else if (controller === null) {
        throw new Error(
          `trainSegmenter: the loss is not finite (total ${r.total}, cross-entropy ${r.crossEntropy}, Dice ${r.dice}, NonAdjLoss ${r.nonAdjacency}) ` +
            `at epoch ${run.epoch}, step ${run.stepInEpoch}, with fixed λ = ${lambda} and learning rate ${learningRate.toPrecision(3)}; ` +
            `training stopped, the last checkpoint (${files.checkpoint}) is kept. Lower λ or the learning rate, or use λ auto`,
        );
      }
      options.onStep?.({
        epoch: run.epoch,
        step: run.stepInEpoch,
        stepsPerEpoch: o.stepsPerEpoch,
        epochs: o.epochs,
        globalStep: run.globalStep,
        totalSteps,
        lambda,
        learningRate,
        total: r.finite ? r.total : NaN,
        crossEntropy: r.crossEntropy,
        dice: r.dice,
        nonAdjacency: r.nonAdjacency,
        labelled: batch.labelledCount,
        unlabelled: batch.unlabelledCount,
        ms: performance.now() - t0,
      });
    }
    if (options.signal?.aborted) {
      await checkpoint();
      return finish('interrupted');
    }

    // End of epoch: validation, λ controller, model selection, log, checkpoint.
    const mean = (v: number) => (acc.finite > 0 ? v / acc.finite : NaN);
    const train = { total: mean(acc.total), crossEntropy: mean(acc.crossEntropy), dice: mean(acc.dice), nonAdjacency: mean(acc.nonAdjacency) };
    const nanSteps = acc.steps - acc.finite;
    const validation = options.validation?.length
      ? await validateModel(model, {
          prior,
          exams: options.validation,
          kind,
          axis: metadata.axis,
          intensity: run.intensity,
          samplesPerExam: o.validationSamples,
          load,
        })
      : null;
    const events: string[] = nanSteps > 0 ? [`${nanSteps} of ${acc.steps} steps had a non-finite loss; their updates were skipped`] : [];
    let good: boolean | undefined;
    let reloadEpoch: number | null = null;
    let best = false;
    if (controller) {
      const decision = controller.report({
        trainDiceTerm: train.dice,
        trainNonAdj: train.nonAdjacency,
        valDice: validation?.meanDice ?? NaN,
        valNonAdj: validation?.nonAdjacency ?? NaN,
        nanLoss: nanSteps > 0,
      });
      events.push(...decision.events);
      good = decision.good;
      if (decision.action === 'reload') reloadEpoch = decision.reloadEpoch ?? null;
      const state = controller.state();
      const selected = selectFinalEpoch(state.history, state.d0, options.lambdaController?.selectMargin);
      // The warm-up epoch stands in until an epoch qualifies.
      best = selected === run.epoch || (selected === null && run.epoch === 0);
    } else if (validation) {
      best = run.bestScore === null || validation.meanDice > run.bestScore;
      if (best) run.bestScore = validation.meanDice;
    } else {
      best = true;
    }
    if (best) {
      run.bestEpoch = run.epoch;
      // model.json and weights.bin as one unit: a kill between the two files must not pair new weights with old JSON.
      await writeFolderAtomic(files.best, (tmp) => saveModel(model, tmp, withRunInfo(metadata, run, lambda)).then(() => undefined));
    }
    const record: EpochRecord = {
      epoch: run.epoch,
      lambda,
      learningRate: acc.learningRate,
      steps: acc.steps,
      nanSteps,
      train,
      validation,
      events,
      ...(good === undefined ? {} : { good }),
      best,
      seconds: (performance.now() - epochStart) / 1000,
      time: new Date().toISOString(),
    };
    run.history.push(record);
    await fs.appendFile(files.log, JSON.stringify(record) + '\n');
    run.logLines++;
    run.epoch++;
    run.stepInEpoch = 0;
    run.accumulator = emptyAccumulator();
    if (reloadEpoch !== null) {
      const goodCheckpoint = await readCheckpoint<RunState>(files.good);
      const savedEpoch = goodCheckpoint.state.epoch - 1;
      model.setWeights(goodCheckpoint.model.getWeights());
      optimizer.setState(goodCheckpoint.optimizer);
      goodCheckpoint.model.dispose();
      record.events.push(`reloaded the checkpoint of epoch ${savedEpoch}`);
    }
    await checkpoint();
    if (controller && good && reloadEpoch === null) await copyCheckpoint(files.checkpoint, files.good);
    options.onEpoch?.(record);
  }
  return finish('completed');
}

interface ResolvedOptions {
  epochs: number;
  stepsPerEpoch: number;
  batchSize: number;
  unlabelledPerLabelled: number;
  lambda: number | 'auto';
  optimizer: ResolvedOptimizerOptions;
  diceWeight: number;
  augmentation: SamplerAugmentation | null;
  emptySliceWeight: number;
  seed: number;
  validationSamples: number;
  examsInMemory: number;
}

function resolveOptions(options: TrainSegmenterOptions): ResolvedOptions {
  const where = 'trainSegmenter';
  const positiveInt = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${where}: ${name} is ${v}, expected a positive integer`);
  };
  positiveInt('epochs', options.epochs);
  positiveInt('stepsPerEpoch', options.stepsPerEpoch);
  const batchSize = options.batchSize ?? 4;
  positiveInt('batchSize', batchSize);
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
function fingerprintOf(o: ResolvedOptions, metadata: ModelMetadata): Record<string, unknown> {
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

function emptyAccumulator(): Accumulator {
  return { steps: 0, finite: 0, total: 0, crossEntropy: 0, dice: 0, nonAdjacency: 0, learningRate: 0 };
}

/** The step's loss terms, and whether the update was applied. */
interface StepResult {
  finite: boolean;
  total: number;
  crossEntropy: number;
  dice: number;
  nonAdjacency: number;
}

/**
 * One optimisation step: batch → tensors, forward on labelled + unlabelled items, loss, gradients, update.
 * Tensors made here are all disposed here.
 */
function runStep(
  model: LayersModel,
  loss: ReturnType<typeof makeSegmentationLoss>,
  optimizer: ReturnType<typeof makeOptimizer>,
  variables: tf.Variable[],
  batch: StepBatch,
  lambda: number,
  learningRate: number,
): StepResult {
  const per = batch.sampleShape.reduce((a, b) => a * b, 1);
  const all = new Float32Array((batch.labelledCount + batch.unlabelledCount) * per);
  all.set(batch.labelled);
  if (batch.unlabelled) all.set(batch.unlabelled, batch.labelled.length);
  const x = tf.tensor(all, [batch.labelledCount + batch.unlabelledCount, ...batch.sampleShape], 'float32');
  const y = tf.tensor(batch.labels, [batch.labelledCount, ...batch.labelShape], 'int32');
  let parts: tf.Scalar[] = [];
  try {
    const { value, grads } = tf.variableGrads(() => {
      const probs = model.apply(x, { training: true }) as tf.Tensor;
      const r = loss(tf.log(tf.maximum(probs, PROB_FLOOR)), y, { lambda });
      parts = [tf.keep(r.crossEntropy), tf.keep(r.dice), tf.keep(r.nonAdjacency)];
      return r.total;
    }, variables);
    const gradList = variables.map((v) => grads[v.name]);
    const summary = tf.tidy(() => tf.stack([value, ...parts, tf.addN(gradList.map((g) => tf.sum(tf.square(g))))]));
    const [total, crossEntropy, dice, nonAdjacency, gradSquares] = summary.dataSync();
    summary.dispose();
    const finite = [total, gradSquares].every(Number.isFinite);
    if (finite) optimizer.apply(gradList, learningRate);
    tf.dispose([value, ...Object.values(grads)]);
    return { finite, total, crossEntropy, dice, nonAdjacency };
  } finally {
    tf.dispose([x, y, ...parts]);
  }
}

/**
 * Build the model when starting (not resuming): from `init`, or a new ModSegNet / 3D U-Net; its metadata.
 */
async function prepareModel(
  options: TrainSegmenterOptions,
  o: ResolvedOptions,
  trainLoad: LoadVolume,
): Promise<{ model: LayersModel; metadata: ModelMetadata }> {
  const { prior } = options;
  const arch = options.architecture ?? {};
  const base = {
    classes: [...prior.labels],
    classNames: [...prior.names],
    prior: { numLabels: prior.numLabels, forbiddenOrderedPairs: prior.forbiddenOrderedPairs, connectivity: prior.connectivity, radius: prior.radius },
  };
  if (options.init !== undefined) {
    let model: LayersModel;
    let stored: ModelMetadata | null = null;
    if (typeof options.init === 'string') ({ model, metadata: stored } = await loadModel(options.init));
    else model = options.init;
    const name = typeof options.init === 'string' ? options.init : `model ${model.name}`;
    let check;
    try {
      check = checkModelForPrior(model, { numClasses: prior.numLabels });
    } catch (error) {
      throw new Error(`trainSegmenter: --init ${name}: ${(error as Error).message.replace(/^checkModelForPrior: /, '')}`, { cause: error });
    }
    for (const w of check.warnings) options.onWarning?.(w);
    const inShape = model.inputs[0].shape.slice(1);
    if (inShape.some((d) => d === null)) {
      throw new Error(`trainSegmenter: --init ${name} takes input [${inShape.join(', ')}]; expected fixed sizes ([H, W, k] or [D, H, W, 1])`);
    }
    const kind = inShape.length === 3 ? '2.5d' : '3d';
    const inputShape = inShape as number[];
    if (kind === '2.5d') {
      const axis = stored?.axis ?? arch.axis ?? 1;
      const k = inputShape[2];
      if (k % 2 === 0) throw new Error(`trainSegmenter: --init ${name} takes ${k} channels; a 2.5D model needs an odd number of stacked slices`);
      return { model, metadata: { ...stored, ...base, kind, inputShape, axis, k } };
    }
    if (inputShape[3] !== 1) throw new Error(`trainSegmenter: --init ${name} takes ${inputShape[3]} channels per voxel; a 3D model needs 1`);
    return { model, metadata: { ...stored, ...base, kind, inputShape } };
  }

  const kind = arch.kind ?? '2.5d';
  if (kind === '3d') {
    const filters = arch.filters ?? [8, 16, 32];
    const patch = arch.patch ?? [32, 32, 32];
    const inputShape: [number, number, number, number] = [patch[0], patch[1], patch[2], 1];
    const model = makeUNet3d({ inputShape, numClasses: prior.numLabels, filters, seed: o.seed });
    return { model, metadata: { ...base, kind, inputShape } };
  }
  const filters = arch.filters ?? [32, 64, 128, 256];
  const k = arch.k ?? 7;
  const axis = arch.axis ?? 1;
  let padTo = arch.padTo;
  if (padTo === undefined) {
    const { image } = await loadExam(options.train[0], { load: trainLoad, read: 'image' });
    const g = sliceAxis(image.dims, axis);
    const m = 2 ** filters.length;
    padTo = [Math.ceil(g.height / m) * m, Math.ceil(g.width / m) * m];
  }
  const inputShape: [number, number, number] = [padTo[0], padTo[1], k];
  const model = makeModSegNet({ inputShape, numClasses: prior.numLabels, filters, seed: o.seed });
  return { model, metadata: { ...base, kind, inputShape, axis, k } };
}

async function resolveIntensity(options: TrainSegmenterOptions): Promise<StandardiseOptions> {
  const i = options.intensity ?? 'image';
  if (i === 'image') return { mode: 'image', region: 'nonzero' };
  if (i === 'dataset') {
    const s = await intensityStats(options.train, { region: 'nonzero', load: options.load });
    return { mode: 'dataset', mean: s.mean, std: s.std };
  }
  return i;
}

/** Median-frequency weights from the voxel counts of each class over the training label maps. */
async function resolveClassWeights(options: TrainSegmenterOptions, trainLoad: LoadVolume): Promise<number[]> {
  const C = options.prior.numLabels;
  const w = options.classWeights ?? 'median-frequency';
  if (w === 'uniform') return new Array<number>(C).fill(1);
  if (w !== 'median-frequency') {
    if (w.length !== C) throw new RangeError(`trainSegmenter: ${w.length} class weights for the prior's ${C} labels`);
    return [...w];
  }
  const counts = new Float64Array(C);
  for (const exam of options.train) {
    const { labels } = await loadExam(exam, { load: trainLoad, read: 'both', numLabels: C });
    if (!labels) throw new Error(`trainSegmenter: training exam ${exam.id} has no label map`);
    const data = labels.data;
    for (let v = 0; v < data.length; v++) if (data[v] >= 0) counts[data[v]]++;
  }
  return Array.from(classWeightsFromCounts(counts));
}

/**
 * A loader that turns the label maps of `exams` from the prior's label codes into its row indices (what the
 * network's channels are), when they differ (a relabelled, `--contiguous` prior). Images pass through.
 */
function labelIndexLoader(load: LoadVolume, prior: AdjacencyPrior, exams: readonly TrainingExam[]): LoadVolume {
  if (prior.labels.every((code, i) => code === i)) return load;
  const labelFiles = new Set(exams.map((e) => e.label).filter((f) => f !== undefined));
  return async (file) => {
    const volume = await load(file);
    if (!labelFiles.has(file)) return volume;
    const out = new Int32Array(volume.data.length);
    for (let v = 0; v < out.length; v++) {
      const code = volume.data[v];
      const index = code === -1 ? -1 : prior.indexOfLabel(code);
      if (index === -1 && code !== -1) {
        throw new RangeError(`trainSegmenter: ${file}: label ${code} is not one of the prior's codes (${prior.labels.slice(0, 10).join(', ')}${prior.labels.length > 10 ? ', …' : ''})`);
      }
      out[v] = index;
    }
    return { ...volume, data: out } as Volume;
  };
}

function makeBatchSource(
  options: TrainSegmenterOptions,
  o: ResolvedOptions,
  metadata: ModelMetadata,
  run: RunState,
  trainLoad: LoadVolume,
): BatchSource {
  const common = {
    exams: options.train,
    unlabelled: options.unlabelled,
    batchSize: o.batchSize,
    unlabelledPerLabelled: o.unlabelledPerLabelled,
    intensity: run.intensity,
    seed: o.seed,
    examsInMemory: o.examsInMemory,
    load: trainLoad,
    numLabels: options.prior.numLabels,
  };
  if (metadata.kind === '3d') {
    const [d, h, w] = metadata.inputShape;
    const sampler = makePatchSampler({ ...common, patch: [d, h, w], state: (run.sampler as PatchSamplerState | null) ?? undefined });
    return {
      next: async () => {
        const b = await sampler.nextBatch();
        return { ...b, sampleShape: [d, h, w, 1], labelShape: [d, h, w] };
      },
      getState: () => sampler.getState(),
    };
  }
  const [h, w, k] = metadata.inputShape;
  const sampler = makeSampler({
    ...common,
    axis: metadata.axis ?? 1,
    k,
    padTo: [h, w],
    emptySliceWeight: o.emptySliceWeight,
    augmentation: o.augmentation,
    state: (run.sampler as SamplerState | null) ?? undefined,
  });
  return {
    next: async () => {
      const b = await sampler.nextBatch();
      return {
        labelled: b.images,
        labels: b.labels,
        unlabelled: b.unlabelled,
        labelledCount: b.batchSize,
        unlabelledCount: b.unlabelledSize,
        sampleShape: [h, w, k],
        labelShape: [h, w],
      };
    },
    getState: () => sampler.getState(),
  };
}

function withRunInfo(metadata: ModelMetadata, run: RunState, lambda: number): ModelMetadata {
  return { ...metadata, extra: { ...metadata.extra, epoch: run.epoch, globalStep: run.globalStep, lambda } };
}

function summariseValidation(v: ValidateModelResult) {
  return { meanDice: v.meanDice, forbiddenPairs: v.forbiddenPairs, forbiddenContacts: v.forbiddenContacts, nonAdjacency: v.nonAdjacency };
}

/** Keep the first `lines` lines of the log (those the checkpoint knows about). */
async function truncateLog(file: string, lines: number): Promise<void> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  const kept = text.split('\n').filter((l) => l.length > 0).slice(0, lines);
  await writeFileAtomic(file, kept.map((l) => l + '\n').join(''));
}
