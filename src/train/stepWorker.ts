/**
 * Worker-thread entry of {@link startParallelStep}: one replica of the model on its own tfjs backend (one wasm
 * instance, one core), computing the gradient of its share of each batch. Messages in: one `init`
 * ({@link StepWorkerInit}), then `step` ({@link StepWorkerJob}) per step; out: `ready`, then `done`
 * ({@link StepWorkerDone}) or `failed` ({@link StepWorkerFailed}) per step.
 *
 * Per step: the weights are read from the shared weight buffer (the coordinator's, after its last update), the share
 * goes forward, the loss pools the cross-entropy's and Dice's sums with the other replicas inside the forward pass
 * (`makeSumExchange`), the gradients are written into this replica's row of the shared gradient buffer, and after a
 * barrier each replica sums its part of the parameters over all rows into the shared summed gradient.
 */
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import type { EngineBackend } from '../engine/initEngine.js';
import type { EngineChoice } from '../infer/makeInferenceEngine.js';
import type { GradientEngine } from './makeGradientEngine.js';
import { viewTensorData } from '../engine/tensorMemory.js';
import type { SumExchangeMemory } from './makeSumExchange.js';

/** The `init` message. */
export interface StepWorkerInit {
  type: 'init';
  /** This replica's index (0 = the first share of each batch) and the replica count. */
  index: number;
  count: number;
  backend: EngineBackend;
  /** Engine of the forward and backward passes (`makeGradientEngine`, one onnxruntime thread per replica). */
  engine: EngineChoice;
  /** `model.toJSON(null, false)` of the coordinator's model. */
  topology: unknown;
  /** The prior's `L × L` counts, row-major. */
  priorCounts: Float64Array;
  classWeights: number[];
  diceWeight: number;
  /** Float32: the trainable weights then the non-trainable ones, each flattened, in the model's order. */
  weights: SharedArrayBuffer;
  /** Float32 `[count, trainable values]`: replica i writes its gradients in row i. */
  grads: SharedArrayBuffer;
  /**
   * Float32 `[trainable values]`: the batch's gradient, the rows of `grads` summed in replica order; replica i sums the
   * values ⌊i·n/count⌋ … ⌊(i+1)·n/count⌋ − 1 of it.
   */
  summed: SharedArrayBuffer;
  exchange: SumExchangeMemory;
}

/** The `step` message: this replica's share of a batch. */
export interface StepWorkerJob {
  type: 'step';
  /** Samples `[labelled + unlabelled, ...sampleShape]`, labelled first; labels `[labelled, ...labelShape]`. */
  x: Float32Array;
  labels: Int32Array;
  labelled: number;
  unlabelled: number;
  sampleShape: number[];
  labelShape: number[];
  lambda: number;
  /** This share's items over the batch's. */
  share: number;
}

/** A step's result: the batch's cross-entropy and Dice, this share's NonAdjLoss, the arg-max of its labelled items. */
export interface StepWorkerDone {
  type: 'done';
  crossEntropy: number;
  dice: number;
  nonAdjacency: number;
  prediction: Int32Array;
  /** Σ g² over this replica's part of the summed gradient (float64): the coordinator's finiteness check. */
  gradSquares: number;
}

/** A failure; `aborted` when this replica only stopped because another one failed. */
export interface StepWorkerFailed {
  type: 'failed';
  message: string;
  aborted: boolean;
}

if (!parentPort) throw new Error('stepWorker must run in a worker thread');
const port = parentPort;

interface Replica {
  init: StepWorkerInit;
  model: import('@tensorflow/tfjs-layers').LayersModel;
  loss: import('../loss/makeSegmentationLoss.js').SegmentationLoss;
  trainable: tf.Variable[];
  nonTrainable: tf.Variable[];
  exchange: import('./makeSumExchange.js').SumExchange;
  engine: GradientEngine;
  abort: () => void;
  /** Float32 views of the shared buffers, made once. */
  weights: Float32Array;
  grads: Float32Array;
  summed: Float32Array;
}

let replica: Replica | null = null;

async function start(init: StepWorkerInit): Promise<Replica> {
  const [{ initEngine }, tfl, { makeSegmentationLoss }, { AdjacencyPrior }, { makeSumExchange, abortSumExchange }, { makeGradientEngine }] = await Promise.all([
    import('../engine/initEngine.js'),
    import('@tensorflow/tfjs-layers'),
    import('../loss/makeSegmentationLoss.js'),
    import('../prior/AdjacencyPrior.js'),
    import('./makeSumExchange.js'),
    import('./makeGradientEngine.js'),
    // Registers the project's layers (MaxUnpooling2D, UpSampling3D) for modelFromJSON.
    import('../model/modelFiles.js'),
  ]);
  await initEngine({ backend: init.backend });
  const model = await tfl.models.modelFromJSON({ modelTopology: init.topology } as unknown as Parameters<typeof tfl.models.modelFromJSON>[0]);
  const loss = makeSegmentationLoss({
    prior: AdjacencyPrior.fromCounts(init.priorCounts),
    classWeights: init.classWeights,
    diceWeight: init.diceWeight,
    nanCheck: 'off',
  });
  const engine = await makeGradientEngine(model, { engine: init.engine, threads: 1 });
  return {
    init,
    model,
    loss,
    engine,
    trainable: model.trainableWeights.map((w) => w.read() as tf.Variable),
    nonTrainable: model.nonTrainableWeights.map((w) => w.read() as tf.Variable),
    exchange: makeSumExchange(init.exchange, init.index),
    abort: () => abortSumExchange(init.exchange),
    weights: new Float32Array(init.weights),
    grads: new Float32Array(init.grads),
    summed: new Float32Array(init.summed),
  };
}

