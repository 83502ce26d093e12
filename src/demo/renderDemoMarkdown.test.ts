import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { demoPreviewFixture, demoReportFixture } from '../../test/helpers/demoReportFixture.js';
import { renderDemoMarkdown } from './renderDemoMarkdown.js';

/** The lines of the first Markdown table after the first heading that starts with `heading` (header and separator included). */
function tableAfter(md: string, heading: string): string[] {
  const lines = md.split('\n');
  const start = lines.findIndex((l) => /^#+ /.test(l) && l.replace(/^#+ /, '').startsWith(heading));
  assert.ok(start >= 0, `no "${heading}" section`);
  const first = lines.findIndex((l, i) => i > start && l.startsWith('|'));
  const end = lines.findIndex((l, i) => i > first && !l.startsWith('|'));
  return lines.slice(first, end < 0 ? undefined : end);
}

/** The cells of a table row, splitting on unescaped `|` only. */
const cells = (row: string) => row.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());

/** The section headings, in order. */
const headings = (md: string) => md.split('\n').filter((l) => /^#+ /.test(l));

describe('renderDemoMarkdown', () => {
  const report = demoReportFixture();
  const md = renderDemoMarkdown(report);

  test('sections in reading order', () => {
    assert.deepEqual(headings(md), [
      '# NonAdjLoss demo: replicated experiment (2 seeds)',
      '## What was run',
      '### The reference λ heuristic',
      '## Headline decision',
      '## Test subjects, training scanner (`test`, 2 subjects)',
      '### Against the control (`test`)',
      '## Test subjects, unseen scanner (`unseen-test`, 2 subjects)',
      '### Against the control (`unseen-test`)',
      '## λ auto',
      '## The subjects\' anatomy against the prior',
      '## Commands',
      '## Provenance',
    ]);
  });

  test('main table of the test domain: the report\'s numbers, then the floor', () => {
    assert.deepEqual(tableAfter(md, 'Test subjects, training scanner'), [
      '| row | Dice (mean ± SD over seeds) | forbidden contacts (mean ± SD over seeds) | forbidden pairs | HD100 (mm) | extra components | collapsed structures |',
      '|---|---|---|---|---|---|---|',
      '| baseline | 0.800 | 39.0 | 3.0 | 12.5 | 1.25 | 0.50 |',
      '| control | 0.820 ± 0.004 | 30.0 ± 2.0 | 2.5 | 11.0 | 1.00 | 0.00 |',
      '| lambda-1x | 0.810 ± 0.002 | 6.0 ± 1.0 | 1.0 | 9.5 | 0.75 | 0.00 |',
      '| auto | 0.818 ± 0.006 | 27.0 ± 3.0 | 2.0 | 10.5 | 1.00 | 0.00 |',
      '| semi | 0.815 ± 0.005 | 15.0 ± 1.5 | 1.5 | 10.0 | 1.00 | 0.00 |',
      '| control+lcc | 0.821 ± 0.004 | 24.0 ± 2.0 | 2.0 | 8.0 | 0.00 | 0.00 |',
      '| ground truth (floor) | – | 1.5 | 0.5 | – | – | – |',
    ]);
  });

  test('paired table: intervals, and "no detectable difference" where one contains 0', () => {
    const rows = tableAfter(md, 'Against the control (`test`)').slice(2);
    assert.equal(rows[1], '| lambda-1x | 2 × 2 | −1.00 [−1.40, −0.60] | −80 [−90, −70] | −75 [−85, −60] | −1.5 [−2.5, −0.5] | no detectable difference [−0.50, ±0.00] |');
    assert.deepEqual(cells(rows[2]).slice(0, 4), ['auto', '2 × 2', 'no detectable difference [−0.50, +0.10]', 'no detectable difference [−25, +5]']);
    // Whenever an interval contains 0, no signed estimate stands before it.
    for (const row of rows) for (const c of cells(row).slice(2)) assert.doesNotMatch(c, /^[+−±][\d.]+ \[[^\]]*[−±][^\]]*, [+±]/, c);
  });

  test('headline decision: rule, candidates, chosen row, made on validation', () => {
    assert.ok(md.includes(`Rule, fixed before any number was seen: ${report.decision.rule}.`));
    assert.deepEqual(tableAfter(md, 'Headline decision').slice(2), ['| 1× | lambda-1x | −0.31 | −78 | yes: chosen |', '| 3× | lambda-3x | −1.92 | −95 | no |']);
    assert.ok(md.includes('**Headline row: `lambda-1x`.**'));
    assert.match(md, /made on the validation subjects before any test number was computed/);
  });

  test('heuristic per seed with its formula; λ auto per seed; anatomy', () => {
    assert.match(md, /λ_ref = 0\.3 × \(mean training Dice coefficient\) \/ \(mean training NonAdjLoss\)/);
    assert.deepEqual(tableAfter(md, 'The reference λ heuristic').slice(2), ['| 1 | 0.500 | 0.800 | 0.480 |', '| 2 | 0.400 | 0.800 | 0.600 |']);
    assert.deepEqual(tableAfter(md, 'λ auto').slice(2), ['| 1 | 5 | 1 | 1 | 1 | 0.500 | 1.00× |', '| 2 | 4 | 1 | 0 | 0 | 0.800 | 2.00× |']);
    assert.ok(tableAfter(md, 'The subjects').includes('| test/t2 | 1 | 3 | 1 | 2 | Caudate_L–Vermis (3) |'));
  });

  test('every training command, per arm and seed; provenance', () => {
    for (const row of report.runs) for (const run of row.runs) assert.ok(md.includes(`- \`${row.name}\` seed ${run.seed} (λ `), `${row.name} ${run.seed}`);
    for (const command of report.runs.flatMap((row) => row.runs.map((run) => run.command))) assert.ok(md.includes(`: \`${command}\``), command);
    assert.ok(md.includes('- `auto` seed 2 (λ auto, 160 steps, 1.0 min)'));
    assert.ok(md.includes(`- baseline (shipped): \`${report.baseline.command}\``));
    assert.ok(md.includes('nonadj 0.9.0, Node v20.11.0, 2 × Test CPU @ 2.0GHz. Demo time: 12.6 min.')); // 754 s / 60 = 12.57
  });

  test('"single-seed preview" is on a default report and absent from a replicated one', () => {
    const preview = renderDemoMarkdown(demoPreviewFixture());
    assert.ok(preview.startsWith('# NonAdjLoss demo: SINGLE-SEED PREVIEW (mode `default`)\n'));
    assert.match(preview, /\*\*This is a single-seed preview, not the experiment\.\*\*/);
    assert.doesNotMatch(md, /single-seed|preview/i);
    // One seed: means without SD.
    assert.equal(tableAfter(preview, 'Test subjects, training scanner')[3], '| control | 0.820 | 30.0 | 2.5 | 11.0 | 1.00 | 0.00 |');
  });

  test('a | in a row name is escaped in every table, and each row keeps its header\'s width', () => {
    const r = demoReportFixture();
    for (const c of r.comparisons) if (c.run === 'auto') c.run = 'auto|v2';
    r.runs[3].name = 'auto|v2';
    const out = renderDemoMarkdown(r);
    assert.ok(out.includes('| auto\\|v2 | 0.818 ± 0.006 |'));
    assert.ok(out.includes('| auto\\|v2 | 2 × 2 | no detectable difference'));
    for (const heading of ['Test subjects, training scanner', 'Against the control (`test`)', 'Headline decision', 'λ auto', 'The subjects']) {
      const t = tableAfter(out, heading);
      for (const row of t) assert.equal(cells(row).length, cells(t[0]).length, `${heading}: ${row}`);
    }
  });

  test('a command holding backticks stays one code span', () => {
    const r = demoReportFixture();
    r.baseline.command = 'nonadj train `x`';
    assert.ok(renderDemoMarkdown(r).includes('- baseline (shipped): `` nonadj train `x` ``'));
  });

  test('ends with exactly one newline; no NaN or undefined', () => {
    assert.ok(md.endsWith('\n') && !md.endsWith('\n\n'));
    assert.doesNotMatch(md, /NaN|undefined|Infinity/);
  });
});
