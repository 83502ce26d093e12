import type { Worker } from 'node:worker_threads';

/** What a pool worker posts back for each job: its result, or the message of the error that stopped it. */
export type WorkerPoolReply<R> = { index: number; result: R; error?: undefined } | { index: number; error: string };

/** Options of {@link runWorkerPool}. */
export interface RunWorkerPoolOptions<R> {
  /** Number of jobs, `0 … total−1`. */
  total: number;
  /** Worker threads to start (at most `total` are). */
  jobs: number;
  /** Starts one worker (e.g. a factory of `makeWorkerFactory`). */
  start: () => Worker;
  /** The message that asks a worker for job `index`; the worker answers with a {@link WorkerPoolReply}. */
  message: (index: number) => unknown;
  /** Called for each job done, in completion order. */
  onResult: (index: number, result: R) => void;
  /**
   * Called for each job that failed, in completion order. Without it the pool stops at the first failure: no job
   * is started after it, and once the running ones are done it rejects with the error of the lowest failed index.
   */
  onError?: (index: number, message: string) => void;
  /** Name in the error when a worker stops by itself (e.g. `'segment'`). */
  name: string;
}

/**
 * Serve jobs `0 … total−1` to worker threads, one job per worker at a time, started in index order. Without
 * `onError` a failing job stops the run and the error reported does not depend on timing: jobs are started in
 * order, so once every running job has finished, no job before the failed one is left undone, and the lowest
 * failed index wins. The workers are terminated when the pool settles.
 *
 * @throws Error with the message of the lowest failed job (without `onError`), or naming `name` when a worker
 *   crashes or exits by itself.
 */
export async function runWorkerPool<R>(options: RunWorkerPoolOptions<R>): Promise<void> {
  const { total, start, message, onResult, onError, name } = options;
  if (total === 0) return;
  const jobs = Math.max(1, Math.min(options.jobs, total));
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      let running = 0;
      let done = 0;
      let firstError: { index: number; message: string } | null = null;
      let crashed = false;
      const settleIfIdle = () => {
        if (running > 0) return;
        if (firstError) reject(new Error(firstError.message));
        else if (done === total) resolve();
      };
      const feed = (worker: Worker) => {
        if (next < total && !firstError && !crashed) {
          const index = next++;
          running++;
          worker.postMessage(message(index));
        }
      };
      const crash = (error: Error) => {
        if (crashed) return;
        crashed = true;
        reject(error);
      };
      for (let t = 0; t < jobs; t++) {
        const worker = start();
        workers.push(worker);
        worker.on('message', (reply: WorkerPoolReply<R>) => {
          running--;
          done++;
          if (reply.error === undefined) onResult(reply.index, reply.result);
          else if (onError) onError(reply.index, reply.error);
          else if (!firstError || reply.index < firstError.index) firstError = { index: reply.index, message: reply.error };
          feed(worker);
          settleIfIdle();
        });
        worker.on('error', crash);
        worker.on('exit', (code) => {
          if (done < total && !firstError) crash(new Error(`${name}: a worker thread stopped with exit code ${code}`));
        });
        feed(worker);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
