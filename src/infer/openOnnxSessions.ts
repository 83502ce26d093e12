/** The engine asked for: `'auto'` (onnxruntime-node when it loads and the model exports, else tfjs), `'tfjs'` or `'onnx'`. */
export type EngineChoice = 'auto' | 'tfjs' | 'onnx';

/** Options of an onnxruntime session, as this project sets them. */
export interface OnnxSessionOptions {
  intraOpNumThreads?: number;
  interOpNumThreads?: number;
  graphOptimizationLevel?: 'all';
  executionMode?: 'sequential';
  enableCpuMemArena?: boolean;
  /** 0 verbose … 3 error, 4 fatal: onnxruntime's own log lines go to stderr. */
  logSeverityLevel?: 0 | 1 | 2 | 3 | 4;
}

/** One onnxruntime session, the parts used here. */
export interface OnnxSession {
  run(feeds: Record<string, unknown>): Promise<Record<string, { data: unknown; dims: readonly number[] }>>;
  release(): Promise<void>;
}

/** The few parts of the onnxruntime-node module used here (its own types are not imported, so that tsc does not need it). */
export interface OnnxRuntimeModule {
  InferenceSession: { create(model: Uint8Array, options: OnnxSessionOptions): Promise<OnnxSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => unknown;
  env: { versions: { node?: string; common: string } };
}

// The module name is held in a variable so that tsc and bundlers do not require the optional package.
const ortModule = 'onnxruntime-node';
/** Loads onnxruntime-node (a dynamic import: the package is an optional peer); rejects when it is not installed. */
export const importOnnxRuntime = async (): Promise<OnnxRuntimeModule> => {
  const m = (await import(ortModule)) as OnnxRuntimeModule & { default?: OnnxRuntimeModule };
  return m.InferenceSession ? m : m.default!;
};

/** The message when `'onnx'` is asked for but the package does not load. */
export const ONNX_RUNTIME_MISSING = 'onnxruntime-node is not installed: npm install onnxruntime-node (or use --engine tfjs)';

/** Options of {@link openOnnxSessions}. */
export interface OpenOnnxSessionsOptions<G> {
  /** `'auto'` falls back to tfjs (with the reason) at the first step that fails; `'onnx'` throws there instead. */
  engine: 'auto' | 'onnx';
  /** Loads onnxruntime-node; tests inject a failing one. @default importOnnxRuntime */
  loadRuntime?: () => Promise<OnnxRuntimeModule>;
  /** Converts the model to its ONNX graph(s), e.g. `toOnnx`; throws, naming the layer, when the model is not covered. */
  convert: () => G;
  /** The graphs' bytes, one session each, in order. */
  bytesOf: (graphs: G) => readonly Uint8Array[];
  /** A conversion error in the fallback's reason: the converter's prefix replaced, e.g. `[/^toOnnx: /, 'not exportable: ']`. */
  notCovered: readonly [RegExp, string];
  /** What the sessions load, in the session error: `the exported model m`. */
  what: string;
  sessionOptions: OnnxSessionOptions;
  /** The caller's name, prefixed to the session error `'onnx'` throws. */
  op: string;
}

/** The sessions opened, or why tfjs runs instead (`'auto'` only). */
export type OnnxSessions<G> =
  | { kind: 'onnx'; ort: OnnxRuntimeModule; graphs: G; sessions: OnnxSession[]; version: string; setupSeconds: number }
  | { kind: 'tfjs'; why: string };

/**
 * The three steps every onnxruntime engine takes (`makeInferenceEngine`, `makeGradientEngine`): load the package,
 * convert the model, create the sessions. Under `'auto'` the first step that fails ends in tfjs with the reason, for
 * the engine's one description line; under `'onnx'` it throws.
 *
 * @returns `setupSeconds`: the conversion and the sessions' creation (the package's loading excluded).
 * @throws Error with {@link ONNX_RUNTIME_MISSING} (`'onnx'`, the package does not load); the converter's Error
 *   (`'onnx'`, the model is not covered); `<op>: onnxruntime-node cannot load <what>: …` (`'onnx'`, a session fails).
 */
export async function openOnnxSessions<G>(options: OpenOnnxSessionsOptions<G>): Promise<OnnxSessions<G>> {
  const strict = options.engine === 'onnx';
  let ort: OnnxRuntimeModule;
  try {
    ort = await (options.loadRuntime ?? importOnnxRuntime)();
  } catch (error) {
    if (strict) throw new Error(ONNX_RUNTIME_MISSING, { cause: error });
    return { kind: 'tfjs', why: 'onnxruntime-node not installed' };
  }
  const started = performance.now();
  let graphs: G;
  try {
    graphs = options.convert();
  } catch (error) {
    if (strict) throw error;
    return { kind: 'tfjs', why: (error as Error).message.replace(...options.notCovered) };
  }
  const created = await Promise.allSettled(options.bytesOf(graphs).map((bytes) => ort.InferenceSession.create(bytes, options.sessionOptions)));
  const failed = created.find((c): c is PromiseRejectedResult => c.status === 'rejected');
  if (failed) {
    // The sessions that did load are released: the engine will not use them.
    await Promise.all(created.map((c) => (c.status === 'fulfilled' ? c.value.release() : undefined)));
    const error = failed.reason as Error;
    // The first line only: onnxruntime's messages go on with its internal call stack.
    const message = `onnxruntime-node cannot load ${options.what}: ${error.message.split('\n')[0]}`;
    if (strict) throw new Error(`${options.op}: ${message}`, { cause: error });
    return { kind: 'tfjs', why: message };
  }
  const sessions = created.map((c) => (c as PromiseFulfilledResult<OnnxSession>).value);
  return { kind: 'onnx', ort, graphs, sessions, version: ort.env.versions.node ?? ort.env.versions.common, setupSeconds: (performance.now() - started) / 1000 };
}
