import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { SegmentationLossResult } from '../loss/makeSegmentationLoss.js';
import { openOnnxSessions, type EngineChoice, type OnnxRuntimeModule } from '../infer/openOnnxSessions.js';
import { toOnnxTraining } from '../model/toOnnxTraining.js';

/** A loss as the engines take it: its total (what is differentiated); every other field must be a scalar term too (kept for the logs). */
export interface LossTerms {
  total: tf.Scalar;
}

/** What one gradient computation gives: the loss, its terms, the arg-max of the labelled items, each weight's gradient. */
export interface GradientResult<T extends LossTerms = SegmentationLossResult> {
  /** The loss terms as the loss returned them (scalars, kept: the caller disposes them with {@link GradientResult.dispose}). */
  terms: T;
  /**
   * `[labelled, …spatial]` int32: the arg-max class of the labelled items (the first `labelled` of the batch); `[0]`
   * when `labelled` is 0.
   */
  predicted: tf.Tensor;
  /** One gradient per trainable weight, in `model.trainableWeights` order, each of the weight's shape. */
  grads: tf.Tensor[];
  /** Disposes every tensor above. */
  dispose(): void;
}

/** The engine of a training step's forward and backward passes. */
export interface GradientEngine {
  /** `'onnx'`: onnxruntime-node runs the network's forward and backward passes; `'tfjs'`: tfjs' tape (`variableGrads`). */
  kind: 'onnx' | 'tfjs';
  /** For the one stderr line and the run's record: `onnxruntime-node 1.31.1 (training graphs), 1 thread` or `tfjs wasm (…why)`. */
  description: string;
  /**
   * The gradient of `lossOf(logits)` with respect to the trainable weights on the batch `x` (`[B, …spatial, Cin]`, the
   * labelled items first). `weights` gives the trainable weights' current values in `model.trainableWeights` order
   * (onnx reads them from there, once per call; tfjs reads the model's variables, which must hold the same values).
   */
  compute<T extends LossTerms = SegmentationLossResult>(x: tf.Tensor, labelled: number, lossOf: (logits: tf.Tensor) => T, weights: () => readonly Float32Array[]): Promise<GradientResult<T>>;
  /** Releases the onnxruntime sessions. */
  dispose(): Promise<void>;
}

/** Options of {@link makeGradientEngine}. */
export interface MakeGradientEngineOptions {
  /** @default 'auto' */
  engine?: EngineChoice;
  /** onnxruntime's intra-op threads. @default 1 (one per worker: data-parallel workers use the other cores) */
  threads?: number;
  /** Loads onnxruntime-node; tests inject a failing one. */
  loadRuntime?: () => Promise<OnnxRuntimeModule>;
}

/**
 * Choose the engine of a model's training step: onnxruntime-node running the graphs of `toOnnxTraining` (the network's
 * forward pass, then its backward pass from the loss's gradient with respect to the logits, which tfjs computes), or
 * tfjs' tape over the whole step. `'auto'` takes onnxruntime when the package loads and the model's layers are covered,
 * and says why not otherwise. Either way the loss, its gradient with respect to the logits and the optimiser run on
 * tfjs, so the two engines differ only in the float rounding of the network's passes (checked against each other in
 * the tests).
 *
 * Why: the network's convolutions are most of a step's time, and onnxruntime's (MLAS) run 2–3× faster than
 * tfjs-backend-wasm's on this project's machines (`npm run bench -- step`).
 *
 * @throws Error with {@link ONNX_RUNTIME_MISSING} when `'onnx'` is asked for and the package does not load; the
 *   exporter's Error (naming the layer) when `'onnx'` is asked for and the model is not covered; RangeError for a
 *   thread count that is not a positive integer.
 */
