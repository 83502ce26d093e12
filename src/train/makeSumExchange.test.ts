import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { abortSumExchange, allocateSumExchange, makeSumExchange, type SumExchangeMemory } from './makeSumExchange.js';

/**
 * A worker thread (tsx registered, as the training workers do under tests) taking part in `rounds`: a vector is a
 * `sum` round, null a `barrier` round (its result is null).
 */
function participant(memory: SumExchangeMemory, index: number, rounds: Array<number[] | null>): Promise<Array<number[] | null> | string> {
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./makeSumExchange.ts', import.meta.url).href;
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); }).then((m) => {
      const ex = m.makeSumExchange(workerData.memory, workerData.index);
      try {
        parentPort.postMessage(workerData.rounds.map((r) => (r === null ? ex.barrier() ?? null : Array.from(ex.sum(Float64Array.from(r))))));
      } catch (e) { parentPort.postMessage(e.message); }
    });`;
  const worker = new Worker(code, { eval: true, workerData: { memory, index, rounds } });
  return new Promise((resolve, reject) => {
    worker.once('message', (m) => void worker.terminate().then(() => resolve(m)));
    worker.once('error', reject);
  });
}

describe('makeSumExchange', () => {
  test('three threads, two rounds: every thread gets the same sums, in participant order', async () => {
    const memory = allocateSumExchange(3, 2);
    // Round 1: (k, 10k) → (0+1+2, 0+10+20); round 2: (0.1, 1e16) thrice → summed in order 0, 1, 2 in float64.
    const results = await Promise.all([0, 1, 2].map((k) => participant(memory, k, [[k, 10 * k], [0.1, 1e16]])));
    const round2 = [0.1 + 0.1 + 0.1, 1e16 + 1e16 + 1e16];
    for (const r of results) assert.deepEqual(r, [[3, 30], round2]);
  });

  test('barriers between sum rounds: every sum stays right', async () => {
    const memory = allocateSumExchange(2, 1);
    const rounds = (k: number) => [[k + 1], null, [10 * (k + 1)], null, null, [100 * (k + 1)]];
    const results = await Promise.all([0, 1].map((k) => participant(memory, k, rounds(k))));
    for (const r of results) assert.deepEqual(r, [[3], null, [30], null, null, [300]]);
  });

  test('one participant gets its own vector back; a wrong length is refused', () => {
    const ex = makeSumExchange(allocateSumExchange(1, 3), 0);
    assert.deepEqual(Array.from(ex.sum(Float64Array.from([1, 2, 3]))), [1, 2, 3]);
    assert.throws(() => ex.sum(new Float64Array(2)), /2 values, expected 3/);
  });

  test('an abort frees a participant waiting for the others, with an error', async () => {
    const memory = allocateSumExchange(2, 1);
    const waiting = participant(memory, 0, [[1]]);
    await new Promise((r) => setTimeout(r, 200));
    abortSumExchange(memory);
    assert.match(String(await waiting), /participant 0 of 2: the exchange was aborted/);
  });

  test('an abort frees a participant waiting at a barrier, with an error', async () => {
    const memory = allocateSumExchange(2, 1);
    const waiting = participant(memory, 1, [null]);
    await new Promise((r) => setTimeout(r, 200));
    abortSumExchange(memory);
    assert.match(String(await waiting), /participant 1 of 2: the exchange was aborted/);
  });
});
