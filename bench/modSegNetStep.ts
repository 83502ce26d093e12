/**
 * The ModSegNet training step as `nonadj demo` runs it, for the benchmarks and the per-kernel profile:
 * ModSegNet (filters 16/32/64/128 by default) on `[B, 96, 96, 7]` slices, 26 classes (the demo's prior: 25 AAL regions
 * + background), the loss of `makeSegmentationLoss` (class-weighted CE + 5·Dice + λ·NonAdjLoss) **from logits**,
 * Adam through the training loop's own optimiser (`makeOptimizer`). The model's softmax classifier is switched to
 * a linear one here (the models are moving to logit outputs). Inputs are seeded random intensities and labels: no
 * kernel in the step depends on the values (the sparse NonAdjLoss costs O(allowed pairs × pixels) whatever they are).
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { AdjacencyPrior } from '../src/prior/AdjacencyPrior.js';
import { makeModSegNet } from '../src/model/makeModSegNet.js';
import { makeSegmentationLoss } from '../src/loss/makeSegmentationLoss.js';
import { makeOptimizer } from '../src/train/optimizer.js';

/** The demo's prior (26 labels), shipped with its baseline. */
export async function demoPrior(): Promise<AdjacencyPrior> {
  return AdjacencyPrior.read(path.resolve(import.meta.dirname, '../demo/baseline/graph.json'));
}

/** Options of {@link makeModSegNetStep}. */
export interface ModSegNetStepOptions {
  prior: AdjacencyPrior;
  filters?: number[];
  /** Labelled items per batch. @default 4 */
  labelled?: number;
  /** Unlabelled items per batch (NonAdjLoss only). @default 0 */
  unlabelled?: number;
  /** Slice size (square). @default 96 */
  size?: number;
  /** Stacked slices (input channels). @default 7 */
  k?: number;
  lambda?: number;
  seed?: number;
}

/** A ready step: `run()` does data → forward → loss → backward → Adam and returns the loss. */
export interface ModSegNetStep {
  model: LayersModel;
  /** Phase hooks, called at the boundaries, for the profiler. */
  run(phase?: (name: 'data' | 'forward' | 'loss' | 'backward' | 'optimizer') => void): number;
  dispose(): void;
}

/** Makes the model output logits: the classifier's softmax replaced by the identity (registered 'linear'). */
export function toLogits(model: LayersModel): LayersModel {
  const layer = model.getLayer('classifier') as unknown as { activation: unknown };
  const linear = tf.serialization.SerializationMap.getMap().classNameMap.linear;
  if (linear === undefined) throw new Error("modSegNetStep: tfjs-layers' 'linear' activation is not registered");
  layer.activation = new (linear[0] as new () => unknown)();
  return model;
}

/** Seeded uniform values in [0, 1) (mulberry32). */
function seeded(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  return out;
}

/** Builds the step (model, loss, optimiser, one batch held in host memory as the sampler gives it). */
export function makeModSegNetStep(options: ModSegNetStepOptions): ModSegNetStep {
  const { prior, filters = [16, 32, 64, 128], labelled = 4, unlabelled = 0, size = 96, k = 7, lambda = 1, seed = 1 } = options;
  const classes = prior.numLabels;
  const model = toLogits(makeModSegNet({ inputShape: [size, size, k], numClasses: classes, filters, seed }));
  const variables = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  const loss = makeSegmentationLoss({ prior, lambda, nanCheck: 'off' });
  const optimizer = makeOptimizer(variables, { kind: 'adam', learningRate: 1e-3 });
  const n = labelled + unlabelled;
  const images = seeded(n * size * size * k, seed + 10).map((v) => 2 * v - 1);
  const labels = Int32Array.from(seeded(labelled * size * size, seed + 20), (v) => Math.floor(v * classes));
  return {
    model,
    run(phase = () => {}) {
      phase('data');
      const x = tf.tensor(images, [n, size, size, k], 'float32');
      const y = tf.tensor(labels, [labelled, size, size], 'int32');
      const { value, grads } = tf.variableGrads(() => {
        phase('forward');
        const logits = model.apply(x, { training: true }) as tf.Tensor;
        phase('loss');
        const total = loss(logits, y, { lambda }).total;
        phase('backward');
        return total;
      }, variables);
      phase('optimizer');
      optimizer.apply(variables.map((v) => grads[v.name]), 1e-3);
      const out = value.dataSync()[0];
      tf.dispose([x, y, value, ...Object.values(grads)]);
      return out;
    },
    dispose() {
      optimizer.dispose();
      model.dispose();
    },
  };
}
