import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { makeSegmentationLoss } from '../loss/makeSegmentationLoss.js';
import { batchDiceCoefficient } from '../metric/batchDiceCoefficient.js';
import type { StepBatch } from './makeBatchSource.js';
import type { makeOptimizer } from './optimizer.js';

/** The step's loss terms, and whether the update was applied. */
export interface StepResult {
  finite: boolean;
  total: number;
  crossEntropy: number;
  dice: number;
  nonAdjacency: number;
  /**
   * Dice coefficient (0…1) of the arg-max prediction on the labelled items, before the update (`batchDiceCoefficient`):
   * what the reference's λ heuristic averages over the warm-up epoch (METHOD.md §4). Null when no item has a class.
   */
  diceCoefficient: number | null;
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
  let predicted: tf.Tensor | null = null;
  try {
    const { value, grads } = tf.variableGrads(() => {
      const logits = model.apply(x, { training: true }) as tf.Tensor;
      const r = loss(logits, y, { lambda });
      parts = [tf.keep(r.crossEntropy), tf.keep(r.dice), tf.keep(r.nonAdjacency)];
      // Labelled items come first in the batch (METHOD.md §5).
      predicted = tf.keep(tf.argMax(tf.slice(logits, 0, batch.labelledCount), -1));
      return r.total;
    }, variables);
    const gradList = variables.map((v) => grads[v.name]);
    const summary = tf.tidy(() => tf.stack([value, ...parts, tf.addN(gradList.map((g) => tf.sum(tf.square(g))))]));
    const [total, crossEntropy, dice, nonAdjacency, gradSquares] = summary.dataSync();
    summary.dispose();
    const finite = [total, gradSquares].every(Number.isFinite);
    if (finite) optimizer.apply(gradList, learningRate);
    tf.dispose([value, ...Object.values(grads)]);
    const prediction = (predicted as tf.Tensor | null)!.dataSync() as Int32Array;
    const diceCoefficient = batchDiceCoefficient(batch.labels, prediction, { batchSize: batch.labelledCount }).meanDice;
    return { finite, total, crossEntropy, dice, nonAdjacency, diceCoefficient };
  } finally {
    tf.dispose([x, y, ...parts, ...(predicted ? [predicted] : [])]);
  }
}
