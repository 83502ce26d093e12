import * as tf from '@tensorflow/tfjs-core';
import type { makeSegmentationLoss } from '../loss/makeSegmentationLoss.js';
import { batchDiceCoefficient } from '../metric/batchDiceCoefficient.js';
import type { GradientEngine } from './makeGradientEngine.js';
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
 * One optimisation step: batch → tensors, forward on labelled + unlabelled items, loss, gradients (on `engine`), update.
 * Tensors made here are all disposed here.
 */
export async function runStep(
  engine: GradientEngine,
  loss: ReturnType<typeof makeSegmentationLoss>,
  optimizer: ReturnType<typeof makeOptimizer>,
  variables: tf.Variable[],
  batch: StepBatch,
  lambda: number,
  learningRate: number,
): Promise<StepResult> {
  const per = batch.sampleShape.reduce((a, b) => a * b, 1);
  const all = new Float32Array((batch.labelledCount + batch.unlabelledCount) * per);
  all.set(batch.labelled);
  if (batch.unlabelled) all.set(batch.unlabelled, batch.labelled.length);
  const x = tf.tensor(all, [batch.labelledCount + batch.unlabelledCount, ...batch.sampleShape], 'float32');
  const y = tf.tensor(batch.labels, [batch.labelledCount, ...batch.labelShape], 'int32');
  try {
    const r = await engine.compute(
      x,
      batch.labelledCount,
      (logits) => loss(logits, y, { lambda }),
      () => variables.map((v) => v.dataSync() as Float32Array),
    );
    try {
      const { terms, grads } = r;
      const summary = tf.tidy(() => tf.stack([terms.total, terms.crossEntropy, terms.dice, terms.nonAdjacency, tf.addN(grads.map((g) => tf.sum(tf.square(g))))]));
      const [total, crossEntropy, dice, nonAdjacency, gradSquares] = summary.dataSync();
      summary.dispose();
      const finite = [total, gradSquares].every(Number.isFinite);
      if (finite) optimizer.apply(grads, learningRate);
      const prediction = r.predicted.dataSync() as Int32Array;
      const diceCoefficient = batchDiceCoefficient(batch.labels, prediction, { batchSize: batch.labelledCount }).meanDice;
      return { finite, total, crossEntropy, dice, nonAdjacency, diceCoefficient };
    } finally {
      r.dispose();
    }
  } finally {
    tf.dispose([x, y]);
  }
}
