import * as tf from '@tensorflow/tfjs-core';

/** The parts of tfjs-backend-wasm's backend this module uses (not in its public types). */
interface WasmBackendLike {
  wasm: { HEAPF32: Float32Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number | null; dtype: string } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
}

function wasmBackendOf(t: tf.Tensor | null): WasmBackendLike | null {
  if (tf.getBackend() !== 'wasm') return null;
  const backend = tf.backend() as unknown as Partial<WasmBackendLike>;
  if (!(backend.wasm?.HEAPF32 instanceof Float32Array) || typeof backend.makeOutput !== 'function' || !backend.dataIdMap) return null;
  // A tensor made on another backend has not been moved here yet: the caller falls back to dataSync.
  if (t !== null && typeof backend.dataIdMap.get(t.dataId)?.memoryOffset !== 'number') return null;
  return backend as WasmBackendLike;
}

/**
 * Read-only float32 values of `t`, without a copy where the backend allows it: on the wasm backend a view of the
 * wasm heap (valid only until the next tf call, which may grow and move the heap), on the cpu backend the
 * backend's own array (`dataSync` returns it). Elsewhere `dataSync()`.
 *
 * Never write through the view: it is the tensor's storage.
 */
export function viewTensorData(t: tf.Tensor): Float32Array {
  const wasm = wasmBackendOf(t);
  if (wasm) {
    const offset = wasm.dataIdMap.get(t.dataId)!.memoryOffset! / 4;
    return wasm.wasm.HEAPF32.subarray(offset, offset + t.size);
  }
  return t.dataSync() as Float32Array;
}

/**
 * Make a float32 tensor of `shape` whose values `fill` writes. On the wasm backend `fill` writes straight into
 * the new tensor's heap memory (no copy; `fill` must not call tf, and `views` are taken after the allocation so
 * they stay valid); elsewhere it writes a fresh array that becomes the tensor.
 *
 * @param views - tensors to view (read only) during `fill`, passed to it in order (see {@link viewTensorData}).
 */
export function makeTensorInPlace(
  shape: number[],
  views: tf.Tensor[],
  fill: (out: Float32Array, views: Float32Array[]) => void,
): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const wasm = wasmBackendOf(null);
  if (wasm && views.every((v) => wasmBackendOf(v) !== null)) {
    const info = wasm.makeOutput(shape, 'float32');
    const out = tf.engine().makeTensorFromTensorInfo(info, tf.backend());
    fill(viewTensorData(out), views.map(viewTensorData));
    return out;
  }
  const values = new Float32Array(size);
  fill(values, views.map(viewTensorData));
  return tf.tensor(values, shape, 'float32');
}
