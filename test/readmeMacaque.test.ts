/**
 * The README's macaque paragraph and table quote demo/replicated-inia19/report.json: the table is rendered from it by
 * renderReadmeTable, and each figure of the paragraph is recomputed here from the report's comparisons with the
 * control (rounded as the paragraph rounds it), so a rerun of the experiment asks for both to follow.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { DemoDomain, DemoReport } from '../src/demo/demoReport.js';
import { formatSigned } from '../src/demo/formatSigned.js';
import { renderReadmeTable } from '../src/demo/renderReadmeTable.js';
import { reportQuotes } from './helpers/reportQuotes.js';
import { ROOT } from './helpers/runCliSnapshot.js';

const report = JSON.parse(readFileSync(path.join(ROOT, 'demo', 'replicated-inia19', 'report.json'), 'utf8')) as DemoReport;
const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const start = readme.indexOf('**The macaque (INIA19), replicated the same way**');
const paragraph = readme.slice(start, readme.indexOf('\n- ', start)).replace(/\s+/g, ' ');

const { comparison, fall, dice } = reportQuotes(report);
const row = (name: string, domain: DemoDomain) => report.runs.find((r) => r.name === name)!.domains[domain]!;
const candidate = (run: string) => report.decision.candidates.find((c) => c.run === run)!;

test("the README's macaque table is demo/replicated-inia19/report.json's", () => {
  assert.equal(report.atlas, 'inia19');
  assert.equal(report.mode, 'replicated');
  assert.deepEqual(report.seeds, [1, 2, 3]);
  const a = readme.indexOf('<!-- demo-table-inia19:start -->');
  const b = readme.indexOf('<!-- demo-table-inia19:end -->');
  assert.ok(a >= 0 && b > a, 'README.md has no macaque table block');
  assert.equal(readme.slice(a + '<!-- demo-table-inia19:start -->'.length, b).trim(), renderReadmeTable(report).trim());
});

test('the README quotes the macaque report', () => {
  assert.ok(start >= 0, 'README has the macaque paragraph');
  const phrases = [
    `contacts fall by ${fall('lambda-0.1x')} % (0.1 ×) to ${fall('lambda-100x')} % (100 ×) against the control`,
    `Dice costs from 0.3 × on (${dice('lambda-0.3x', 'test', true).replace(' [', ' point [')})`,
    `${dice('lambda-10x', 'test', true)} at 10 ×, ${dice('lambda-30x', 'test')} at 30 × and ${dice('lambda-100x', 'test', true)} at 100 ×`,
    `is 10 × (${formatSigned(candidate('lambda-10x').diceDeltaPoints, 2)} point on validation; 30 × was out at ${formatSigned(candidate('lambda-30x').diceDeltaPoints, 2)})`,
    `baseline is poor (Dice ${row('baseline', 'unseen-test').meanDice.toFixed(2)})`,
    `raises Dice by ${dice('lambda-0.1x', 'unseen-test')} (0.1 ×) to ${dice('lambda-100x', 'unseen-test')} points (100 ×)`,
    `contacts fall by ${fall('lambda-0.1x', 'unseen-test')} % to ${Math.max(...[0.1, 0.3, 1, 3, 10, 30, 100].map((m) => fall(`lambda-${m}x`, 'unseen-test')))} %`,
    `(−${fall('control+lcc')} % of the control's contacts, ${row('control+lcc', 'test').forbiddenContacts.toFixed(1)} per subject left against ${row('lambda-10x', 'test').forbiddenContacts.toFixed(1)} at 10 ×`,
    `(10 × + largest component: ${row('lambda-10x+lcc', 'test').forbiddenContacts.toFixed(1)})`,
    `(control + largest component −${fall('control+lcc', 'unseen-test')} %, 10 × + largest component −${fall('lambda-10x+lcc', 'unseen-test')} %)`,
    `−${fall('semi', 'unseen-test')} % contacts and ${formatSigned(comparison('semi', 'unseen-test', 'dice').meanDifference.estimate, 1)} Dice points there`,
    `against −${fall('semi-control', 'unseen-test')} % and ${formatSigned(comparison('semi-control', 'unseen-test', 'dice').meanDifference.estimate, 1)} for its training-scanner control`,
  ];
  for (const phrase of phrases) assert.ok(paragraph.includes(phrase), `the macaque paragraph lacks: ${phrase}`);
  assert.equal(report.decision.chosen, 'lambda-10x');
  assert.ok(report.autoLambda.every((a) => a.grew === 2 && a.shrank === 0), 'λ auto grew twice in each seed');
  assert.ok(report.truth.every((t) => t.forbiddenContacts === 0), 'floor 0');
});
