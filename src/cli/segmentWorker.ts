/**
 * Worker-thread entry of `nonadj segment` in batch mode (`--jobs`): sets up its own engine and loads its own copy
 * of the model once (`loadSegmenter`, with the command's flags as given), then segments one image per message.
 * In: `{ index, file, target, probTarget }`; out: `{ index, result }` (a `SegmentedFile`) or `{ index, error }`.
 * A model that cannot be loaded fails every job with the same message, so the first image reports it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadSegmenter, type SegmentWorkerData } from './segment.js';

if (!parentPort) throw new Error('segmentWorker must run in a worker thread');
const port = parentPort;
const { modelPath, flags } = workerData as SegmentWorkerData;
const segmenter = loadSegmenter(modelPath, flags);
segmenter.catch(() => undefined); // reported with each job below
port.on('message', (job: { index: number; file: string; target: string; probTarget?: string }) => {
  segmenter.then((s) => s.segmentFile(job.file, job.target, job.probTarget)).then(
    (result) => port.postMessage({ index: job.index, result }),
    (error: Error) => port.postMessage({ index: job.index, error: error.message }),
  );
});