export async function makeGradientEngine(model: LayersModel, options: MakeGradientEngineOptions = {}): Promise<GradientEngine> {
  const choice = options.engine ?? 'auto';
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`makeGradientEngine: threads ${threads} must be a positive integer`);
  if (choice === 'tfjs') return tfjsEngine(model, '');
  const opened = await openOnnxSessions({
    engine: choice,
    loadRuntime: options.loadRuntime,
    convert: () => toOnnxTraining(model),
    bytesOf: (g) => [g.forward, g.backward],
    notCovered: [/^toOnnxTraining: /, 'not covered by the training graphs: '],
    what: `the training graphs of ${model.name}`,
    // Errors only: onnxruntime's warnings would print on the CLI's stderr between its own lines.
    sessionOptions: { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential', logSeverityLevel: 3 },
    op: 'makeGradientEngine',
  });
  if (opened.kind === 'tfjs') return tfjsEngine(model, ` (${opened.why})`);
  const { ort, graphs, sessions, version } = opened;
  const [forward, backward] = sessions;
  const shapes = model.trainableWeights.map((w) => [...w.shape] as number[]);
  return {
    kind: 'onnx',
    description: `onnxruntime-node ${version} (training graphs), ${threads} thread${threads === 1 ? '' : 's'}`,
    async compute<T extends LossTerms>(x: tf.Tensor, labelled: number, lossOf: (logits: tf.Tensor) => T, weightsOf: () => readonly Float32Array[]): Promise<GradientResult<T>> {
      const weights = weightsOf();
      if (weights.length !== shapes.length) throw new RangeError(`makeGradientEngine: ${weights.length} weights for ${shapes.length} trainable weights`);
      const weightFeeds: Record<string, unknown> = {};
      weights.forEach((w, i) => (weightFeeds[graphs.weights[i]] = new ort.Tensor('float32', w, shapes[i])));
      const input = x.dataSync() as Float32Array;
      const out = await forward.run({ input: new ort.Tensor('float32', input, x.shape), ...weightFeeds });
      const logitsOut = out.logits;
      const logits = tf.tensor(logitsOut.data as Float32Array, [...logitsOut.dims], 'float32');
      let terms: T | null = null;
      let predicted: tf.Tensor | null = null;
      try {
        const { value, grad } = tf.valueAndGrad((z: tf.Tensor) => {
          const t = lossOf(z);
          terms = keepTerms(t);
          return t.total;
        })(logits);
        (terms as unknown as LossTerms).total = value; // the same scalar, kept by valueAndGrad
        predicted = argMaxOfLabelled(logits, labelled);
        const dlogits = grad.dataSync() as Float32Array;
        grad.dispose();
        const feeds: Record<string, unknown> = { dlogits: new ort.Tensor('float32', dlogits, [...logitsOut.dims]), ...weightFeeds };
        for (const name of graphs.saved) feeds[name] = out[name];
        const back = await backward.run(feeds);
        const grads = graphs.grads.map((name, i) => tf.tensor(back[name].data as Float32Array, shapes[i], 'float32'));
        const kept = terms as unknown as T;
        const p = predicted;
        return { terms: kept, predicted: p, grads, dispose: () => tf.dispose([...scalarsOf(kept), p, ...grads]) };
      } catch (error) {
        const t = terms as T | null;
        if (t) tf.dispose(scalarsOf(t));
        if (predicted) (predicted as tf.Tensor).dispose();
        throw error;
      } finally {
        logits.dispose();
      }
    },
    dispose: async () => {
      await Promise.all(sessions.map((s) => s.release()));
    },
  };
}

/** tfjs' tape over the model and the loss (the engine where onnxruntime is not used). */
function tfjsEngine(model: LayersModel, why: string): GradientEngine {
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  return {
    kind: 'tfjs',
    description: `tfjs ${tf.getBackend()}${why}`,
    async compute<T extends LossTerms>(x: tf.Tensor, labelled: number, lossOf: (logits: tf.Tensor) => T): Promise<GradientResult<T>> {
      let terms: T | null = null;
      let predicted: tf.Tensor | null = null;
      const { value, grads } = tf.variableGrads(() => {
        const logits = model.apply(x, { training: true }) as tf.Tensor;
        const t = lossOf(logits);
        terms = keepTerms(t);
        // Labelled items come first in the batch (METHOD.md §5).
        predicted = tf.keep(argMaxOfLabelled(logits, labelled));
        return t.total;
      }, variables);
      (terms as unknown as LossTerms).total = value; // the same scalar, kept by variableGrads
      const list = variables.map((v) => grads[v.name]);
      const kept = terms as unknown as T;
      const p = predicted as unknown as tf.Tensor;
      return { terms: kept, predicted: p, grads: list, dispose: () => tf.dispose([...scalarsOf(kept), p, ...list]) };
    },
    dispose: async () => {},
  };
}

/** The loss's terms but its total, kept past the gradient function's scope (the total is the gradient's value). */
function keepTerms<T extends LossTerms>(t: T): T {
  const kept: Record<string, tf.Scalar> = {};
  for (const [key, v] of Object.entries(t) as Array<[string, tf.Scalar]>) kept[key] = key === 'total' ? v : tf.keep(v);
  return kept as unknown as T;
}

function scalarsOf(t: LossTerms): tf.Tensor[] {
  return Object.values(t) as tf.Tensor[];
}

/** The arg-max class of the first `labelled` items, `[labelled, …spatial]` int32 (`[0]` for none). */
function argMaxOfLabelled(logits: tf.Tensor, labelled: number): tf.Tensor {
  return labelled === 0 ? tf.zeros([0], 'int32') : tf.tidy(() => tf.argMax(tf.slice(logits, 0, labelled), -1));
}
