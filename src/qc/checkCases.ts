import os from 'node:os';
import { makeWorkerFactory } from '../io/makeWorkerFactory.js';
import { runWorkerPool } from '../io/runWorkerPool.js';
import type { CheckSegmentationResult } from '../metric/checkSegmentation.js';
import type { AdjacencyPrior, AdjacencyPriorMeta } from '../prior/AdjacencyPrior.js';
import { checkLabelMapFile, type CheckLabelMapFileOptions } from './checkLabelMapFile.js';
import type { ContactThumbnail } from './contactThumbnail.js';

/** One case of {@link checkCases}: checked, or the reason it could not be. */
export type CheckedCase =
  | { file: string; status: 'ok'; result: CheckSegmentationResult; thumbnail: ContactThumbnail | null }
  | { file: string; status: 'error'; error: string };

/** Options of {@link checkCases}. */
export interface CheckCasesOptions extends CheckLabelMapFileOptions {
  /** Worker threads; 1 checks on the calling thread. @default os.availableParallelism() */
  jobs?: number;
  /**
   * `true`: a case that cannot be read or checked becomes an `'error'` entry and the others go on (`--keep-going`).
   * `false`: the run stops at the first such case in input order and rejects with its error. @default false
   */
  keepGoing?: boolean;
  /** Called after each case, in completion order (for progress). */
  onCaseDone?: (checked: CheckedCase, done: number, total: number) => void;
}

/** What each worker of {@link checkCases} receives once (structured-cloned). */
export interface CheckCasesWorkerData {
  prior: { counts: Float64Array; meta: AdjacencyPriorMeta };
  names: Array<[number, string]>;
  options: Omit<CheckLabelMapFileOptions, 'names'>;
}

/**
 * Check label map files against a prior (`nonadj check` over a dataset): cases on `jobs` worker threads, each
 * reading and checking one volume at a time, so memory is a few volumes whatever the number of cases; only the
 * results (and thumbnails, when asked) are kept. The results are in input order and the same for any `jobs`.
 *
 * @param files - label maps (3D NIfTI).
 * @throws (without `keepGoing`) the error of the first case, in input order, that could not be checked; the
 *   cases after it are not started and the workers are stopped.
 */
export async function checkCases(files: readonly string[], prior: AdjacencyPrior, options: CheckCasesOptions = {}): Promise<CheckedCase[]> {
  const { jobs: jobsOption, keepGoing = false, onCaseDone, ...fileOptions } = options;
  const total = files.length;
  const out: CheckedCase[] = new Array(total);
  let done = 0;
  const finish = (index: number, checked: CheckedCase) => {
    out[index] = checked;
    done++;
    onCaseDone?.(checked, done, total);
  };
  const jobs = Math.max(1, Math.min(jobsOption ?? os.availableParallelism(), total));
  if (jobs === 1) {
    for (let index = 0; index < total; index++) {
      const file = files[index];
      try {
        const { result, thumbnail } = await checkLabelMapFile(file, prior, fileOptions);
        finish(index, { file, status: 'ok', result, thumbnail });
      } catch (error) {
        if (!keepGoing) throw error;
        finish(index, { file, status: 'error', error: (error as Error).message });
      }
    }
    return out;
  }

  const workerData: CheckCasesWorkerData = {
    prior: {
      counts: prior.counts,
      meta: { labels: [...prior.labels], names: [...prior.names], connectivity: prior.connectivity, radius: prior.radius },
    },
    names: [...(fileOptions.names ?? new Map<number, string>())],
    options: { connectivity: fileOptions.connectivity, radius: fileOptions.radius, allowFloatLabels: fileOptions.allowFloatLabels, thumbnail: fileOptions.thumbnail },
  };
  const start = makeWorkerFactory(import.meta.url, './checkCaseWorker');
  await runWorkerPool<{ result: CheckSegmentationResult; thumbnail: ContactThumbnail | null }>({
    total,
    jobs,
    name: 'checkCases',
    start: () => start(workerData),
    message: (index) => ({ index, file: files[index] }),
    onResult: (index, { result, thumbnail }) => finish(index, { file: files[index], status: 'ok', result, thumbnail: thumbnail ?? null }),
    // keepGoing: an error entry and the others go on; otherwise the pool stops at the first failing case in input order.
    onError: keepGoing ? (index, error) => finish(index, { file: files[index], status: 'error', error }) : undefined,
  });
  return out;
}