async function step(r: Replica, job: StepWorkerJob): Promise<StepWorkerDone> {
  const weights = r.weights;
  const trainableSize = r.grads.length / r.init.count;
  if (r.engine.kind === 'tfjs') {
    let offset = 0;
    // Every replica starts the step from the coordinator's weights (trainable and non-trainable), so they never drift.
    // tf.tensor copies the view into the backend's memory at once: no JS copy of the weights per step.
    for (const v of [...r.trainable, ...r.nonTrainable]) {
      const t = tf.tensor(weights.subarray(offset, offset + v.size), v.shape, 'float32');
      v.assign(t);
      t.dispose();
      offset += v.size;
    }
  }
  // onnxruntime reads copies of the trainable weights (its models have no other weights): it refuses typed arrays on a
  // SharedArrayBuffer ("Invalid argument"), and the copy is ~1 ms a step.
  const weightViews = (): Float32Array[] => {
    let offset = 0;
    return r.trainable.map((v) => weights.slice(offset, (offset += v.size)));
  };
  const x = tf.tensor(job.x, [job.labelled + job.unlabelled, ...job.sampleShape], 'float32');
  const y = tf.tensor(job.labels, [job.labelled, ...job.labelShape], 'int32');
  let result: import('./makeGradientEngine.js').GradientResult<import('../loss/makeSegmentationLoss.js').SegmentationLossResult> | null = null;
  try {
    result = await r.engine.compute(
      x,
      job.labelled,
      (logits) => r.loss(logits, y, { lambda: job.lambda, pool: (sums) => r.exchange.sum(sums), share: job.share }),
      weightViews,
    );
    const { terms, grads, predicted } = result;
    const out = r.grads;
    let o = r.init.index * trainableSize;
    // Straight from the backend's memory into the shared row (viewTensorData: no copy on wasm; measured, the copies
    // and the garbage they made were a visible part of a worker's step).
    for (const g of grads) {
      out.set(viewTensorData(g), o);
      o += g.size;
    }
    // All-reduce in parts: once every row is written, each replica sums its part of the parameters over the rows, in
    // replica order, in float64 rounded once (the sum the coordinator used to do alone: the same bits, in parallel).
    r.exchange.barrier();
    const { count, index } = r.init;
    const [lo, hi] = [Math.floor((index * trainableSize) / count), Math.floor(((index + 1) * trainableSize) / count)];
    const summed = r.summed;
    let gradSquares = 0;
    for (let i = lo; i < hi; i++) {
      let s = 0;
      for (let k = 0; k < count; k++) s += out[k * trainableSize + i];
      const g = Math.fround(s);
      summed[i] = g;
      gradSquares += g * g;
    }
    if (r.init.index === 0 && r.nonTrainable.length > 0) {
      // Replica 0's batch-norm moving statistics (updated by its forward pass) go back to the coordinator's model.
      let w = trainableSize;
      for (const v of r.nonTrainable) {
        weights.set(viewTensorData(v), w);
        w += v.size;
      }
    }
    const [crossEntropy, dice, nonAdjacency] = [terms.crossEntropy, terms.dice, terms.nonAdjacency].map((p) => p.dataSync()[0]);
    const prediction = Int32Array.from(predicted.dataSync());
    return { type: 'done', crossEntropy, dice, nonAdjacency, prediction, gradSquares };
  } finally {
    result?.dispose();
    tf.dispose([x, y]);
  }
}

port.on('message', (message: StepWorkerInit | StepWorkerJob) => {
  if (message.type === 'init') {
    start(message).then(
      (r) => {
        replica = r;
        port.postMessage({ type: 'ready', engine: r.engine.description });
      },
      (error: Error) => port.postMessage({ type: 'failed', message: error.message, aborted: false } satisfies StepWorkerFailed),
    );
    return;
  }
  const r = replica;
  const failed = (error: unknown): void => {
    r?.abort();
    const aborted = (error as Error).message.includes('the exchange was aborted');
    port.postMessage({ type: 'failed', message: (error as Error).message, aborted } satisfies StepWorkerFailed);
  };
  if (r === null) return failed(new Error('stepWorker: a step before init'));
  step(r, message).then((done) => port.postMessage(done, [done.prediction.buffer as ArrayBuffer]), failed);
});
