/**
 * A few seeded training steps of a segmentation model (logits output, softmax cross-entropy, Adam), for the
 * model tests in `src/model/`: does the loss fall, do backends agree, are tensors freed.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';

export interface TrainStepsOptions {
  /** Batch input shape, channels last: `[B, H, W, k]` or `[B, D, H, W, 1]`. */
  inputShape: number[];
  numClasses: number;
  steps: number;
  learningRate: number;
  /** Seed of the random input and labels. Default 5. */
  seed?: number;
}

export interface TrainStepsResult {
  /** Loss before each step's update. */
  losses: number[];
  /** Live tensors after the first step and after the last (equal when the steps leak nothing). */
  tensorsBefore: number;
  tensorsAfter: number;
}

/**
 * Train `model` for `steps` Adam steps on one fixed random batch whose labels are a smooth function of the
 * input (class = bucket of the centre channel), so a few steps can lower the loss.
 */
export function trainSteps(model: LayersModel, options: TrainStepsOptions): TrainStepsResult {
  const seed = options.seed ?? 5;
  const x = tf.randomNormal(options.inputShape, 0, 1, 'float32', seed);
  const labels = tf.tidy(() => {
    const centre = tf.slice(x, new Array(options.inputShape.length).fill(0).map((_, i, a) => (i === a.length - 1 ? Math.floor(options.inputShape[i] / 2) : 0)),
      options.inputShape.map((d, i, a) => (i === a.length - 1 ? 1 : d)));
    const bucket = tf.clipByValue(tf.floor(tf.add(tf.mul(centre, options.numClasses / 3), options.numClasses / 2)), 0, options.numClasses - 1);
    return tf.oneHot(tf.cast(tf.squeeze(bucket, [options.inputShape.length - 1]), 'int32'), options.numClasses);
  });
  const optimizer = tf.train.adam(options.learningRate);
  const losses: number[] = [];
  let tensorsBefore = 0;
  for (let step = 0; step < options.steps; step++) {
    const loss = optimizer.minimize(() => {
      const logits = model.apply(x, { training: true }) as tf.Tensor;
      return tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.logSoftmax(logits)), -1))) as tf.Scalar;
    }, true) as tf.Scalar;
    losses.push(loss.dataSync()[0]);
    loss.dispose();
    if (step === 0) tensorsBefore = tf.memory().numTensors;
  }
  const tensorsAfter = tf.memory().numTensors;
  optimizer.dispose();
  tf.dispose([x, labels]);
  return { losses, tensorsBefore, tensorsAfter };
}
