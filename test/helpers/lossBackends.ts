/**
 * Backends the loss tests run on: the cpu backend (the reference implementation of every kernel) and wasm (the
 * training backend), each set up by `initEngine` (gradients registered, the project's kernel fixes installed).
 */
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../src/engine/initEngine.js';

/** Names of the backends every loss test runs on. */
export const LOSS_TEST_BACKENDS = ['cpu', 'wasm'] as const;

/** Switch to `name` through `initEngine`. */
export async function useBackend(name: (typeof LOSS_TEST_BACKENDS)[number]): Promise<void> {
  await initEngine({ backend: name });
  if (tf.getBackend() !== name) throw new Error(`backend ${name} is not active after initEngine`);
}
