import { Worker } from 'node:worker_threads';

/**
 * A factory of worker threads running the module `entry` (a path without extension, relative to `callerUrl`, the
 * caller's `import.meta.url`). Built code starts `<entry>.js` directly. Under tsx (tests, benchmarks) the caller is a
 * `.ts` file and Node 20 does not pass tsx's loader hooks to worker threads, so the worker first registers tsx itself.
 *
 * @example
 * const start = makeWorkerFactory(import.meta.url, './checkCaseWorker');
 * const worker = start({ prior });
 */
export function makeWorkerFactory(callerUrl: string, entry: string): (workerData?: unknown) => Worker {
  if (!callerUrl.endsWith('.ts')) {
    const url = new URL(`${entry}.js`, callerUrl);
    return (workerData) => new Worker(url, { workerData });
  }
  const tsx = import.meta.resolve('tsx/esm/api');
  const href = new URL(`${entry}.ts`, callerUrl).href;
  const code = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(href)}); });`;
  return (workerData) => new Worker(code, { eval: true, workerData });
}
