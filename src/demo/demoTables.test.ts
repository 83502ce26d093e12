import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { demoPreviewFixture, demoReportFixture } from '../../test/helpers/demoReportFixture.js';
import { demoTables } from './demoTables.js';

describe('demoTables', () => {
  const t = demoTables(demoReportFixture());

  test('main table of the test domain: rows in report order, mean ± SD over seeds, then the floor', () => {
    const main = t.domains[0];
    assert.equal(main.domain, 'test');
    assert.deepEqual(main.main.rows, [
      // The baseline is one model: no SD.
      ['baseline', '0.800', '39.0', '3.0', '12.5', '1.25', '0.50'],
      ['control', '0.820 ± 0.004', '30.0 ± 2.0', '2.5', '11.0', '1.00', '0.00'],
      ['lambda-1x', '0.810 ± 0.002', '6.0 ± 1.0', '1.0', '9.5', '0.75', '0.00'],
      ['auto', '0.818 ± 0.006', '27.0 ± 3.0', '2.0', '10.5', '1.00', '0.00'],
      ['semi', '0.815 ± 0.005', '15.0 ± 1.5', '1.5', '10.0', '1.00', '0.00'],
      ['control+lcc', '0.821 ± 0.004', '24.0 ± 2.0', '2.0', '8.0', '0.00', '0.00'],
      // t1 (0 pairs, 0 contacts) and t2 (1, 3): means 0.5 and 1.5; the validation subject v1 is not counted.
      ['ground truth (floor)', '–', '1.5', '0.5', '–', '–', '–'],
    ]);
  });

  test('paired table of the test domain: Δ with CI, "no detectable difference" where the CI contains 0', () => {
    assert.deepEqual(t.domains[0].paired.rows, [
      ['baseline', '2 × 2', '−2.00 [−2.60, −1.40]', '+30 [+10, +50]', '+25 [+5, +45]', '+1.5 [+0.5, +2.5]', '+0.25 [+0.10, +0.40]'],
      // extra components: [−0.5, 0] ends at 0, so it contains it.
      ['lambda-1x', '2 × 2', '−1.00 [−1.40, −0.60]', '−80 [−90, −70]', '−75 [−85, −60]', '−1.5 [−2.5, −0.5]', 'no detectable difference [−0.50, ±0.00]'],
      ['auto', '2 × 2', 'no detectable difference [−0.50, +0.10]', 'no detectable difference [−25, +5]', 'no detectable difference [−20, +10]',
        'no detectable difference [−1.5, +0.5]', 'no detectable difference [−0.25, +0.25]'],
      // semi has no HD100 or components comparison in the fixture.
      ['semi', '2 × 2', '−0.50 [−0.90, −0.10]', '−50 [−60, −40]', '−45 [−60, −30]', '–', '–'],
      ['control+lcc', '2 × 2', 'no detectable difference [−0.05, +0.25]', '−20 [−30, −10]', '−20 [−30, −10]', '−3.0 [−4.0, −2.0]', '−1.00 [−1.25, −0.75]'],
    ]);
  });

  test('unseen-test domain: rows without scores print dashes; rows without comparisons are left out of the paired table', () => {
    const unseen = t.domains[1];
    assert.equal(unseen.domain, 'unseen-test');
    assert.deepEqual(unseen.main.rows.map((row) => row.slice(0, 3)), [
      ['baseline', '0.700', '120.0'],
      ['control', '0.720 ± 0.012', '100.0 ± 8.0'],
      ['lambda-1x', '0.710 ± 0.010', '20.0 ± 4.0'],
      ['auto', '–', '–'],
      ['semi', '–', '–'],
      ['control+lcc', '–', '–'],
      ['ground truth (floor)', '–', '5.0'], // (4 + 6) / 2
    ]);
    assert.deepEqual(unseen.paired.rows.map((row) => row[0]), ['baseline', 'lambda-1x']);
    assert.deepEqual(unseen.paired.rows[1].slice(2, 4), ['−1.00 [−1.80, −0.20]', '−80 [−90, −70]']);
  });

  test('heuristic, decision, λ auto and anatomy', () => {
    assert.deepEqual(t.heuristic.rows, [['1', '0.500', '0.800', '0.480'], ['2', '0.400', '0.800', '0.600']]);
    assert.deepEqual(t.decision.rows, [['1×', 'lambda-1x', '−0.31', '−78', 'yes: chosen'], ['3×', 'lambda-3x', '−1.92', '−95', 'no']]);
    // Seed 1 ends at 0.5 = 1 × λ_ref; seed 2 at 0.8 = 2 × 0.4.
    assert.deepEqual(t.autoLambda.rows, [['1', '5', '1', '1', '1', '0.500', '1.00×'], ['2', '4', '1', '0', '0', '0.800', '2.00×']]);
    assert.deepEqual(t.anatomy.rows[2], ['test/t2', '1', '3', '1', '2', 'Caudate_L–Vermis (3)']);
    assert.deepEqual(t.anatomy.rows[1].at(-1), '–');
  });

  test('every row has as many cells as its header', () => {
    for (const table of [t.heuristic, t.decision, t.autoLambda, t.anatomy, ...t.domains.flatMap((d) => [d.main, d.paired])]) {
      for (const row of table.rows) assert.equal(row.length, table.header.length, row.join(' | '));
    }
  });

  test('a single-seed preview shows means without SD', () => {
    const p = demoTables(demoPreviewFixture());
    assert.deepEqual(p.domains[0].main.rows[1].slice(1, 3), ['0.820', '30.0']);
    assert.equal(p.domains[0].paired.rows[0][1], '1 × 2');
  });
});
