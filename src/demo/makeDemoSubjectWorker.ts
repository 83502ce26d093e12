/**
 * Worker-thread entry of {@link makeDemoData}: holds the atlas of `workerData` (its voxels in shared memory, not
 * copied) and makes and writes one subject per message with `makeDemoSubject`, as `makeDemoData` does itself with
 * `jobs: 1`. In: `{ index, subject }`; out: `{ index, result }` (a `MadeDemoSubject`) or `{ index, error }`
 * (`io/runWorkerPool`'s replies).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { makeDemoSubject, type DemoSubject, type DemoSubjectWorkerData } from './makeDemoData.js';

if (!parentPort) throw new Error('makeDemoSubjectWorker must run in a worker thread');
const port = parentPort;
const data = workerData as DemoSubjectWorkerData;
port.on('message', (job: { index: number; subject: DemoSubject }) => {
  makeDemoSubject(data.atlas, job.subject, data.options).then(
    (result) => port.postMessage({ index: job.index, result }),
    (error: Error) => port.postMessage({ index: job.index, error: `${job.subject.set}/${job.subject.id}: ${error.message}` }),
  );
});
