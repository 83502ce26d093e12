/**
 * The pure export of runDemo.ts (the λ heuristic). `runDemo` itself trains networks and is exercised by
 * test/demo/demo.e2e.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EpochRecord } from '../train/runFolder.js';
import { heuristicFromLog } from './runDemo.js';

/** An epoch record as `nonadj train` logs it; only `lambda` matters to the heuristic. */
const record = (epoch: number, lambda: number): EpochRecord => ({
  epoch, lambda, learningRate: 1e-4, steps: 40, nanSteps: 0,
  train: { total: 1.2, crossEntropy: 0.5, dice: 0.4, nonAdjacency: 0.02 },
  validation: null, events: [], best: epoch === 0, seconds: 12, time: '2025-01-01T00:00:00.000Z',
});


describe('heuristicFromLog', () => {
  test("returns the second record's λ (set by the controller after its warm-up epoch)", () => {
    // The controller sets λ after the warm-up at λ = 0 (0.3 × Dice coefficient / NonAdjLoss): here 6.
    assert.equal(heuristicFromLog([record(0, 0), record(1, 6)]), 6);
    // Later epochs change λ; the heuristic stays the one right after the warm-up.
    assert.equal(heuristicFromLog([record(0, 0), record(1, 0.125), record(2, 0.5), record(3, 2)]), 0.125);
  });

  test('throws on a log without a second epoch', () => {
    const message = /^runDemo: the auto run's log has no positive λ after its warm-up epoch \(1 epochs logged\)/;
    assert.throws(() => heuristicFromLog([record(0, 0)]), (e: unknown) => e instanceof Error && message.test(e.message));
    assert.throws(() => heuristicFromLog([]), /\(0 epochs logged\)/);
  });

  test("throws when the second λ is 'auto', 0, negative, NaN or infinite", () => {
    // A log read from JSON can hold anything: 'auto' (a λ-auto run logged by another tool), NaN written as null.
    for (const bad of ['auto', 0, -1, Number.NaN, Number.POSITIVE_INFINITY, null, '6'] as unknown as number[]) {
      assert.throws(() => heuristicFromLog([record(0, 0), record(1, bad)]), /runDemo: .*no positive λ/, String(bad));
    }
  });
});
