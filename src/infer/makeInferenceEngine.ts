import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { toOnnx } from '../model/toOnnx.js';
import { openOnnxSessions, type EngineChoice, type OnnxRuntimeModule } from './openOnnxSessions.js';

/**
 * One forward pass of a model on a batch, outside tfjs: `input` is `[B, …spatial, Cin]` float32 row-major
 * (channels last, as the tfjs model takes it) of the given `shape`; resolves to the logits `[B, …spatial, C]`,
 * row-major, what `model.predict` would give.
 */
export type BatchForward = (input: Float32Array, shape: readonly number[]) => Promise<Float32Array>;

export { importOnnxRuntime, ONNX_RUNTIME_MISSING } from './openOnnxSessions.js';
export type { EngineChoice, OnnxRuntimeModule } from './openOnnxSessions.js';

/** Options of {@link makeInferenceEngine}. */
export interface MakeInferenceEngineOptions {
  /** @default 'auto' */
  engine?: EngineChoice;
  /** onnxruntime's intra-op threads. @default the number of cores (`os.availableParallelism()`) */
  threads?: number;
  /** Loads onnxruntime-node; by default a dynamic import of the package. Tests inject a failing one. */
  loadRuntime?: () => Promise<OnnxRuntimeModule>;
}

/** The engine a model runs on for inference. */
export interface InferenceEngine {
  /** `'onnx'` (onnxruntime-node) or `'tfjs'` (the model's own `predict`). */
  kind: 'onnx' | 'tfjs';
  /** For the one stderr line: `onnxruntime-node 1.31.1, 2 threads` or `tfjs wasm (onnxruntime-node not installed)`. */
  description: string;
  /** onnx: the batch forward of the exported model; tfjs: undefined (the predictors call `model.predict`). */
  forward?: BatchForward;
  /** Seconds spent exporting the model and creating the session (onnx), 0 for tfjs. */
  setupSeconds: number;
  /** Releases the onnxruntime session (nothing for tfjs). */
  dispose(): Promise<void>;
}

/**
 * Choose and set up the inference engine of a model (logits output, see `toLogits`): onnxruntime-node running the
 * model exported with `toOnnx` (5–11× faster forward passes than tfjs-backend-wasm on CPU), or tfjs. `'auto'` takes
 * onnxruntime when the package loads and the model exports, and says why not otherwise. The exported bytes hold the
 * model's current weights: after training changes them, make a new engine.
 *
 * @throws Error with {@link ONNX_RUNTIME_MISSING} when `'onnx'` is asked for and the package does not load; the
 *   exporter's Error (naming the layer) when `'onnx'` is asked for and the model does not export, or an Error when
 *   onnxruntime refuses the exported model; RangeError for a thread count that is not a positive integer.
 */
export async function makeInferenceEngine(model: LayersModel, options: MakeInferenceEngineOptions = {}): Promise<InferenceEngine> {
  const choice = options.engine ?? 'auto';
  const threads = options.threads ?? os.availableParallelism();
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`makeInferenceEngine: threads ${threads} must be a positive integer`);
  const tfjs = (why: string): InferenceEngine => ({ kind: 'tfjs', description: `tfjs ${tf.getBackend()}${why}`, setupSeconds: 0, dispose: async () => {} });
  if (choice === 'tfjs') return tfjs('');
  const opened = await openOnnxSessions({
    engine: choice,
    loadRuntime: options.loadRuntime,
    convert: () => toOnnx(model),
    bytesOf: (bytes) => [bytes],
    notCovered: [/^toOnnx: /, 'not exportable: '],
    what: `the exported model ${model.name}`,
    sessionOptions: {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      // Without the arena, memory goes back after each run: a MeshNet's one-pass head box peaks at 3.6 GB instead of
      // 7.6 GB (measured), and the demo baseline's 2 mm brain runs as fast (0.93–0.95 s CPU either way).
      enableCpuMemArena: false,
    },
    op: 'makeInferenceEngine',
  });
  if (opened.kind === 'tfjs') return tfjs(` (${opened.why})`);
  const { ort, sessions: [session], version, setupSeconds } = opened;
  const forward: BatchForward = async (input, shape) => {
    const result = await session.run({ input: new ort.Tensor('float32', input, shape) });
    return result.output.data as Float32Array;
  };
  return {
    kind: 'onnx',
    description: `onnxruntime-node ${version}, ${threads} thread${threads === 1 ? '' : 's'}`,
    forward,
    setupSeconds,
    dispose: () => session.release(),
  };
}
