/**
 * Worker-thread entry of {@link extractPrior}: counts one exam per message, so each core reads and counts its own
 * volumes. Messages in: `{ index, file, options }`; out: `{ index, result }` (counts buffer transferred) or
 * `{ index, error }`.
 */
import { parentPort } from 'node:worker_threads';
import { countFileAdjacency, type CountFileAdjacencyOptions } from './countFileAdjacency.js';

if (!parentPort) throw new Error('adjacencyWorker must run in a worker thread');
const port = parentPort;
port.on('message', (job: { index: number; file: string; options: CountFileAdjacencyOptions }) => {
  countFileAdjacency(job.file, job.options).then(
    (result) => port.postMessage({ index: job.index, result }, [result.counts.buffer as ArrayBuffer]),
    (error: Error) => port.postMessage({ index: job.index, error: error.message }),
  );
});
