import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareToControl, formatSigned } from './compareToControl.js';
import type { DemoRunReport } from './demoReport.js';

type Domain = NonNullable<DemoRunReport['domains']['test']>;
const domain = (meanDice: number, forbiddenPairs: number, forbiddenContacts: number, collapsed = 0): Domain => ({
  meanDice, meanHausdorff95Mm: null, forbiddenPairs, forbiddenContacts, collapsed, perStructureDice: {},
});
const run = (name: string, test: Domain | null, unseen: Domain | null): DemoRunReport => ({
  name, description: name, command: '', lambda: 0, steps: 1, seconds: 1, log: [], subjects: [], domains: { test, 'unseen-test': unseen },
});

test('compareToControl: Dice in points and contacts in % against the control, per domain, control itself left out', () => {
  const rows = compareToControl({
    runs: [
      run('baseline', domain(0.84, 40, 4000), domain(0.77, 70, 8000)),
      run('control', domain(0.82, 50, 4000), domain(0.75, 80, 10000, 1)),
      run('lambda-3h', domain(0.815, 20, 600), domain(0.76, 40, 2500)),
    ],
  });
  const near = (x: number | null, y: number) => assert.ok(x !== null && Math.abs(x - y) < 1e-9, `${x} ≠ ${y}`);
  assert.deepEqual(rows.map((r) => `${r.run}/${r.domain}`), ['baseline/test', 'lambda-3h/test', 'baseline/unseen-test', 'lambda-3h/unseen-test']);
  // lambda-3h, test: 0.815 − 0.82 = −0.5 points; (600 − 4000) / 4000 = −85 %; 20 − 50 = −30 pairs.
  near(rows[1].diceDeltaPoints, -0.5);
  near(rows[1].contactsChangePercent, -85);
  assert.equal(rows[1].pairsDelta, -30);
  // baseline, test: same contacts as the control → 0 %; +2 Dice points.
  near(rows[0].contactsChangePercent, 0);
  near(rows[0].diceDeltaPoints, 2);
  // lambda-3h, unseen: (2500 − 10000) / 10000 = −75 %; one collapsed structure fewer.
  near(rows[3].contactsChangePercent, -75);
  assert.equal(rows[3].collapsedDelta, -1);
});

test('compareToControl: no control → no rows; a control without contacts → null %; a missing domain is skipped', () => {
  assert.deepEqual(compareToControl({ runs: [run('baseline', domain(0.8, 1, 1), null)] }), []);
  const rows = compareToControl({ runs: [run('control', domain(0.8, 0, 0), null), run('semi', domain(0.8, 0, 5), domain(0.7, 1, 1))] });
  assert.equal(rows.length, 1);
  assert.equal(rows[0].contactsChangePercent, null);
});

test('formatSigned: the sign of the printed value', () => {
  assert.deepEqual([formatSigned(1.234, 2), formatSigned(-85.4, 0), formatSigned(-0.004, 2), formatSigned(0.004, 2), formatSigned(0, 1)], ['+1.23', '−85', '±0.00', '±0.00', '±0.0']);
});
