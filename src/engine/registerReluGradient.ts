// Why this exists: tfjs's ReLU gradient is `dy · cast(step(x), 'float32')`, three kernels and two temporary maps per
// ReLU; where the project's one-pass kernel `NonadjReluGrad` (kernels/reluGrad.ts) is registered for the active
// backend, the gradient calls it instead (wasm: ~3.6 → ~0.6 ms of CPU per ModSegNet training step).
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';
import { RELU_GRAD } from './kernels/reluGrad.js';

let stock: GradConfig | undefined;

function oneKernelOrStock(dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap): Record<string, () => Tensor> {
  if (tf.getKernel(RELU_GRAD, tf.getBackend()) === undefined) return stock!.gradFunc(dy, saved, attrs);
  const [x] = saved;
  return { x: () => tf.engine().runKernel(RELU_GRAD, { dy: dy as Tensor, x }, {}) as Tensor };
}

/**
 * Replaces tfjs's registered Relu gradient by one that runs `NonadjReluGrad` on backends that have it and the stock
 * rule elsewhere (the same values: dy where x > 0, 0 where x ≤ 0, NaN where x is NaN). Idempotent.
 *
 * @throws Error when no Relu gradient is registered yet (load @tensorflow/tfjs-layers first).
 */
export function registerReluGradient(): void {
  const current = tf.getGradient('Relu');
  if (current === undefined) throw new Error('registerReluGradient: no Relu gradient registered; import @tensorflow/tfjs-layers first');
  if (current.gradFunc === oneKernelOrStock) return;
  stock = current;
  tf.registerGradient({ kernelName: 'Relu', inputsToSave: ['x'], gradFunc: oneKernelOrStock });
}
