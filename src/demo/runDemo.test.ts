/**
 * The pure export of runDemo.ts (the λ heuristic). `runDemo` itself trains networks and is exercised by
 * test/demo/demo.e2e.ts.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import type { EpochRecord } from '../train/runFolder.js';
import { heuristicFromLog } from './runDemo.js';

/** An epoch record as `nonadj train` logs it; only the warm-up's training Dice coefficient and NonAdjLoss matter. */
const record = (epoch: number, lambda: number, diceCoefficient?: number, nonAdjacency = 0.02): EpochRecord => ({
  epoch, lambda, learningRate: 1e-4, steps: 40, nanSteps: 0,
  train: { total: 1.2, crossEntropy: 0.5, dice: 0.4, nonAdjacency, ...(diceCoefficient === undefined ? {} : { diceCoefficient }) },
  validation: null, events: [], best: epoch === 0, seconds: 12, time: '2025-01-01T00:00:00.000Z',
});

describe('heuristicFromLog', () => {
  test("is 0.3 × the warm-up epoch's Dice coefficient / its NonAdjLoss, whatever later epochs did", () => {
    // 0.3 × 0.8 / 0.04 = 6 (by hand); the warm-up alone counts, so it is known after the first epoch.
    assert.equal(heuristicFromLog([record(0, 0, 0.8, 0.04)]), 0.3 * 0.8 / 0.04);
    assert.ok(Math.abs(heuristicFromLog([record(0, 0, 0.8, 0.04), record(1, 6), record(2, 7.8)]) - 6) < 1e-12);
  });

  test("equals the λ the controller set after the warm-up, in a committed λ-auto run's log", async () => {
    // demo/replicated keeps its runs' logs: the second record's λ is the controller's, written by `nonadj train`.
    for (const seed of [1, 2, 3]) {
      const text = await readFile(new URL(`../../demo/replicated/runs/auto/s${seed}/log.jsonl`, import.meta.url), 'utf8');
      const log = text.trim().split('\n').map((l) => JSON.parse(l) as EpochRecord);
      assert.equal(heuristicFromLog(log), log[1].lambda, `seed ${seed}`);
    }
  });

  test('throws on an empty log, a missing Dice coefficient, or a NonAdjLoss that is not positive', () => {
    assert.throws(() => heuristicFromLog([]), /^Error: runDemo: the auto run's log has no warm-up epoch .*\(0 epochs logged\)/);
    assert.throws(() => heuristicFromLog([record(0, 0)]), /no warm-up epoch with a Dice coefficient/);
    // A log read from JSON can hold anything: NaN written as null, 0, a negative or infinite loss.
    for (const bad of [0, -1, Number.NaN, null, Number.POSITIVE_INFINITY] as unknown as number[]) {
      assert.throws(() => heuristicFromLog([record(0, 0, 0.8, bad)]), /runDemo: .*no warm-up epoch/, String(bad));
    }
  });
});
