/**
 * The training loop: a segmentation network trained with the reference loss (class-weighted cross-entropy
 * + 5 × soft Dice + λ · NonAdjLoss, METHOD.md §3), with a fixed λ or the reference's λ controller (§4),
 * optionally semi-supervised (§5), resumable exactly. The run folder is described in `runFolder.ts`; every file in
 * it is written atomically (folders: written beside, then swapped in, see `checkpoint.ts`).
 *
 * The parts, in the order a run uses them: `resolveTrainOptions` (options checked, defaults filled once),
 * `prepareModel` (the network and its metadata), `trainingStatistics` (intensity standardisation, class weights),
 * `makeBatchSource` (seeded batches), `runStep` (one optimisation step), `validateModel`, the λ controller,
 * `checkpoint` and `runFolder`.
 */
import { promises as fs } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { labelIndexLoader } from '../data/labelIndexLoader.js';
import type { PatchSamplerState } from '../data/makePatchSampler.js';
import type { SamplerState } from '../data/makeSampler.js';
import type { StandardiseOptions } from '../data/standardise.js';
import { initEngine } from '../engine/initEngine.js';
import { acquireRunLock } from '../io/acquireRunLock.js';
import { writeFolderAtomic } from '../io/writeFolderAtomic.js';
import { makeSegmentationLoss } from '../loss/makeSegmentationLoss.js';
import { intensityMetadata } from '../model/intensityMetadata.js';
import { saveModel, type ModelMetadata } from '../model/modelFiles.js';
import { writeFileAtomic } from '../io/writeFileAtomic.js';
import { copyCheckpoint, findCheckpoint, readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { makeLambdaController, selectFinalEpoch, type LambdaControllerState } from './lambdaController.js';
import { makeBatchSource, type StepBatch } from './makeBatchSource.js';
import { makeOptimizer } from './optimizer.js';
import { makeGradientEngine, type GradientEngine } from './makeGradientEngine.js';
import { prepareModel } from './prepareModel.js';
import { resolveTrainOptions, trainingFingerprint } from './resolveTrainOptions.js';
import { runFiles, summariseValidation, truncateLog, type EpochRecord, type TrainingSummary } from './runFolder.js';
import { runStep } from './runStep.js';
import { startParallelStep, type ParallelStep } from './startParallelStep.js';
import type { TrainSegmenterOptions } from './trainSegmenterOptions.js';
import { resolveClassWeights, resolveIntensity } from './trainingStatistics.js';
import { validateModel } from './validateModel.js';
import { makeInferenceEngine } from '../infer/makeInferenceEngine.js';

export type { ArchitectureOptions, TrainSegmenterOptions, TrainStepInfo } from './trainSegmenterOptions.js';
export type { EpochRecord } from './runFolder.js';

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
  /** Sum of the steps' training Dice coefficients, over the steps that had one. */
  diceCoefficient: number;
  diceCoefficientSteps: number;
  learningRate: number;
}

