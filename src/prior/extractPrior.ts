import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { AdjacencyPrior, type PriorExam } from './AdjacencyPrior.js';
import { countFileAdjacency, type CountFileAdjacencyResult } from './countFileAdjacency.js';
import type { ExamFile } from './findExams.js';
import { resolveNeighbourhood, type NeighbourhoodOptions } from './neighbourhood.js';
import { PRIOR_LIMITS } from './PRIOR_LIMITS.js';

/** Options of {@link extractPrior}. */
export interface ExtractPriorOptions extends NeighbourhoodOptions {
  /** Number of labels `L` (labels must lie in `[0, L)`, −1 ignored). Default: largest label over all exams + 1. */
  numLabels?: number;
  /** Worker threads reading and counting exams in parallel. @default os.availableParallelism() */
  threads?: number;
  /** Structure names by label code (e.g. from `parseLabelNames`). */
  names?: ReadonlyMap<number, { name: string }>;
  /**
   * Drop labels that never occur and renumber the rest `0 … K−1` (codes kept in `prior.labels`). Without it the
   * prior has a row for every code `0 … L−1`, so `L` is limited to `PRIOR_LIMITS.maxLabels`. @default false
   */
  contiguous?: boolean;
  /** Called after each exam is counted, in completion order (for progress). */
  onExamDone?: (exam: ExamFile, done: number, total: number) => void;
  /** Accept float datatypes and image-like label maps (see `assertPlausibleLabelMap`). @default false */
  allowFloatLabels?: boolean;
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
  /**
   * Label codes 0 … `numLabels`−1 (before any relabelling) that never occur in any exam, or occur with no
   * neighbour pair: their rows are empty. Ascending, at most the first 1 000 (see `emptyLabelCount`).
   */
  emptyLabels: number[];
  /** How many such codes there are. */
  emptyLabelCount: number;
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
  if (numLabels !== undefined && !options.contiguous && numLabels > PRIOR_LIMITS.maxLabels) {
    throw new RangeError(
      `nb_labels is ${numLabels}, over the limit of ${PRIOR_LIMITS.maxLabels} labels of a dense prior; relabel to the labels present with --contiguous (contiguous: true)`,
    );
  }
  const threads = Math.max(1, Math.min(options.threads ?? os.availableParallelism(), exams.length));
  const jobOptions = { ...neighbourhood, numLabels, allowFloatLabels: options.allowFloatLabels };
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

  // The union of the labels present, and which exam holds the largest code (named when a dense prior is too big).
  const union = new Set<number>();
  let maxCode = -1;
  let maxCodeFile = '';
  results.forEach((r, index) => {
    for (const code of r.labels) {
      union.add(code);
      if (code > maxCode) [maxCode, maxCodeFile] = [code, exams[index].file];
    }
  });
  const limit = PRIOR_LIMITS.maxLabels;
  if (union.size > limit) {
    throw new RangeError(`extractPrior: the exams hold ${union.size} distinct labels, over the limit of ${limit}`);
  }
  const L = numLabels ?? maxCode + 1;
  if (L < 1) throw new RangeError(`extractPrior: every voxel of every exam is -1 (ignored), expected at least one label`);
  // Codes of the rows: every code 0 … L−1, or (contiguous) only the labels present, so that memory follows the
  // labels present and not their codes.
  const codes = options.contiguous ? [...union].sort((a, b) => a - b) : null;
  const K = codes ? codes.length : L;
  if (!codes && L > limit) {
    throw new RangeError(
      `extractPrior: label ${maxCode} in ${maxCodeFile} needs a ${L}×${L} prior (codes 0 … ${L - 1}), over the limit of ${limit} labels; ` +
        `relabel to the ${union.size} labels present with --contiguous (contiguous: true)`,
    );
  }
  const rowOf = codes ? new Map(codes.map((c, i) => [c, i])) : null;
  const counts = new Float64Array(K * K);
  for (const r of results) {
    const n = r.labels.length;
    const rows = r.labels.map((c) => (rowOf ? rowOf.get(c)! : c));
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) counts[rows[i] * K + rows[j]] += r.counts[i * n + j];
  }
  const priorExams: PriorExam[] = exams.map((e, i) => ({ id: e.id, file: e.file, dims: results[i].dims, spacingMm: results[i].spacingMm }));
  const rowCodes = codes ?? Array.from({ length: L }, (_, code) => code);
  const names = rowCodes.map((code) => options.names?.get(code)?.name ?? null);
  let prior = AdjacencyPrior.fromCounts(counts, { ...neighbourhood, labels: rowCodes, names, exams: priorExams, tool: options.tool });
  const emptyRows = prior.emptyRows().map((i) => prior.labels[i]);
  // Codes 0 … L−1 that no exam holds (with contiguous, the gaps between the codes present), listed up to a bound:
  // with codes up to 2^31 the full list would not fit in memory.
  const emptyLabelCount = L - union.size + emptyRows.filter((c) => union.has(c)).length;
  const emptyLabels: number[] = [];
  if (codes) {
    const isolated = new Set(emptyRows);
    let c = 0;
    for (const code of [...codes, L]) {
      for (; c < code && emptyLabels.length < EMPTY_LABELS_LISTED; c++) emptyLabels.push(c);
      if (emptyLabels.length >= EMPTY_LABELS_LISTED) break;
      if (isolated.has(code)) emptyLabels.push(code);
      c = code + 1;
    }
  } else {
    emptyLabels.push(...emptyRows.slice(0, EMPTY_LABELS_LISTED));
  }
  if (options.contiguous) prior = prior.contiguous();
  return { prior, numLabels: L, numLabelsInferred: numLabels === undefined, emptyLabels, emptyLabelCount };
}

/** At most this many codes are listed in `ExtractPriorResult.emptyLabels`. */
const EMPTY_LABELS_LISTED = 1000;

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
