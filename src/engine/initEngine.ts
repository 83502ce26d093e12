import * as tf from '@tensorflow/tfjs-core';
import { registerCpuKernels } from './registerCpuKernels.js';
import { registerDilatedConv3DGradient } from './registerDilatedConv3DGradient.js';
import { registerReluGradient } from './registerReluGradient.js';
import { registerWasmKernels } from './registerWasmKernels.js';

/** A TensorFlow.js backend nonadj can compute on. */
export type EngineBackend = 'wasm' | 'cpu' | 'tensorflow' | 'webgl' | 'webgpu';

/** Options of {@link initEngine}. */
export interface InitEngineOptions {
  /**
   * Backend to use. Default: `'wasm'` in Node; elsewhere the best backend already registered among
   * webgpu, webgl, wasm, cpu (and wasm if none is).
   */
  backend?: EngineBackend;
}

/** What {@link initEngine} set up. */
export interface EngineInfo {
  /** Name of the active tfjs backend. */
  backend: string;
  /** Kernels this project registered or replaced on that backend, sorted. */
  patchedKernels: string[];
  /** Whether the wasm backend runs its SIMD build (wasm only). */
  simd?: boolean;
}

const engineBackends: readonly EngineBackend[] = ['wasm', 'cpu', 'tensorflow', 'webgl', 'webgpu'];

// Module names held in variables so that bundlers and tsc do not require the optional packages.
const tfjsNodeModule = '@tensorflow/tfjs-node';

let gradientsLoaded: Promise<unknown> | undefined;

/** tfjs-core alone registers no gradients; tfjs-layers registers all of tfjs-core's. */
function loadGradients(): Promise<unknown> {
  gradientsLoaded ??= import('@tensorflow/tfjs-layers').then(() => {
    registerDilatedConv3DGradient();
    registerReluGradient();
  });
  return gradientsLoaded;
}

function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

function isRegistered(name: string): boolean {
  return tf.findBackendFactory(name) != null;
}

/**
 * The wasm runtime (Emscripten) installs process-wide `uncaughtException` and `unhandledRejection`
 * handlers that rethrow, which makes Node print a whole line of minified wasm glue code above every
 * uncaught error. Remove the handlers it added, restoring Node's default reporting.
 */
async function withoutNewProcessHandlers(body: () => Promise<void>): Promise<void> {
  if (!isNode()) return body();
  type Listener = (...args: unknown[]) => void;
  const events = ['uncaughtException', 'unhandledRejection'] as const;
  const listeners = (e: (typeof events)[number]): Listener[] => process.listeners(e as 'uncaughtException') as Listener[];
  const before = new Map(events.map((e) => [e, new Set(listeners(e))]));
  try {
    await body();
  } finally {
    for (const e of events) {
      for (const listener of listeners(e)) if (!before.get(e)?.has(listener)) process.removeListener(e, listener);
    }
  }
}

/**
 * tfjs-backend-cpu writes a "Hi, looks like you are running TensorFlow.js in Node.js" banner
 * (console.warn) the first time it stores a tensor. Mark that first use as done so it never prints.
 */
function silenceCpuBanner(): void {
  const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
  if (cpu !== null && typeof cpu.firstUse === 'boolean') cpu.firstUse = false;
}

async function activate(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`initEngine: backend '${name}' failed to initialise`);
  await tf.ready();
}

async function defaultBackend(): Promise<EngineBackend> {
  if (isNode()) return 'wasm';
  for (const name of ['webgpu', 'webgl', 'wasm', 'cpu'] as const) if (isRegistered(name)) return name;
  return 'wasm';
}

/**
 * Sets up TensorFlow.js for training: registers the gradients (via tfjs-layers, plus a Conv3D gradient that handles
 * dilations, {@link registerDilatedConv3DGradient}, and a one-kernel ReLU gradient, {@link registerReluGradient}), loads and
 * activates the backend, and installs this project's kernel fixes for it. Idempotent: calling it
 * again (with the same or another backend) is fine.
 *
 * - `'wasm'`: imports `@tensorflow/tfjs-backend-wasm` and installs the kernels of
 *   {@link registerWasmKernels} (missing, wrong and slow kernels of tfjs-backend-wasm 4.22).
 *   Single-threaded in Node (tfjs cannot start wasm threads there).
 * - `'cpu'`: imports `@tensorflow/tfjs-backend-cpu` and installs {@link registerCpuKernels}; its
 *   Node banner is silenced.
 * - `'tensorflow'`: imports `@tensorflow/tfjs-node`, which is NOT a dependency of nonadj (install it
 *   yourself: `npm install @tensorflow/tfjs-node@4.22.0`). Untested: it could not be installed where
 *   nonadj was developed; no kernel is patched.
 * - `'webgl'` / `'webgpu'` (browser): activates a backend you have already imported and registered;
 *   no kernel is patched (the fixes target the wasm and cpu kernels).
 *
 * @returns the active backend, the patched kernels and, for wasm, whether SIMD is used.
 * @throws Error if the backend is unknown, its package cannot be imported, it is not registered
 *   (webgl/webgpu), or it fails to initialise.
 */
export async function initEngine(options: InitEngineOptions = {}): Promise<EngineInfo> {
  const backend = options.backend ?? (await defaultBackend());
  if (!engineBackends.includes(backend)) {
    throw new RangeError(`initEngine: unknown backend '${String(backend)}', expected one of ${engineBackends.join(', ')}`);
  }
  await loadGradients();
  switch (backend) {
    case 'wasm': {
      await import('@tensorflow/tfjs-backend-wasm');
      const patchedKernels = registerWasmKernels();
      await withoutNewProcessHandlers(() => activate('wasm'));
      const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
      return { backend: tf.getBackend(), patchedKernels, simd };
    }
    case 'cpu': {
      await import('@tensorflow/tfjs-backend-cpu');
      const patchedKernels = registerCpuKernels();
      await activate('cpu');
      silenceCpuBanner();
      return { backend: tf.getBackend(), patchedKernels };
    }
    case 'tensorflow': {
      if (!isRegistered('tensorflow')) {
        try {
          await import(tfjsNodeModule);
        } catch (err) {
          throw new Error(
            `initEngine: backend 'tensorflow' needs the optional package @tensorflow/tfjs-node, which could not be loaded ` +
              `(${(err as Error).message}). Install it yourself with \`npm install @tensorflow/tfjs-node@4.22.0\`; ` +
              `this backend is untested with nonadj. Use backend 'wasm' (the default) otherwise.`,
          );
        }
      }
      await activate('tensorflow');
      return { backend: tf.getBackend(), patchedKernels: [] };
    }
    case 'webgl':
    case 'webgpu': {
      if (!isRegistered(backend)) {
        throw new Error(
          `initEngine: backend '${backend}' is not registered; import '@tensorflow/tfjs-backend-${backend}' in your application first`,
        );
      }
      await activate(backend);
      return { backend: tf.getBackend(), patchedKernels: [] };
    }
  }
}
