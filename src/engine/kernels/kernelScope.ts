import * as tf from '@tensorflow/tfjs-core';
import type { NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

/** The minimal backend surface our composed kernels use (shared by the wasm and cpu backends). */
export interface ScopeBackend {
  disposeData(dataId: object, force?: boolean): boolean;
  write(values: Float32Array | Int32Array, shape: number[], dtype: 'float32' | 'int32'): object;
}

/**
 * Runs other kernels of the same backend at kernel level and owns their outputs.
 *
 * Every `TensorInfo` a `run` call returns stays owned by the scope: `finish(result)` disposes all of them
 * except `result`, and `abort()` disposes all of them (use it in a `catch`). Kernels that alias their
 * input (Reshape, Identity, a no-op Transpose) bump the backend's reference count, so disposing each
 * returned `TensorInfo` once is always right, even when two of them share a `dataId`.
 */
export interface KernelScope {
  /** Name of the backend the scope runs on (`'wasm'`, `'cpu'`, …). */
  readonly backendName: string;
  /** Runs kernel `kernelName` with `inputs` and `attrs`; throws if the backend has no such kernel. */
  run(kernelName: string, inputs: NamedTensorInfoMap, attrs?: NamedAttrMap): TensorInfo;
  /** Takes ownership of `t`, the output of a kernel function called directly (not through `run`). */
  adopt(t: TensorInfo): TensorInfo;
  /** A new tensor holding `values` (row-major, `shape`), owned by the scope like a kernel output. */
  constant(values: Float32Array | Int32Array, shape: number[]): TensorInfo;
  /** Disposes every output of `run` except `result`, and returns `result`. */
  finish(result: TensorInfo): TensorInfo;
  /** Disposes every output of `run`. */
  abort(): void;
}

/**
 * Name under which `backend` is registered in the tfjs engine.
 *
 * @throws Error if `backend` is not a registered backend instance.
 */
export function backendNameOf(backend: unknown): string {
  const registry = (tf.engine() as unknown as { registry: Record<string, unknown> }).registry;
  for (const [name, instance] of Object.entries(registry)) if (instance === backend) return name;
  throw new Error('kernelScope: the backend passed to the kernel is not registered with the tfjs engine');
}

/**
 * Opens a kernel scope on `backend` (the `backend` argument a `KernelFunc` receives).
 *
 * @param backend - a registered tfjs backend instance.
 * @throws Error if `backend` is not registered with the engine.
 */
export function makeKernelScope(backend: unknown): KernelScope {
  const backendName = backendNameOf(backend);
  const owner = backend as ScopeBackend;
  const outputs: TensorInfo[] = [];
  const disposeAllBut = (keep: TensorInfo | null): void => {
    for (const t of outputs) if (t !== keep) owner.disposeData(t.dataId);
    outputs.length = 0;
  };
  return {
    backendName,
    run(kernelName, inputs, attrs = {}) {
      const kernel = tf.getKernel(kernelName, backendName);
      if (kernel === undefined) {
        throw new Error(`kernelScope: kernel '${kernelName}' is not registered for backend '${backendName}'`);
      }
      const out = kernel.kernelFunc({ inputs, backend: backend as object, attrs });
      if (Array.isArray(out)) {
        outputs.push(...out);
        throw new Error(`kernelScope: kernel '${kernelName}' returned ${out.length} outputs, expected one`);
      }
      outputs.push(out);
      return out;
    },
    adopt(t) {
      outputs.push(t);
      return t;
    },
    constant(values, shape) {
      const dtype = values instanceof Int32Array ? 'int32' : 'float32';
      const info: TensorInfo = { dataId: owner.write(values, shape, dtype), shape, dtype };
      outputs.push(info);
      return info;
    },
    finish(result) {
      // Returning an input (or anything the scope does not own) would hand the engine an alias
      // without a reference count of its own.
      if (!outputs.includes(result)) throw new Error('kernelScope: a kernel must return a tensor its scope owns');
      disposeAllBut(result);
      return result;
    },
    abort() {
      disposeAllBut(null);
    },
  };
}

/**
 * Runs `body` in a fresh kernel scope and returns its result, disposing every intermediate;
 * on an exception every intermediate is disposed and the exception rethrown.
 */
export function withKernelScope(backend: unknown, body: (scope: KernelScope) => TensorInfo): TensorInfo {
  const scope = makeKernelScope(backend);
  try {
    return scope.finish(body(scope));
  } catch (err) {
    scope.abort();
    throw err;
  }
}

/**
 * The named inputs of a kernel call, checked present.
 *
 * @throws Error naming the kernel and the missing input.
 */
export function inputsOf<K extends string>(
  kernelName: string,
  inputs: NamedTensorInfoMap,
  names: readonly K[],
): Record<K, TensorInfo> {
  const out = {} as Record<K, TensorInfo>;
  for (const name of names) {
    const t = inputs[name];
    if (t === undefined) throw new Error(`${kernelName}: input '${name}' is missing`);
    out[name] = t;
  }
  return out;
}
