/**
 * Worker-thread entry of {@link checkCases}: rebuilds the prior once from `workerData`, then checks one label map
 * per message, so each thread reads and checks its own volumes. In: `{ index, file }`; out:
 * `{ index, result: { result, thumbnail } }` or `{ index, error }` (`io/runWorkerPool`'s replies).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import { checkLabelMapFile } from './checkLabelMapFile.js';
import type { CheckCasesWorkerData } from './checkCases.js';

if (!parentPort) throw new Error('checkCaseWorker must run in a worker thread');
const port = parentPort;
const data = workerData as CheckCasesWorkerData;
const prior = AdjacencyPrior.fromCounts(data.prior.counts, data.prior.meta);
const options = { ...data.options, names: new Map(data.names) };
port.on('message', (job: { index: number; file: string }) => {
  checkLabelMapFile(job.file, prior, options).then(
    ({ result, thumbnail }) => port.postMessage({ index: job.index, result: { result, thumbnail } }),
    (error: Error) => port.postMessage({ index: job.index, error: error.message }),
  );
});
