/**
 * Per-kernel wall time on the wasm backend: every registered wasm kernel is re-registered wrapped in a timer.
 * Kernels that the project's composed kernels run inside themselves are counted apart ("inner"), so the top-level
 * rows add up to the time spent in kernels; the rest of a step is tfjs's own overhead (tape, tidy, JS).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { cpuNow } from './machine.js';

/** Accumulated time of one kernel name in one phase. */
export interface KernelRow {
  phase: string;
  kernel: string;
  calls: number;
  /** Wall-clock milliseconds. */
  ms: number;
  /** Process CPU milliseconds (user + system): what counts on a shared machine, where wall time includes waiting. */
  cpuMs: number;
}

/** A profiler over the wasm kernels; `install()` after the kernel set is final, `uninstall()` before changing it. */
export class KernelProfiler {
  phase = 'other';
  private depth = 0;
  private readonly top = new Map<string, KernelRow>();
  private readonly inner = new Map<string, KernelRow>();
  private originals: KernelConfig[] = [];

  install(): void {
    this.originals = tf.getKernelsForBackend('wasm').map((k) => ({ ...k }));
    for (const k of this.originals) {
      const f = k.kernelFunc;
      tf.unregisterKernel(k.kernelName, 'wasm');
      tf.registerKernel({
        ...k,
        kernelFunc: (args) => {
          const t0 = performance.now();
          const c0 = cpuNow();
          this.depth++;
          try {
            return f(args);
          } finally {
            this.depth--;
            this.add(this.depth === 0 ? this.top : this.inner, k.kernelName, performance.now() - t0, cpuNow() - c0);
          }
        },
      });
    }
  }

  uninstall(): void {
    for (const k of this.originals) {
      tf.unregisterKernel(k.kernelName, 'wasm');
      tf.registerKernel(k);
    }
    this.originals = [];
  }

  reset(): void {
    this.top.clear();
    this.inner.clear();
  }

  private add(map: Map<string, KernelRow>, kernel: string, ms: number, cpuMs: number): void {
    const key = `${this.phase}\u0000${kernel}`;
    const row = map.get(key) ?? { phase: this.phase, kernel, calls: 0, ms: 0, cpuMs: 0 };
    row.calls++;
    row.ms += ms;
    row.cpuMs += cpuMs;
    map.set(key, row);
  }

  rows(which: 'top' | 'inner' = 'top'): KernelRow[] {
    return [...(which === 'top' ? this.top : this.inner).values()].sort((a, b) => b.cpuMs - a.cpuMs);
  }
}
