/**
 * Backends the loss tests run on: the cpu backend (the reference implementation of every kernel) and wasm (the
 * training backend). Importing this registers both, and registers the gradients (tfjs-layers does that).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers';

/** Names of the backends every loss test runs on. */
export const LOSS_TEST_BACKENDS = ['cpu', 'wasm'] as const;

/** Switch to `name`, failing loudly when it cannot be initialised. */
export async function useBackend(name: string): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`backend ${name} failed to initialise`);
  await tf.ready();
}
