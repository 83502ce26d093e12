import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { conv2DBackpropFilterWith } from './kernels/conv2DBackpropFilter.js';
import { maxUnpool2DConfigs } from './kernels/maxUnpool2D.js';
import { optimizerUpdateConfigs } from './kernels/optimizerUpdates.js';
import { reluGradConfig } from './kernels/reluGrad.js';
import { resizeNearestNeighborGrad } from './kernels/resizeNearestNeighborGrad.js';

const cpuKernels: KernelConfig[] = [
  // Correct but pathologically slow on cpu (~15 s for one 4×128²×16→16 3×3 layer); one cpu Conv2D instead.
  { kernelName: 'Conv2DBackpropFilter', backendName: 'cpu', kernelFunc: conv2DBackpropFilterWith('conv') },
  // Wrong on cpu for batch > 1 and for halfPixelCenters (see the kernel file).
  { kernelName: 'ResizeNearestNeighborGrad', backendName: 'cpu', kernelFunc: resizeNearestNeighborGrad },
  // ModSegNet's max-unpooling in one loop (new kernels, so that cpu runs the same code path as wasm).
  ...maxUnpool2DConfigs('cpu'),
  // The optimisers' updates in one loop per weight (as on wasm).
  ...optimizerUpdateConfigs('cpu'),
  reluGradConfig('cpu'),
];

const stockKernels = new Map<string, KernelConfig>();

/**
 * Registers the project's kernels for tfjs-backend-cpu 4.22 (unregister + register, keeping the stock
 * `setupFunc`): a fast Conv2DBackpropFilter, a correct ResizeNearestNeighborGrad, and the max-unpooling
 * and optimiser-update kernels. Idempotent.
 * Import `@tensorflow/tfjs-backend-cpu` first.
 *
 * @returns the names of the kernels now provided by this project, sorted.
 * @throws Error if `@tensorflow/tfjs-backend-cpu` has not been imported.
 */
export function registerCpuKernels(): string[] {
  if (tf.getKernel('Conv2D', 'cpu') === undefined) {
    throw new Error("registerCpuKernels: no cpu kernels are registered; import '@tensorflow/tfjs-backend-cpu' first");
  }
  for (const config of cpuKernels) {
    const current = tf.getKernel(config.kernelName, 'cpu');
    if (current !== undefined && !stockKernels.has(config.kernelName)) stockKernels.set(config.kernelName, current);
    if (current !== undefined) tf.unregisterKernel(config.kernelName, 'cpu');
    const setupFunc = stockKernels.get(config.kernelName)?.setupFunc;
    tf.registerKernel(setupFunc === undefined ? config : { ...config, setupFunc });
  }
  return cpuKernels.map((k) => k.kernelName).sort();
}
