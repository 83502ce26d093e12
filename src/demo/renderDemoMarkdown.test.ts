import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { demoReportFixture } from '../../test/helpers/demoReportFixture.js';
import { renderDemoMarkdown } from './renderDemoMarkdown.js';

/** The lines of the first Markdown table after the heading `## <heading>…` (header and separator included). */
function tableAfter(md: string, heading: string): string[] {
  const lines = md.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`## ${heading}`));
  assert.ok(start >= 0, `no "## ${heading}" section`);
  const first = lines.findIndex((l, i) => i > start && l.startsWith('|'));
  const end = lines.findIndex((l, i) => i > first && !l.startsWith('|'));
  return lines.slice(first, end < 0 ? undefined : end);
}

const cells = (row: string) => row.split('|').slice(1, -1).map((c) => c.trim());

describe('renderDemoMarkdown', () => {
  const report = demoReportFixture();
  const md = renderDemoMarkdown(report);

  test('results table: one row per run with the report\'s numbers (Dice 3 decimals, HD/pairs/collapsed 1, contacts 0)', () => {
    const table = tableAfter(md, 'Results');
    assert.equal(table.length, 2 + report.runs.length);
    assert.deepEqual(table.slice(2), [
      // control: test means 0.81234, 3.46 mm, 1.5 pairs, 12 contacts, 0.5 collapsed; λ = 0 prints '0'; no unseen domain.
      '| control | 0 | 2 | 0.812 | 3.5 | 1.5 | 12 | 0.5 | – | – | – | – | – |',
      // lambda-1h: λ 0.123456 to 3 significant digits; test HD null; unseen 0.6049, 7.21, 2.5, 131, 0.5.
      '| lambda-1h | 0.123 | 80 | 0.790 | – | 0.0 | 0 | 0.0 | 0.605 | 7.2 | 2.5 | 131 | 0.5 |',
    ]);
  });

  test('λ auto and λ null (repair), steps null', () => {
    const r = demoReportFixture();
    r.runs[0] = { ...r.runs[0], name: 'auto', lambda: 'auto' };
    r.runs[1] = { ...r.runs[1], name: 'baseline+repair', lambda: null, steps: null };
    const rows = tableAfter(renderDemoMarkdown(r), 'Results').slice(2).map((row) => cells(row).slice(0, 3));
    assert.deepEqual(rows, [['auto', 'auto', '2'], ['baseline+repair', '–', '–']]);
  });

  test('per-subject rows and the per-structure table of the test domain', () => {
    assert.deepEqual(tableAfter(md, 'Per-subject').slice(2), [
      '| control | test/t1 | 0.900 | 3.0 | 1 | 10 | – |',
      '| control | test/t2 | 0.725 | 3.9 | 2 | 14 | Caudate_L |',
      '| lambda-1h | test/t1 | 0.790 | – | 0 | 0 | – |',
      '| lambda-1h | unseen-test/u1 | 0.600 | 7.0 | 2 | 120 | Vermis |',
      '| lambda-1h | unseen-test/u2 | 0.610 | 7.4 | 3 | 142 | – |',
    ]);
    // Structures of the test domain only (lambda-1h's unseen Vermis 0.3 is not shown); a run without one shows '–'.
    assert.deepEqual(tableAfter(md, 'Per-structure'), [
      '| structure | control | lambda-1h |',
      '|---|---|---|',
      '| Caudate_L | 0.500 | 0.610 |',
      '| Vermis | 0.877 | – |',
    ]);
  });

  test('every table row has as many cells as its header', () => {
    for (const heading of ['Results', 'Per-subject', 'Per-structure']) {
      const table = tableAfter(md, heading);
      const width = cells(table[0]).length;
      for (const row of table) assert.equal(cells(row).length, width, `${heading}: ${row}`);
    }
  });

  test('set-up, heuristic, commands and time come from the report', () => {
    assert.ok(md.startsWith('# NonAdjLoss demo (quick)\n'));
    assert.match(md, /grid 90×108×90 at 2×2×2 mm, seed 1\. Subjects: train 2, val 1, test 2, unseen-train 1, unseen-test 2 /);
    assert.match(md, /\(3 labels incl\. background\)/);
    assert.match(md, /= 0\.1235\. /); // 0.12346 to 4 significant digits
    assert.match(md, /Ground truth itself: test\/t1 0 pairs, 0 contacts; unseen-test\/u1 1 pairs, 4 contacts /);
    for (const run of report.runs) assert.ok(md.includes(`- **${run.name}** (${run.description}): \`${run.command}\``), run.name);
    assert.ok(md.includes('Demo time: 12.6 min.')); // 754 s / 60 = 12.57
  });

  test('ends with exactly one newline', () => {
    assert.ok(md.endsWith('\n'));
    assert.ok(!md.endsWith('\n\n'));
  });
});
