/**
 * `bench/brainchop/chooseTolerance.ts` (session 9 of `docs/adapt-brainchop.md`): the guard's rule read off a run made
 * with tolerance 0 (hand-checked steps), the same rule as `makeAdaptGuard` keeps, and the choice of τ\*.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { chooseTolerance, judgeTolerances, keptStep, TOLERANCES, type TrajectoryCheck } from '../bench/brainchop/chooseTolerance.js';
import type { ScoreRow } from '../bench/brainchop/summariseInputs.js';
import { initEngine } from '../src/engine/initEngine.js';
import { makeAdaptGuard } from '../src/train/makeAdaptGuard.js';
import { AdjacencyPrior } from '../src/prior/AdjacencyPrior.js';
import { makeVolume } from '../src/volume/Volume.js';

before(async () => {
  await initEngine({ backend: 'cpu' });
});

// contacts 10, 7, 7, 5; worst Dice –, 0.98, 0.95, 0.91 (the example of keptStep's documentation)
const checks: TrajectoryCheck[] = [
  { step: 0, forbiddenContacts: 10, worst: null },
  { step: 1, forbiddenContacts: 7, worst: { label: 1, dice: 0.98, scan: 0 } },
  { step: 2, forbiddenContacts: 7, worst: { label: 1, dice: 0.95, scan: 0 } },
  { step: 3, forbiddenContacts: 5, worst: { label: 1, dice: 0.91, scan: 0 } },
];

test('keptStep: stop at the first check below τ, keep the fewest contacts before it, the earliest on a tie', () => {
  assert.deepEqual([0.9, 0.91, 0.93, 0.95, 0.96, 0.98, 0.99].map((t) => keptStep(checks, t)), [3, 3, 1, 1, 1, 1, 0]);
  // A later check passing again does not count: the guard has stopped.
  const dip = [...checks.slice(0, 2), { step: 2, forbiddenContacts: 3, worst: { label: 1, dice: 0.8, scan: 0 } }, { step: 3, forbiddenContacts: 1, worst: { label: 1, dice: 0.99, scan: 0 } }];
  assert.equal(keptStep(dip, 0.9), 1);
  assert.throws(() => keptStep(checks.slice(1), 0.9), /start at step 0/);
  assert.deepEqual(TOLERANCES, [0.9, 0.91, 0.92, 0.93, 0.94, 0.95, 0.96, 0.97, 0.98, 0.99]);
});

test('keptStep is makeAdaptGuard\'s rule: the same step kept for every τ, on segmentations whose Dice and contacts are known', async () => {
  // Labels 0, 1, 2 on a 1×1×8 line; 0–2 forbidden. Step n's map changes voxels of the original one at a time.
  const prior = AdjacencyPrior.fromCounts(Float64Array.from([5, 5, 0, 5, 5, 5, 0, 5, 5]), { labels: [0, 1, 2], names: ['a', 'b', 'c'], connectivity: 6, radius: 1 }, 'toy');
  const maps = [
    [0, 0, 2, 1, 1, 0, 2, 2], // 2 forbidden contacts (0–2 twice)
    [0, 0, 1, 1, 1, 0, 2, 2],
    [0, 0, 1, 1, 1, 1, 2, 2], // none
    [0, 1, 1, 1, 1, 1, 2, 2],
  ];
  for (const tau of [0, 0.5, 0.8, 0.85, 0.9, 0.95, 1]) {
    let i = 0;
    const seen: TrajectoryCheck[] = [];
    const guard = makeAdaptGuard({
      prior, minDice: 0, scans: 1, op: 'test',
      segment: async () => [makeVolume([8, 1, 1], Int32Array.from(maps[i]))],
      snapshot: () => [tf.scalar(i)],
      onCheck: (c) => { seen.push(c); },
    });
    for (; i < maps.length; i++) await guard.check(i);
    guard.dispose();
    const strict = makeAdaptGuard({ prior, minDice: tau, scans: 1, op: 'test', segment: async () => [makeVolume([8, 1, 1], Int32Array.from(maps[i]))], snapshot: () => [tf.scalar(i)] });
    for (i = 0; i < maps.length; i++) if (!(await strict.check(i))) break;
    assert.equal(keptStep(seen, tau), strict.best?.step, `τ ${tau}`);
    strict.dispose();
  }
});

test('judgeTolerances and chooseTolerance: the smallest τ at which every input passes, else the most passes', () => {
  const row = (name: string, a: number, b: number, pallidum: number): ScoreRow => ({
    name, contacts: { A: { forbiddenContacts: a, forbiddenPairs: 1 }, B: { forbiddenContacts: b, forbiddenPairs: 1 } }, dice: { pallidum },
  });
  // Input x: step 3 loses 0.02 of pallidum Dice, step 1 loses none; y passes at every step it keeps.
  const rows = [row('x@s0', 10, 10, 0.6), row('x@s1', 7, 9, 0.6), row('x@s3', 5, 8, 0.58), row('y@s0', 10, 10, 0.6), row('y@s1', 8, 9, 0.6), row('y@s3', 6, 8, 0.595)];
  const runs = [{ name: 'x', checks }, { name: 'y', checks: checks.map((c) => (c.step === 2 ? { ...c, forbiddenContacts: 9 } : c)) }];
  const results = judgeTolerances(rows, runs, ['pallidum'], [0.9, 0.93, 0.99]);
  assert.deepEqual(results.map((r) => [r.tau, r.kept, r.passes]), [[0.9, { x: 3, y: 3 }, 1], [0.93, { x: 1, y: 1 }, 2], [0.99, { x: 0, y: 0 }, 0]]);
  assert.equal(chooseTolerance(results).tau, 0.93);
  assert.equal(chooseTolerance([results[0], results[2]]).tau, 0.9);
  assert.throws(() => judgeTolerances(rows.slice(1), runs, ['pallidum'], [0.9]), /no row x@s0/);
});
