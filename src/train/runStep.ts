import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { makeSegmentationLoss } from '../loss/makeSegmentationLoss.js';
import type { StepBatch } from './makeBatchSource.js';
import type { makeOptimizer } from './optimizer.js';

/** The step's loss terms, and whether the update was applied. */
export interface StepResult {
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
export function runStep(
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
      const logits = model.apply(x, { training: true }) as tf.Tensor;
      const r = loss(logits, y, { lambda });
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
