/**
 * The README's result table is the committed replicated report's, rendered by renderReadmeTable: the two can never
 * drift apart (a rerun of the experiment changes report.json, and this test then asks for the README to follow).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { DemoReport } from '../src/demo/demoReport.js';
import { renderReadmeTable } from '../src/demo/renderReadmeTable.js';
import { ROOT } from './helpers/runCliSnapshot.js';

const START = '<!-- demo-table:start -->';
const END = '<!-- demo-table:end -->';

test("the README's demo table is demo/replicated/report.json's", () => {
  const report = JSON.parse(readFileSync(path.join(ROOT, 'demo', 'replicated', 'report.json'), 'utf8')) as DemoReport;
  assert.equal(report.mode, 'replicated');
  assert.ok(report.seeds.length >= 3, `${report.seeds.length} seeds`);
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  assert.ok(a >= 0 && b > a, `README.md has no ${START} … ${END} block`);
  assert.equal(readme.slice(a + START.length, b).trim(), renderReadmeTable(report).trim());
});
