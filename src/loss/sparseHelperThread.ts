import { SPARSE_KERNEL_SOURCES, type SparseNonAdjacencyJob } from './sparseNonAdjacencyKernel.js';

/** What a helper-thread task carries: a job template (its `b`, `h0`, `h1` come from `jobs`) over shared memory. */
export type SparseHelperTask = Omit<SparseNonAdjacencyJob, 'b' | 'h0' | 'h1' | 'scratch'> & {
  /** `[b, h0, h1]` triples. */
  jobs: Array<[number, number, number]>;
};

type WorkerThreadsModule = typeof import('node:worker_threads');

/**
 * The worker's program, as source: it receives tasks synchronously (`receiveMessageOnPort`) when woken through
 * `Atomics`, runs the kernel (whose functions' own source is spliced in, so that this works from TypeScript via tsx
 * and from the compiled JavaScript alike, with no separate worker file to locate), and reports its float64 partial
 * sum.
 */
function workerSource(): string {
  return `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
${SPARSE_KERNEL_SOURCES.map((f) => f.toString()).join('\n')}
const ctrl = new Int32Array(workerData.ctrl, 0, 2);
const result = new Float64Array(workerData.ctrl, 8, 1);
let seen = 0;
let scratch = null;
for (;;) {
  Atomics.wait(ctrl, 0, seen);
  seen = Atomics.load(ctrl, 0);
  const message = receiveMessageOnPort(workerData.port);
  if (message === undefined || message.message.exit) break;
  const task = message.message;
  let total = 0;
  try {
    const W = task.job.dims[3], C = task.job.dims[4];
    if (scratch === null || scratch.W !== W || scratch.C !== C) scratch = makeSparseScratch(W, C);
    const job = Object.assign({}, task.job, { scratch, b: 0, h0: 0, h1: 0 });
    for (const [b, h0, h1] of task.job.jobs) {
      job.b = b; job.h0 = h0; job.h1 = h1;
      total += sparseNonAdjacencyKernel(job);
    }
  } catch (error) {
    total = NaN;
  }
  result[0] = total;
  Atomics.store(ctrl, 1, seen);
  Atomics.notify(ctrl, 1);
}
`;
}

/**
 * One helper thread (Node `worker_threads`) that runs part of the sparse NonAdjLoss synchronously with the
 * calling thread: the caller posts a task, does its own share, then blocks (`Atomics.wait`) until the helper is
 * done. tfjs calls a custom gradient's forward synchronously, hence the blocking design. The thread is unref'd
 * (it never keeps the process alive) and made on first use.
 */
export class SparseHelperThread {
  private static instance: SparseHelperThread | null | undefined;
  private readonly ctrl: Int32Array;
  private readonly result: Float64Array;
  private seq = 0;

  private constructor(
    private readonly worker: import('node:worker_threads').Worker,
    private readonly port: import('node:worker_threads').MessagePort,
    ctrlBuffer: SharedArrayBuffer,
  ) {
    this.ctrl = new Int32Array(ctrlBuffer, 0, 2);
    this.result = new Float64Array(ctrlBuffer, 8, 1);
  }

  /** The helper, or null where there are no worker threads (browsers, Node without `process.getBuiltinModule`). */
  static get(): SparseHelperThread | null {
    if (SparseHelperThread.instance !== undefined) return SparseHelperThread.instance;
    SparseHelperThread.instance = null;
    const getBuiltin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
    if (typeof getBuiltin !== 'function' || typeof SharedArrayBuffer !== 'function') return null;
    const wt = getBuiltin('node:worker_threads') as WorkerThreadsModule | undefined;
    if (!wt) return null;
    const ctrlBuffer = new SharedArrayBuffer(16);
    const { port1, port2 } = new wt.MessageChannel();
    const worker = new wt.Worker(workerSource(), {
      eval: true,
      workerData: { ctrl: ctrlBuffer, port: port2 },
      transferList: [port2],
    });
    worker.unref();
    port1.unref();
    SparseHelperThread.instance = new SparseHelperThread(worker, port1, ctrlBuffer);
    return SparseHelperThread.instance;
  }

  /** Stop the helper thread (a later {@link SparseHelperThread.get} makes a new one). */
  static async close(): Promise<void> {
    const helper = SparseHelperThread.instance;
    SparseHelperThread.instance = undefined;
    if (!helper) return;
    helper.port.postMessage({ exit: true });
    Atomics.store(helper.ctrl, 0, ++helper.seq);
    Atomics.notify(helper.ctrl, 0);
    await helper.worker.terminate();
  }

  /** Hand a task to the helper; returns at once. Arrays in `task` must live on `SharedArrayBuffer`s. */
  start(task: SparseHelperTask): void {
    this.seq = (this.seq + 1) | 0;
    this.port.postMessage({ job: task });
    Atomics.store(this.ctrl, 0, this.seq);
    Atomics.notify(this.ctrl, 0);
  }

  /** Block until the task given to {@link start} is done; returns its partial sum (NaN if the helper failed). */
  wait(): number {
    for (;;) {
      const done = Atomics.load(this.ctrl, 1);
      if (done === this.seq) return this.result[0];
      Atomics.wait(this.ctrl, 1, done);
    }
  }
}
