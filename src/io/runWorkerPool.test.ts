import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { runWorkerPool } from './runWorkerPool.js';

/**
 * A worker answering job `{ index, delay, fail, exit }` with `index²` after `delay` ms, or failing with "job <index>
 * failed", or exiting without answering.
 */
const WORKER = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (job) => setTimeout(() => {
  if (job.exit) process.exit(3);
  parentPort.postMessage(job.fail ? { index: job.index, error: 'job ' + job.index + ' failed' } : { index: job.index, result: job.index * job.index });
}, job.delay));
`;
const start = () => new Worker(WORKER, { eval: true });

describe('runWorkerPool', () => {
  test('every job once, results by index, for any number of workers', async () => {
    for (const jobs of [1, 2, 3, 8]) {
      const results = new Array<number>(6).fill(-1);
      const order: number[] = [];
      // Later jobs finish first, so completion order differs from index order.
      await runWorkerPool<number>({ total: 6, jobs, name: 't', start, message: (index) => ({ index, delay: 30 - 5 * index }), onResult: (index, r) => ((results[index] = r), order.push(index)) });
      assert.deepEqual(results, [0, 1, 4, 9, 16, 25]);
      assert.deepEqual([...order].sort(), [0, 1, 2, 3, 4, 5]);
    }
  });

  test('without onError: the lowest failing index is reported even when a later one fails first, and no job starts after', async () => {
    const started: number[] = [];
    await assert.rejects(
      runWorkerPool<number>({
        total: 8,
        jobs: 2,
        name: 't',
        start,
        message: (index) => (started.push(index), { index, delay: index === 1 ? 60 : 5, fail: index === 1 || index === 2 }),
        onResult: () => undefined,
      }),
      /^Error: job 1 failed$/,
    );
    assert.ok(!started.includes(7), `started ${started.join(', ')}`);
  });

  test('with onError: every job runs and each failure is handed over', async () => {
    const failed: string[] = [];
    let done = 0;
    await runWorkerPool<number>({ total: 5, jobs: 2, name: 't', start, message: (index) => ({ index, delay: 1, fail: index % 2 === 0 }), onResult: () => done++, onError: (i, m) => failed.push(`${i}: ${m}`) });
    assert.equal(done, 2);
    assert.deepEqual(failed.sort(), ['0: job 0 failed', '2: job 2 failed', '4: job 4 failed']);
  });

  test('a worker that exits without answering rejects, naming the pool', async () => {
    await assert.rejects(
      runWorkerPool<number>({ total: 3, jobs: 2, name: 'segment', start, message: (index) => ({ index, delay: 1, exit: index === 1 }), onResult: () => undefined }),
      /^Error: segment: a worker thread stopped with exit code 3$/,
    );
  });

  test('no jobs: no worker is started', async () => {
    await runWorkerPool<number>({ total: 0, jobs: 4, name: 't', start: () => assert.fail('started a worker'), message: () => ({}), onResult: () => undefined });
  });
});
