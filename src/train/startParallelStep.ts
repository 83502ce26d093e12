import type { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { EngineBackend } from '../engine/initEngine.js';
import type { EngineChoice } from '../infer/makeInferenceEngine.js';
import { viewTensorData } from '../engine/tensorMemory.js';
import { batchDiceCoefficient } from '../metric/batchDiceCoefficient.js';
import type { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import type { StepBatch } from './makeBatchSource.js';
import { abortSumExchange, allocateSumExchange, type SumExchangeMemory } from './makeSumExchange.js';
import type { SegmentationOptimizer } from './optimizer.js';
import type { StepResult } from './runStep.js';
import type { StepWorkerDone, StepWorkerFailed, StepWorkerInit, StepWorkerJob } from './stepWorker.js';
import { makeWorkerFactory } from '../io/makeWorkerFactory.js';

/** Options of {@link startParallelStep}. */
export interface ParallelStepOptions {
  /** Worker threads, ≥ 2: one model replica each. */
  workers: number;
  /** The loss's settings, as `makeSegmentationLoss` takes them in the 1-worker step. */
  prior: AdjacencyPrior;
  classWeights: readonly number[];
  diceWeight: number;
  /** Backend of every replica. @default the active backend */
  backend?: EngineBackend;
  /** Engine of each replica's forward and backward passes (`makeGradientEngine`, one thread each). @default 'tfjs' */
  engine?: EngineChoice;
}

/** Data-parallel training steps; {@link close} ends the workers. */
export interface ParallelStep {
  readonly workers: number;
  /** The replicas' gradient engine, as `makeGradientEngine` describes it (the first replica's; all choose alike). */
  readonly engine: string;
  /**
   * One optimisation step on `batch`, as {@link runStep} does it on one thread: same loss values, same Dice
   * coefficient, the same update of `model`'s variables through `optimizer` (up to float summation order).
   * @throws Error naming the worker when one fails (the step is then not applied, and this object is unusable).
   */
  run(optimizer: SegmentationOptimizer, variables: readonly tf.Variable[], batch: StepBatch, lambda: number, learningRate: number): Promise<StepResult>;
  /** Terminate the workers (idempotent). */
  close(): Promise<void>;
}

/**
 * Start `workers` worker threads, each with a replica of `model` on its own tfjs backend (the wasm backend uses one
 * core per instance), for data-parallel training steps:
 *
 * - the batch is split into contiguous shares, the labelled items and the unlabelled ones each as evenly as possible
 *   (worker k takes items ⌊k·n/N⌋ … ⌊(k+1)·n/N⌋ − 1 of each part), so the batch is the one the 1-worker step would
 *   see: sampling and augmentation stay in this thread, unchanged;
 * - each worker computes the gradient of the **whole batch's** loss with respect to its share's logits: the
 *   cross-entropy (a mean weighted by class over the batch's labelled pixels) and the soft Dice (pooled over the
 *   batch) use the batch's sums, pooled between the workers inside the forward pass (`makeSumExchange`, see
 *   `CrossEntropyDiceOptions.pool`); the NonAdjLoss, a mean over the batch's pixels, is weighted by the share's
 *   fraction of the items. So the sum of the workers' gradients is the batch's gradient, up to summation order;
 * - the gradients are summed in worker order (float64, rounded once) by the workers themselves, each over its part
 *   of the parameters once all have written their gradients (an all-reduce in parts, off this thread), and this
 *   thread's optimiser updates `model`; each worker loads the new weights at the start of its next step (a shared
 *   buffer). One update and a broadcast rather than the same update in every replica: `model` and its optimiser
 *   stay the single source of truth, so checkpoints, `--resume`, the λ controller's reloads and validation work on
 *   them unchanged, and replicas cannot drift apart; the copy costs about a millisecond per step (measured with
 *   `bench/profileParallelStep.ts`: this thread's whole part of a step, sampling included, is ~13 ms of CPU against
 *   ~195 ms in each of 2 workers for the demo's step).
 * - Batch-norm (no model of this project has it; an `--init` model may): each replica normalises with its own
 *   share's statistics (as PyTorch's DDP without SyncBatchNorm), and the moving averages kept are worker 0's, the
 *   replica of the first share (DDP broadcasts rank 0's buffers likewise); they are copied back after each step.
 *
 * @param model - the coordinator's model (logits out); its topology is sent to the workers, its weights each step.
 * @throws Error when a worker cannot start (its message is included).
 */
/** A replica's first message: it is ready, and its gradient engine's description. */
interface Ready {
  type: 'ready';
  engine: string;
}

export async function startParallelStep(model: LayersModel, options: ParallelStepOptions): Promise<ParallelStep> {
  const count = options.workers;
  if (!Number.isInteger(count) || count < 2) throw new RangeError(`startParallelStep: workers is ${count}, expected an integer ≥ 2`);
  const trainable = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const nonTrainable = model.nonTrainableWeights.map((w) => w.read() as tf.Variable);
  const trainableSize = trainable.reduce((a, v) => a + v.size, 0);
  const weightsSize = trainableSize + nonTrainable.reduce((a, v) => a + v.size, 0);
  const weights = new SharedArrayBuffer(weightsSize * 4);
  const grads = new SharedArrayBuffer(count * trainableSize * 4);
  const summed = new SharedArrayBuffer(trainableSize * 4);
  const C = options.prior.numLabels;
  const exchange: SumExchangeMemory = allocateSumExchange(count, 2 + 3 * C);
  const topology = model.toJSON(null, false);
  const backend = options.backend ?? (tf.getBackend() as EngineBackend);
  const spawn = makeWorkerFactory(import.meta.url, './stepWorker');

  const workers: Worker[] = [];
  let engine = '';
  /** Set once a worker failed or exited: every later call rejects with it. */
  let broken: Error | null = null;
  /** The pending reply of each worker. */
  const pending = new Map<number, { resolve: (m: StepWorkerDone | Ready) => void; reject: (e: Error) => void }>();
  /** The first failure wins; the workers blocked in the exchange are woken (they then report 'aborted'). */
  const fail = (error: Error) => {
    broken ??= error;
    abortSumExchange(exchange);
    for (const [, p] of pending) p.reject(broken);
    pending.clear();
  };
  const reply = (index: number) =>
    new Promise<StepWorkerDone | Ready>((resolve, reject) => {
      if (broken) reject(broken);
      else pending.set(index, { resolve, reject });
    });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    broken ??= new Error('startParallelStep: the workers were closed');
    await Promise.all(workers.map((w) => w.terminate()));
  };

  for (let index = 0; index < count; index++) {
    const worker = spawn();
    workers.push(worker);
    worker.on('message', (m: StepWorkerDone | StepWorkerFailed | Ready) => {
      if (m.type === 'failed') {
        // A worker that only stopped because another failed reports that; the other's error is the one to show.
        if (m.aborted) return;
        fail(new Error(`trainSegmenter: worker ${index + 1} of ${count} failed: ${m.message}`));
        return;
      }
      const p = pending.get(index);
      pending.delete(index);
      p?.resolve(m);
    });
    worker.on('error', (error) => fail(new Error(`trainSegmenter: worker ${index + 1} of ${count} failed: ${error.message}`)));
    worker.on('exit', (code) => {
      if (!closed) fail(new Error(`trainSegmenter: worker ${index + 1} of ${count} exited (code ${code}) during training`));
    });
  }
  try {
    const ready = workers.map((_, index) => reply(index));
    workers.forEach((w, index) => {
      const init: StepWorkerInit = {
        type: 'init',
        index,
        count,
        backend,
        engine: options.engine ?? 'tfjs',
        topology,
        priorCounts: options.prior.counts,
        classWeights: [...options.classWeights],
        diceWeight: options.diceWeight,
        weights,
        grads,
        summed,
        exchange,
      };
      w.postMessage(init);
    });
    engine = ((await Promise.all(ready))[0] as Ready).engine;
    // Idle workers do not keep the process alive (a caller that forgets close() can still exit); run() refs them.
    for (const w of workers) w.unref();
  } catch (error) {
    await close();
    throw error;
  }

  const weightView = new Float32Array(weights);
  const summedView = new Float32Array(summed);

  return {
    workers: count,
    engine,
    async run(optimizer, variables, batch, lambda, learningRate) {
      if (broken) throw broken;
      if (variables.length !== trainable.length || variables.some((v, i) => v !== trainable[i])) {
        throw new RangeError('startParallelStep: run() takes the variables of the model the workers were started with');
      }
      const b = batch.labelledCount;
      const u = batch.unlabelledCount;
      if (b < count) throw new RangeError(`startParallelStep: ${b} labelled items for ${count} workers; each share needs one`);
      let o = 0;
      for (const v of [...trainable, ...nonTrainable]) {
        weightView.set(viewTensorData(v), o);
        o += v.size;
      }
      const per = batch.sampleShape.reduce((a, c) => a * c, 1);
      const perLabel = batch.labelShape.reduce((a, c) => a * c, 1);
      const replies = workers.map((_, k) => reply(k));
      workers.forEach((w, k) => {
        const [l0, l1] = [Math.floor((k * b) / count), Math.floor(((k + 1) * b) / count)];
        const [u0, u1] = [Math.floor((k * u) / count), Math.floor(((k + 1) * u) / count)];
        const x = new Float32Array((l1 - l0 + u1 - u0) * per);
        x.set(batch.labelled.subarray(l0 * per, l1 * per));
        if (batch.unlabelled) x.set(batch.unlabelled.subarray(u0 * per, u1 * per), (l1 - l0) * per);
        const job: StepWorkerJob = {
          type: 'step',
          x,
          labels: batch.labels.slice(l0 * perLabel, l1 * perLabel),
          labelled: l1 - l0,
          unlabelled: u1 - u0,
          sampleShape: batch.sampleShape,
          labelShape: batch.labelShape,
          lambda,
          share: (l1 - l0 + u1 - u0) / (b + u),
        };
        w.postMessage(job, [x.buffer as ArrayBuffer, job.labels.buffer as ArrayBuffer]);
      });
      for (const w of workers) w.ref();
      let done: StepWorkerDone[];
      try {
        done = (await Promise.all(replies)) as StepWorkerDone[];
      } finally {
        for (const w of workers) w.unref();
      }

      // The batch's gradient, summed by the workers (each its part, see stepWorker); Σ g² only decides finiteness.
      const gradSquares = done.reduce((a, d) => a + d.gradSquares, 0);
      // Every worker reports the batch's cross-entropy and Dice; the NonAdjLoss comes as each share's contribution.
      const { crossEntropy, dice } = done[0];
      const nonAdjacency = done.reduce((a, d) => a + d.nonAdjacency, 0);
      const total = Math.fround(Math.fround(crossEntropy) + Math.fround(options.diceWeight * dice) + Math.fround(lambda * nonAdjacency));
      const finite = [total, gradSquares].every(Number.isFinite);
      if (finite) {
        const gradList: tf.Tensor[] = [];
        let g = 0;
        for (const v of trainable) {
          gradList.push(tf.tensor(summedView.subarray(g, g + v.size), v.shape, 'float32'));
          g += v.size;
        }
        try {
          optimizer.apply(gradList, learningRate);
        } finally {
          tf.dispose(gradList);
        }
      }
      if (nonTrainable.length > 0) {
        let w = trainableSize;
        for (const v of nonTrainable) {
          const t = tf.tensor(weightView.subarray(w, w + v.size), v.shape, 'float32');
          v.assign(t);
          t.dispose();
          w += v.size;
        }
      }
      const prediction = new Int32Array(batch.labels.length);
      let p = 0;
      for (const d of done) {
        prediction.set(d.prediction, p);
        p += d.prediction.length;
      }
      const diceCoefficient = batchDiceCoefficient(batch.labels, prediction, { batchSize: b }).meanDice;
      return { finite, total, crossEntropy, dice, nonAdjacency, diceCoefficient };
    },
    close,
  };
}
