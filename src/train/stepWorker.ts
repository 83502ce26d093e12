/**
 * Worker-thread entry of {@link startParallelStep}: one replica of the model on its own tfjs backend (one wasm
 * instance, one core), computing the gradient of its share of each batch. Messages in: one `init`
 * ({@link StepWorkerInit}), then `step` ({@link StepWorkerJob}) per step; out: `ready`, then `done`
 * ({@link StepWorkerDone}) or `failed` ({@link StepWorkerFailed}) per step.
 *
 * Per step: the weights are read from the shared weight buffer (the coordinator's, after its last update), the share
 * goes forward, the loss pools the cross-entropy's and Dice's sums with the other replicas inside the forward pass
 * (`makeSumExchange`), and the gradients are written into this replica's row of the shared gradient buffer.
 */
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import type { EngineBackend } from '../engine/initEngine.js';
import type { SumExchangeMemory } from './makeSumExchange.js';

/** The `init` message. */
export interface StepWorkerInit {
  type: 'init';
  /** This replica's index (0 = the first share of each batch) and the replica count. */
  index: number;
  count: number;
  backend: EngineBackend;
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
  abort: () => void;
}

let replica: Replica | null = null;

async function start(init: StepWorkerInit): Promise<Replica> {
  const [{ initEngine }, tfl, { makeSegmentationLoss }, { AdjacencyPrior }, { makeSumExchange, abortSumExchange }] = await Promise.all([
    import('../engine/initEngine.js'),
    import('@tensorflow/tfjs-layers'),
    import('../loss/makeSegmentationLoss.js'),
    import('../prior/AdjacencyPrior.js'),
    import('./makeSumExchange.js'),
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
  return {
    init,
    model,
    loss,
    trainable: model.trainableWeights.map((w) => w.read() as tf.Variable),
    nonTrainable: model.nonTrainableWeights.map((w) => w.read() as tf.Variable),
    exchange: makeSumExchange(init.exchange, init.index),
    abort: () => abortSumExchange(init.exchange),
  };
}

function step(r: Replica, job: StepWorkerJob): StepWorkerDone {
  const weights = new Float32Array(r.init.weights);
  let offset = 0;
  // Every replica starts the step from the coordinator's weights (trainable and non-trainable), so they never drift.
  for (const v of [...r.trainable, ...r.nonTrainable]) {
    const t = tf.tensor(weights.slice(offset, offset + v.size), v.shape, 'float32');
    v.assign(t);
    t.dispose();
    offset += v.size;
  }
  const x = tf.tensor(job.x, [job.labelled + job.unlabelled, ...job.sampleShape], 'float32');
  const y = tf.tensor(job.labels, [job.labelled, ...job.labelShape], 'int32');
  let parts: tf.Scalar[] = [];
  let predicted: tf.Tensor | null = null;
  try {
    const { value, grads } = tf.variableGrads(() => {
      const logits = r.model.apply(x, { training: true }) as tf.Tensor;
      const l = r.loss(logits, y, { lambda: job.lambda, pool: (sums) => r.exchange.sum(sums), share: job.share });
      parts = [tf.keep(l.crossEntropy), tf.keep(l.dice), tf.keep(l.nonAdjacency)];
      predicted = tf.keep(tf.argMax(tf.slice(logits, 0, job.labelled), -1));
      return l.total;
    }, r.trainable);
    const out = new Float32Array(r.init.grads);
    const trainableSize = out.length / r.init.count;
    let o = r.init.index * trainableSize;
    for (const v of r.trainable) {
      out.set(grads[v.name].dataSync() as Float32Array, o);
      o += v.size;
    }
    tf.dispose([value, ...Object.values(grads)]);
    if (r.init.index === 0 && r.nonTrainable.length > 0) {
      // Replica 0's batch-norm moving statistics (updated by its forward pass) go back to the coordinator's model.
      let w = trainableSize;
      for (const v of r.nonTrainable) {
        weights.set(v.dataSync() as Float32Array, w);
        w += v.size;
      }
    }
    const [crossEntropy, dice, nonAdjacency] = parts.map((p) => p.dataSync()[0]);
    const prediction = Int32Array.from((predicted as tf.Tensor | null)!.dataSync());
    return { type: 'done', crossEntropy, dice, nonAdjacency, prediction };
  } finally {
    tf.dispose([x, y, ...parts, ...(predicted ? [predicted] : [])]);
  }
}

port.on('message', (message: StepWorkerInit | StepWorkerJob) => {
  if (message.type === 'init') {
    start(message).then(
      (r) => {
        replica = r;
        port.postMessage({ type: 'ready' });
      },
      (error: Error) => port.postMessage({ type: 'failed', message: error.message, aborted: false } satisfies StepWorkerFailed),
    );
    return;
  }
  const r = replica;
  try {
    if (r === null) throw new Error('stepWorker: a step before init');
    const done = step(r, message);
    port.postMessage(done, [done.prediction.buffer as ArrayBuffer]);
  } catch (error) {
    r?.abort();
    const aborted = (error as Error).message.includes('the exchange was aborted');
    port.postMessage({ type: 'failed', message: (error as Error).message, aborted } satisfies StepWorkerFailed);
  }
});
