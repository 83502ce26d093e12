import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { countFileAdjacency, type CountFileAdjacencyResult } from './countFileAdjacency.js';
import type { CountedExam, ExamCounts } from './ExamCounts.js';
import type { ExamFile } from './findExams.js';
import { resolveNeighbourhood, type NeighbourhoodOptions } from './neighbourhood.js';
import { sumExamCounts } from './sumExamCounts.js';

/** Options of {@link countExams}. */
export interface CountExamsOptions extends NeighbourhoodOptions {
  /** When given, labels must lie in `[0, numLabels)` (−1 ignored). */
  numLabels?: number;
  /** Accept float datatypes and image-like label maps (see `assertPlausibleLabelMap`). @default false */
  allowFloatLabels?: boolean;
  /** Worker threads reading and counting exams in parallel; one exam, or 1, counts in the calling thread. @default os.availableParallelism() */
  threads?: number;
  /** Record each file's SHA-256 in `exams[].sha256` (partial counts need it to refuse overlapping shards). @default false */
  hash?: boolean;
  /** Called after each exam is counted, in completion order (for progress). */
  onExamDone?: (exam: ExamFile, done: number, total: number) => void;
}

/**
 * Read and count every exam (METHOD.md §1) and sum the exact counts over the labels present, with, for every pair,
 * the number of exams it touches in. Exams are counted on worker threads, one volume per worker at a time, so
 * memory stays a small multiple of one volume whatever the dataset size; with one exam (or `threads: 1`) they are
 * counted in the calling thread, which spares starting a worker (≈ 40 ms) for a single volume.
 *
 * @param exams - label maps (3D NIfTI), e.g. from `findExams`; the result lists them in this order (none: empty counts).
 * @throws Error naming the exam file that cannot be read or holds invalid labels (the first such in input order); the
 *   other workers are stopped.
 */
export async function countExams(exams: readonly ExamFile[], options: CountExamsOptions = {}): Promise<ExamCounts> {
  const neighbourhood = resolveNeighbourhood(options);
  // No exams (a shard of a list shorter than the number of shards) sum to nothing, so that a job array still merges.
  if (exams.length === 0) return { ...neighbourhood, exams: [], labels: [], counts: new Float64Array(), examCounts: new Float64Array() };
  const threads = Math.max(1, Math.min(options.threads ?? os.availableParallelism(), exams.length));
  const jobOptions = { ...neighbourhood, numLabels: options.numLabels, allowFloatLabels: options.allowFloatLabels };
  // Each exam's counts are folded into the running sum as they arrive (exact whatever the order), so memory holds
  // one sum and not one matrix per exam; the exams are listed in input order at the end.
  const counted: CountedExam[] = new Array(exams.length);
  let sums: ExamCounts = { ...neighbourhood, exams: [], labels: [], counts: new Float64Array(), examCounts: new Float64Array() };
  let rowOf = new Map<number, number>();
  let done = 0;
  const finished = (index: number, r: CountFileAdjacencyResult) => {
    counted[index] = {
      id: exams[index].id,
      file: exams[index].file,
      dims: r.dims,
      spacingMm: r.spacingMm,
      maxLabel: r.labels.length > 0 ? r.labels[r.labels.length - 1] : -1,
    };
    const examCounts = Float64Array.from(r.counts, (c) => (c > 0 ? 1 : 0));
    if (r.labels.every((c) => rowOf.has(c))) {
      // The usual case once a few exams are in: no new label, add in place.
      const K = sums.labels.length;
      const n = r.labels.length;
      const rows = r.labels.map((c) => rowOf.get(c)!);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          sums.counts[rows[i] * K + rows[j]] += r.counts[i * n + j];
          sums.examCounts[rows[i] * K + rows[j]] += examCounts[i * n + j];
        }
      }
    } else {
      sums = sumExamCounts([sums, { ...neighbourhood, exams: [], labels: r.labels, counts: r.counts, examCounts }]);
      rowOf = new Map(sums.labels.map((c, i) => [c, i]));
    }
    done++;
    options.onExamDone?.(exams[index], done, exams.length);
  };
  if (threads === 1) {
    for (let index = 0; index < exams.length; index++) finished(index, await countFileAdjacency(exams[index].file, jobOptions));
  } else {
    await runOnWorkers(exams, threads, jobOptions, finished);
  }
  if (options.hash) {
    // Loaded here: node:crypto (and the worker pool below) are not needed by a single-exam `nonadj extract`.
    const { createHash } = await import('node:crypto');
    for (const exam of counted) exam.sha256 = createHash('sha256').update(await readFile(exam.file)).digest('hex');
  }
  return { ...sums, exams: counted };
}

/**
 * The exams served to `threads` workers (`io/runWorkerPool`); rejects with the error of the first failing exam in
 * input order once the running ones are done, and stops every worker.
 */
async function runOnWorkers(
  exams: readonly ExamFile[],
  threads: number,
  jobOptions: object,
  finished: (index: number, result: CountFileAdjacencyResult) => void,
): Promise<void> {
  const [{ makeWorkerFactory }, { runWorkerPool }] = await Promise.all([import('../io/makeWorkerFactory.js'), import('../io/runWorkerPool.js')]);
  // '../prior/' and not './': the same file from this module's folder and from dist/cli/run.js, the CLI's bundle
  // that this module is part of (scripts/bundleCli.mjs).
  const start = makeWorkerFactory(import.meta.url, '../prior/adjacencyWorker');
  await runWorkerPool<CountFileAdjacencyResult>({
    total: exams.length,
    jobs: threads,
    name: 'countExams',
    start: () => start(),
    message: (index) => ({ index, file: exams[index].file, options: jobOptions }),
    onResult: finished,
  });
}
