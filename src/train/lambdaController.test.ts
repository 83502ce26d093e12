import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { makeLambdaController, selectFinalEpoch, type EpochReport } from './lambdaController.js';

const warmUp: EpochReport = { trainDiceCoefficient: 0.6, trainNonAdj: 0.002, valDice: 0.8, valNonAdj: 0.002 };
const good = (valNonAdj = 0.001): EpochReport => ({ trainDiceCoefficient: 0.5, trainNonAdj: 0.001, valDice: 0.795, valNonAdj });
const bad: EpochReport = { trainDiceCoefficient: 0.5, trainNonAdj: 0.001, valDice: 0.7, valNonAdj: 0.0005 };
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9 * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

describe('makeLambdaController', () => {
  test('warm-up: λ = 0 during epoch 0, then 0.3 × 0.6 / 0.002 = 90 and D₀ = 0.8', () => {
    const c = makeLambdaController({ totalEpochs: 100 });
    assert.equal(c.lambda, 0);
    const d = c.report(warmUp);
    close(d.lambda, 90);
    assert.equal(c.d0, 0.8);
  });

  test('5 good epochs in a row grow λ by 1.3; the 4th does not', () => {
    const c = makeLambdaController({ totalEpochs: 100 });
    c.report(warmUp);
    for (let e = 0; e < 4; e++) close(c.report(good()).lambda, 90);
    close(c.report(good()).lambda, 117);
  });

  test('bad epochs: growth factor × 0.98 each, λ × 0.95 at 5, × 0.9 and reload the last good epoch at 10', () => {
    const c = makeLambdaController({ totalEpochs: 100 });
    c.report(warmUp); // epoch 0
    c.report(good()); // epoch 1: last good
    const decisions = Array.from({ length: 10 }, () => c.report(bad));
    close(decisions[3].lambda, 90);
    close(decisions[4].lambda, 90 * 0.95);
    assert.equal(decisions[4].action, 'continue');
    close(decisions[9].lambda, 90 * 0.95 * 0.9);
    assert.deepEqual([decisions[9].action, decisions[9].reloadEpoch], ['reload', 1]);
    // Growth decayed 10 times: the next 5 good epochs grow λ by 1.3 × 0.98^10.
    for (let e = 0; e < 5; e++) c.report(good());
    close(c.lambda, 90 * 0.95 * 0.9 * 1.3 * 0.98 ** 10);
  });

  test('after 70 % of the epochs λ only shrinks: × 0.9 every 5 epochs below D₀', () => {
    const c = makeLambdaController({ totalEpochs: 10 });
    c.report(warmUp); // epoch 0; epochs 7, 8, 9 are past 70 %
    for (let e = 1; e < 7; e++) c.report(good());
    const before = c.lambda;
    const late = [c.report({ ...good(), valDice: 0.79 }), c.report({ ...good(), valDice: 0.79 }), c.report({ ...good(), valDice: 0.79 })];
    assert.ok(late.every((d) => d.lambda === before), 'fewer than 5 epochs below D₀: unchanged');
    const c2 = makeLambdaController({ totalEpochs: 20 });
    c2.report(warmUp);
    for (let e = 1; e < 14; e++) c2.report(good());
    const l = c2.lambda;
    for (let e = 14; e < 18; e++) close(c2.report({ ...good(), valDice: 0.79 }).lambda, l);
    close(c2.report({ ...good(), valDice: 0.79 }).lambda, l * 0.9);
  });

  test('NaN epochs shrink λ by 0.9; the third reloads', () => {
    const c = makeLambdaController({ totalEpochs: 100 });
    c.report(warmUp);
    const nan: EpochReport = { ...bad, nanLoss: true };
    close(c.report(nan).lambda, 81);
    assert.equal(c.report(nan).action, 'continue');
    const third = c.report(nan);
    close(third.lambda, 90 * 0.9 ** 3);
    assert.deepEqual([third.action, third.reloadEpoch], ['reload', 0]);
  });

  test('the state round-trips: a resumed controller makes the same decisions', () => {
    const a = makeLambdaController({ totalEpochs: 30 });
    a.report(warmUp);
    for (let e = 0; e < 3; e++) a.report(good());
    const b = makeLambdaController({ totalEpochs: 30 }, JSON.parse(JSON.stringify(a.state())));
    for (const r of [good(), good(), bad, bad, good()]) assert.deepEqual(b.report(r), a.report(r));
  });

  test('a warm-up with no NonAdjLoss cannot set λ', () => {
    assert.throws(() => makeLambdaController({ totalEpochs: 10 }).report({ ...warmUp, trainNonAdj: 0 }), /needs a finite Dice coefficient and a positive NonAdjLoss/);
    assert.throws(() => makeLambdaController({ totalEpochs: 1 }), /totalEpochs is 1/);
  });
});

describe('selectFinalEpoch', () => {
  test('smallest validation NonAdjLoss among epochs with Dice ≥ D₀ − 0.005', () => {
    const history = [
      { epoch: 0, ...warmUp },
      { epoch: 1, ...good(0.003) }, // Dice 0.795 = D₀ − 0.005: eligible
      { epoch: 2, ...bad }, // lowest NonAdjLoss but Dice too low
      { epoch: 3, ...good(0.001) },
      { epoch: 4, ...good(0.002) },
    ];
    assert.equal(selectFinalEpoch(history, 0.8), 3);
    assert.equal(selectFinalEpoch(history.slice(0, 3), 0.8), 1);
    assert.equal(selectFinalEpoch([{ epoch: 0, ...warmUp }, { epoch: 1, ...bad }], 0.8), null);
  });
});
