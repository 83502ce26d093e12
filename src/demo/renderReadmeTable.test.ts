import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { demoPreviewFixture, demoReportFixture } from '../../test/helpers/demoReportFixture.js';
import type { DemoRunReport } from './demoReport.js';
import { renderReadmeTable } from './renderReadmeTable.js';

describe('renderReadmeTable', () => {
  test('the fixture: per test domain, rows in the README\'s order, mean ± SD, Δ with CI, the floor', () => {
    assert.equal(renderReadmeTable(demoReportFixture()), [
      '**Test subjects, training scanner** (`test`): 2 seeds × 2 subjects; Dice and contacts per subject: mean ± SD over seeds.',
      '',
      '| row | Dice | forbidden contacts | Dice Δ vs control (points) [95 % CI] | contacts vs control (%) [95 % CI] |',
      '|---|---|---|---|---|',
      '| control | 0.820 ± 0.004 | 30.0 ± 2.0 | reference | reference |',
      // (0.810 − 0.820) × 100 = −1.00 points; (6 − 30) / 30 = −80 %.
      '| lambda-1x (headline) | 0.810 ± 0.002 | 6.0 ± 1.0 | −1.00 [−1.40, −0.60] | −80 [−90, −70] |',
      '| auto | 0.818 ± 0.006 | 27.0 ± 3.0 | no detectable difference [−0.50, +0.10] | no detectable difference [−25, +5] |',
      '| semi | 0.815 ± 0.005 | 15.0 ± 1.5 | −0.50 [−0.90, −0.10] | −50 [−60, −40] |',
      // The baseline is one model: no SD over seeds.
      '| baseline | 0.800 | 39.0 | −2.00 [−2.60, −1.40] | +30 [+10, +50] |',
      '| control+lcc | 0.821 ± 0.004 | 24.0 ± 2.0 | no detectable difference [−0.05, +0.25] | −20 [−30, −10] |',
      '| ground truth (floor) | – | 1.5 | – | – |', // (0 + 3) / 2
      '',
      '**Test subjects, unseen scanner** (`unseen-test`): 2 seeds × 2 subjects; Dice and contacts per subject: mean ± SD over seeds.',
      '',
      '| row | Dice | forbidden contacts | Dice Δ vs control (points) [95 % CI] | contacts vs control (%) [95 % CI] |',
      '|---|---|---|---|---|',
      '| control | 0.720 ± 0.012 | 100.0 ± 8.0 | reference | reference |',
      '| lambda-1x (headline) | 0.710 ± 0.010 | 20.0 ± 4.0 | −1.00 [−1.80, −0.20] | −80 [−90, −70] |',
      '| baseline | 0.700 | 120.0 | −2.00 [−3.00, −1.00] | +20 [+10, +30] |',
      '| ground truth (floor) | – | 5.0 | – | – |', // (4 + 6) / 2
      '',
    ].join('\n'));
  });

  test('order: control, multipliers smallest first, auto, semi, semi-control, baseline, its and the control\'s post-processing, then the rest', () => {
    const r = demoReportFixture();
    const like = (name: string, kind: DemoRunReport['kind'], multiplier: number | null): DemoRunReport => ({ ...r.runs[2], name, kind, multiplier, postprocess: name.includes('+') ? 'lcc' : null });
    // Shuffled on purpose; auto+lcc is in no list of the README and goes last.
    r.runs = [
      like('auto+lcc', 'auto', null), like('lambda-10x', 'lambda', 10), r.runs[4], like('control+repair', 'control', null), r.runs[0],
      like('lambda-0.1x', 'lambda', 0.1), like('semi-control', 'semi-control', 1), r.runs[3], like('baseline+lcc', 'baseline', null), r.runs[5], r.runs[1], r.runs[2],
    ];
    const names = renderReadmeTable(r).split('\n\n')[1].split('\n').slice(2).map((l) => l.split(' | ')[0].slice(2));
    assert.deepEqual(names, [
      'control', 'lambda-0.1x', 'lambda-1x (headline)', 'lambda-10x', 'auto', 'semi', 'semi-control', 'baseline', 'baseline+lcc',
      'control+lcc', 'control+repair', 'auto+lcc', 'ground truth (floor)',
    ]);
  });

  test('a single-seed preview says so in each caption; a | in a name is escaped', () => {
    const r = demoPreviewFixture();
    r.runs[3].name = 'auto|x';
    const md = renderReadmeTable(r);
    assert.equal(md.split('single-seed preview (mode `default`), not the replicated experiment').length - 1, 2);
    assert.ok(md.includes('| auto\\|x | 0.818 | 27.0 | '));
    assert.doesNotMatch(renderReadmeTable(demoReportFixture()), /preview/);
  });
});