/**
 * Train (or fine-tune) a segmentation network with NonAdjLoss. See the module comment for the run directory.
 *
 * Each step: one batch from the seeded sampler (b labelled samples, plus 3b unlabelled ones when `unlabelled` is
 * given), one forward pass on all of them, the loss of `makeSegmentationLoss` (cross-entropy and Dice on the
 * labelled items, NonAdjLoss on all), gradients (`tf.variableGrads`, one tidy), and an update of the optimiser
 * (see `optimizer.ts`) unless the loss or the gradient is not finite. The model outputs logits, which the loss takes
 * as they are (a model loaded with a final softmax has it removed, see `toLogits`).
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
  const o = resolveTrainOptions(options);
  const { prior, outDir } = o;
  if (o.backend !== undefined || !tf.engine().backendName) await initEngine({ backend: o.backend });
  else await import('@tensorflow/tfjs-layers');

  const files = runFiles(outDir);
  await fs.mkdir(outDir, { recursive: true });
  const existing = await findCheckpoint(files.checkpoint);
  if (o.resume && existing === null) {
    throw new Error(`trainSegmenter: nothing to resume in ${outDir} (no checkpoint/state.json)`);
  }
  if (!o.resume && existing !== null) {
    throw new Error(`trainSegmenter: ${outDir} already holds a training run; resume it, or choose another folder`);
  }

  const load = o.load;
  const trainLoad = labelIndexLoader(load, prior, o.train);

  // Model, metadata and run state: from the checkpoint, or fresh.
  let model: LayersModel;
  let metadata: ModelMetadata;
  let run: RunState;
  let optimizerState = null;
  if (o.resume) {
    const saved = await readCheckpoint<RunState>(files.checkpoint);
    const fingerprint = trainingFingerprint(o, saved.metadata);
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
    ({ model, metadata } = await prepareModel(o, trainLoad));
    // prepareModel keeps the init model's metadata, so metadata.intensity is how that model was trained (or undefined).
    const intensity = await resolveIntensity(o, metadata.intensity);
    metadata = { ...metadata, intensity: intensityMetadata(intensity) };
    const classWeights = await resolveClassWeights(o, trainLoad);
    run = {
      version: 1,
      fingerprint: trainingFingerprint(o, metadata),
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
  const source = makeBatchSource(o, metadata, run.intensity, run.sampler, trainLoad);
  if (!o.resume) run.sampler = source.getState();
  const loss = makeSegmentationLoss({ prior, classWeights: run.classWeights, diceWeight: o.diceWeight, nanCheck: 'off', onWarning: o.onWarning });
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = makeOptimizer(variables, o.optimizer);
  if (optimizerState) optimizer.setState(optimizerState);
  const controllerOptions = { totalEpochs: o.epochs, ...o.lambdaController };
  const controller = o.lambda === 'auto' ? makeLambdaController(controllerOptions, run.controller ?? undefined) : null;
  const totalSteps = o.epochs * o.stepsPerEpoch;
  const selectionRule =
    o.lambda === 'auto'
      ? `smallest validation NonAdjLoss among epochs with validation Dice ≥ D₀ − ${o.lambdaController.selectMargin ?? 0.005} (else the warm-up epoch)`
      : o.validation.length
        ? 'best validation Dice'
        : 'last epoch (no validation exams)';

  /**
   * With worker threads, the next batch of the epoch is sampled on this thread while the workers compute (the sampler
   * is then off the critical path); a checkpoint taken meanwhile stores the sampler's state from before that batch,
   * so a resumed run draws it again.
   */
  let prefetched: { batch: Promise<StepBatch>; samplerBefore: SamplerState | PatchSamplerState } | null = null;
  const checkpoint = async () =>
    writeCheckpoint(files.checkpoint, {
      model,
      metadata: withRunInfo(metadata, run, controller?.lambda ?? (o.lambda as number)),
      optimizer: await optimizer.getState(),
      state: { ...run, sampler: prefetched?.samplerBefore ?? source.getState(), controller: controller?.state() ?? null },
    });
  // Data-parallel steps when asked for (each share needs a labelled item); one worker is the single-thread step.
  const workers = Math.min(o.workers, o.batchSize);
  let parallel: ParallelStep | null = null;
  let gradientEngine: GradientEngine | null = null;
  try {
    if (workers > 1) {
      parallel = await startParallelStep(model, { workers, prior, classWeights: run.classWeights, diceWeight: o.diceWeight, backend: o.backend, engine: options.engine ?? 'tfjs' });
      options.onTrainingEngine?.({ description: `${parallel.engine} per worker`, workers });
    } else {
      gradientEngine = await makeGradientEngine(model, { engine: options.engine ?? 'tfjs', threads: 1 });
      options.onTrainingEngine?.({ description: gradientEngine.description, workers: 1 });
    }
    if (!o.resume) await checkpoint();

    const finish = async (status: TrainSegmenterResult['status']): Promise<TrainSegmenterResult> => {
      const bestRecord = run.history.find((h) => h.epoch === run.bestEpoch) ?? null;
      const summary: TrainingSummary = {
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
        if (o.signal?.aborted) {
          await checkpoint();
          return finish('interrupted');
        }
        const t0 = performance.now();
        const batch = prefetched ? await prefetched.batch : await source.next();
        prefetched = null;
        const learningRate = optimizer.learningRateAt(run.globalStep, totalSteps);
        let r;
        if (parallel) {
          const step = parallel.run(optimizer, variables, batch, lambda, learningRate);
          if (run.stepInEpoch + 1 < o.stepsPerEpoch) {
            const samplerBefore = source.getState();
            const next = source.next();
            next.catch(() => {}); // awaited at the next step; this only keeps a failure meanwhile from being unhandled
            prefetched = { batch: next, samplerBefore };
          }
          r = await step;
        } else {
          r = await runStep(gradientEngine!, loss, optimizer, variables, batch, lambda, learningRate);
        }
        run.stepInEpoch++;
        run.globalStep++;
        acc.steps++;
        acc.learningRate = learningRate;
        if (r.finite) {
          acc.finite++;
          acc.total += r.total;
          acc.crossEntropy += r.crossEntropy;
          acc.dice += r.dice;
          if (r.diceCoefficient !== null) {
            acc.diceCoefficient += r.diceCoefficient;
            acc.diceCoefficientSteps++;
          }
          acc.nonAdjacency += r.nonAdjacency;
        } else if (controller === null) {
          throw new Error(
            `trainSegmenter: the loss is not finite (total ${r.total}, cross-entropy ${r.crossEntropy}, Dice ${r.dice}, NonAdjLoss ${r.nonAdjacency}) ` +
              `at epoch ${run.epoch}, step ${run.stepInEpoch}, with fixed λ = ${lambda} and learning rate ${learningRate.toPrecision(3)}; ` +
              `training stopped, the last checkpoint (${files.checkpoint}) is kept. Lower λ or the learning rate, or use λ auto`,
          );
        }
        o.onStep?.({
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
      if (o.signal?.aborted) {
        await checkpoint();
        return finish('interrupted');
      }

      // End of epoch: validation, λ controller, model selection, log, checkpoint.
      const mean = (v: number) => (acc.finite > 0 ? v / acc.finite : NaN);
      const train = {
        total: mean(acc.total),
        crossEntropy: mean(acc.crossEntropy),
        dice: mean(acc.dice),
        nonAdjacency: mean(acc.nonAdjacency),
        diceCoefficient: acc.diceCoefficientSteps > 0 ? acc.diceCoefficient / acc.diceCoefficientSteps : NaN,
      };
      const nanSteps = acc.steps - acc.finite;
      let validation: Awaited<ReturnType<typeof validateModel>> | null = null;
      if (o.validation.length) {
        // The weights changed during the epoch: export them again (measured: a few hundredths of a second for the demo's ModSegNet).
        const engine = await makeInferenceEngine(model, { engine: options.engine ?? 'tfjs', threads: o.workers });
        options.onInferenceEngine?.(engine);
        try {
          validation = await validateModel(model, {
            prior,
            exams: o.validation,
            kind,
            axis: metadata.axis,
            inputOrder: metadata.inputOrder,
            crop: metadata.crop,
            intensity: run.intensity,
            samplesPerExam: o.validationSamples,
            load,
            forward: engine.forward,
          });
        } finally {
          await engine.dispose();
        }
      }
      const events: string[] = nanSteps > 0 ? [`${nanSteps} of ${acc.steps} steps had a non-finite loss; their updates were skipped`] : [];
      let good: boolean | undefined;
      let reloadEpoch: number | null = null;
      let best = false;
      if (controller) {
        const decision = controller.report({
          trainDiceCoefficient: train.diceCoefficient,
          trainNonAdj: train.nonAdjacency,
          valDice: validation?.meanDice ?? NaN,
          valNonAdj: validation?.nonAdjacency ?? NaN,
          nanLoss: nanSteps > 0,
        });
        events.push(...decision.events);
        good = decision.good;
        if (decision.action === 'reload') reloadEpoch = decision.reloadEpoch ?? null;
        const state = controller.state();
        const selected = selectFinalEpoch(state.history, state.d0, o.lambdaController.selectMargin);
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
      o.onEpoch?.(record);
    }
    return finish('completed');
  } finally {
    await parallel?.close();
    await gradientEngine?.dispose();
  }
}

function emptyAccumulator(): Accumulator {
  return { steps: 0, finite: 0, total: 0, crossEntropy: 0, dice: 0, nonAdjacency: 0, diceCoefficient: 0, diceCoefficientSteps: 0, learningRate: 0 };
}

function withRunInfo(metadata: ModelMetadata, run: RunState, lambda: number): ModelMetadata {
  return { ...metadata, extra: { ...metadata.extra, epoch: run.epoch, globalStep: run.globalStep, lambda } };
}
