import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { makeExamCache } from './makeExamCache.js';

describe('makeExamCache', () => {
  test('keeps at most `capacity` entries, evicting the least recently used', async () => {
    const loads: number[] = [];
    const cache = makeExamCache({ capacity: 2, load: async (k: number) => (loads.push(k), k * 10) });
    assert.equal(await cache.get(1), 10);
    await cache.get(2);
    await cache.get(1); // 1 is now the most recent
    await cache.get(3); // evicts 2
    assert.deepEqual(cache.keys(), [1, 3]);
    await cache.get(2); // reloaded, evicts 1
    assert.deepEqual(loads, [1, 2, 3, 2]);
    assert.equal(cache.delete(1), false);
    assert.equal(cache.delete(3), true);
    assert.deepEqual(cache.keys(), [2]);
  });

  test('a failed load is not cached', async () => {
    let calls = 0;
    const cache = makeExamCache({ capacity: 1, load: async () => { calls++; throw new Error('boom'); } });
    await assert.rejects(cache.get('a'), /boom/);
    await assert.rejects(cache.get('a'), /boom/);
    assert.equal(calls, 2);
    assert.throws(() => makeExamCache({ capacity: 0, load: async () => 0 }), /capacity is 0, expected a positive integer/);
  });
});
