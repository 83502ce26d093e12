import * as tf from '@tensorflow/tfjs-core';

/** Backends whose tensors live in CPU memory, where the sparse NonAdjLoss can read them without stalling a GPU. */
const SPARSE_BACKENDS: readonly string[] = ['wasm', 'cpu', 'tensorflow'];

/**
 * Which NonAdjLoss path `implementation` means on `backend`: `'auto'` is sparse on the `'wasm'`, `'cpu'` and
 * `'tensorflow'` backends and dense elsewhere (GPU backends, where reading the probabilities back would stall the
 * pipeline).
 *
 * @param backend - a tfjs backend name. @default the active backend
 */
export function resolveNonAdjacencyImplementation(
  implementation: 'auto' | 'sparse' | 'dense',
  backend: string = tf.getBackend(),
): 'sparse' | 'dense' {
  if (implementation !== 'auto') return implementation;
  return SPARSE_BACKENDS.includes(backend) ? 'sparse' : 'dense';
}
