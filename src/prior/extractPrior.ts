import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { AdjacencyPrior, type PriorExam } from './AdjacencyPrior.js';
import { countFileAdjacency, type CountFileAdjacencyResult } from './countFileAdjacency.js';
import type { ExamFile } from './findExams.js';
import { resolveNeighbourhood, type NeighbourhoodOptions } from './neighbourhood.js';

/** Options of {@link extractPrior}. */
export interface ExtractPriorOptions extends NeighbourhoodOptions {
  /** Number of labels `L` (labels must lie in `[0, L)`, −1 ignored). Default: largest label over all exams + 1. */
  numLabels?: number;
  /** Worker threads reading and counting exams in parallel. @default os.availableParallelism() */
  threads?: number;
  /** Structure names by label code (e.g. from `parseLabelNames`). */
  names?: ReadonlyMap<number, { name: string }>;
  /** Drop labels that never occur and renumber the rest `0 … K−1` (codes kept in `prior.labels`). @default false */
  contiguous?: boolean;
  /** Called after each exam is counted, in completion order (for progress). */
  onExamDone?: (exam: ExamFile, done: number, total: number) => void;
  /** Recorded in the prior, e.g. `nonadj 0.1.0`. */
  tool?: string;
}

/** Result of {@link extractPrior}. */
export interface ExtractPriorResult {
  prior: AdjacencyPrior;
  /** Number of labels counted (`L`, before any relabelling). */
  numLabels: number;
  /** True when `numLabels` was not given and was taken as the largest label + 1. */
  numLabelsInferred: boolean;
  /** Label codes (before any relabelling) that never occur in any exam: their rows are empty. */
  emptyLabels: number[];
}

/**
 * Extract the adjacency prior of a set of annotated label maps (METHOD.md §1): count ordered neighbour pairs in
 * every exam and sum the exact counts. Exams are read and counted on worker threads, one volume per worker at a
 * time, so memory stays a small multiple of one volume whatever the dataset size.
 *
 * @param exams - label maps (3D NIfTI), e.g. from `findExams`.
 * @throws Error naming the exam file that cannot be read or holds invalid labels; the other workers are stopped.
 */
export async function extractPrior(exams: readonly ExamFile[], options: ExtractPriorOptions = {}): Promise<ExtractPriorResult> {
  if (exams.length === 0) throw new Error('extractPrior: no exams given, expected at least one label map');
  const neighbourhood = resolveNeighbourhood(options);
  const { numLabels } = options;
  if (numLabels !== undefined && (!Number.isInteger(numLabels) || numLabels < 1)) {
    throw new RangeError(`nb_labels is ${numLabels}, expected a positive integer`);
  }
  const threads = Math.max(1, Math.min(options.threads ?? os.availableParallelism(), exams.length));
  const jobOptions = { ...neighbourhood, numLabels };
  const results: CountFileAdjacencyResult[] = new Array(exams.length);
  let done = 0;
  const finished = (index: number, result: CountFileAdjacencyResult) => {
    results[index] = result;
    done++;
    options.onExamDone?.(exams[index], done, exams.length);
  };

  if (threads === 1) {
    for (let index = 0; index < exams.length; index++) finished(index, await countFileAdjacency(exams[index].file, jobOptions));
  } else {
    await runOnWorkers(exams, threads, jobOptions, finished);
  }

  const L = numLabels ?? Math.max(...results.map((r) => r.numLabels));
  const counts = new Float64Array(L * L);
  for (const r of results) {
    // Exams counted with an inferred L may be smaller than the dataset's L: add them into the top-left block.
    for (let i = 0; i < r.numLabels; i++) for (let j = 0; j < r.numLabels; j++) counts[i * L + j] += r.counts[i * r.numLabels + j];
  }
  const priorExams: PriorExam[] = exams.map((e, i) => ({ id: e.id, file: e.file, dims: results[i].dims, spacingMm: results[i].spacingMm }));
  const names = Array.from({ length: L }, (_, code) => options.names?.get(code)?.name ?? null);
  let prior = AdjacencyPrior.fromCounts(counts, { ...neighbourhood, names, exams: priorExams, tool: options.tool });
  const emptyLabels = prior.emptyRows().map((i) => prior.labels[i]);
  if (options.contiguous) prior = prior.contiguous();
  return { prior, numLabels: L, numLabelsInferred: numLabels === undefined, emptyLabels };
}

/** A queue of exams served to `threads` workers; rejects on the first error and stops every worker. */
async function runOnWorkers(
  exams: readonly ExamFile[],
  threads: number,
  jobOptions: object,
  finished: (index: number, result: CountFileAdjacencyResult) => void,
): Promise<void> {
  const makeWorker = workerFactory();
  const workers: Worker[] = [];
  let next = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      let pending = exams.length;
      let failed = false;
      const fail = (error: Error) => {
        if (!failed) {
          failed = true;
          reject(error);
        }
      };
      const feed = (worker: Worker) => {
        if (next < exams.length) {
          const index = next++;
          worker.postMessage({ index, file: exams[index].file, options: jobOptions });
        }
      };
      for (let t = 0; t < threads; t++) {
        const worker = makeWorker();
        workers.push(worker);
        worker.on('message', (msg: { index: number; result?: CountFileAdjacencyResult; error?: string }) => {
          if (msg.error !== undefined) return fail(new Error(msg.error));
          finished(msg.index, msg.result!);
          if (--pending === 0) resolve();
          else feed(worker);
        });
        worker.on('error', (error) => fail(error));
        worker.on('exit', (code) => {
          if (code !== 0) fail(new Error(`extractPrior: a counting worker stopped with exit code ${code}`));
        });
        feed(worker);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/**
 * Built code starts `adjacencyWorker.js` directly. Under tsx (tests, benchmarks) this module is a `.ts` file and
 * Node 20 does not pass tsx's loader hooks to worker threads, so the worker first registers tsx itself.
 */
function workerFactory(): () => Worker {
  if (!import.meta.url.endsWith('.ts')) return () => new Worker(new URL('./adjacencyWorker.js', import.meta.url));
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./adjacencyWorker.ts', import.meta.url).href;
  const code = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); });`;
  return () => new Worker(code, { eval: true });
}
