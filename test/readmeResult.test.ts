/**
 * The README's sentences on the human replicated experiment quote demo/replicated/report.json: each figure they state
 * is recomputed here from the report's comparisons with the control (rounded as the sentence rounds it), so a rerun of
 * the experiment asks for the sentences to follow. (test/readme.test.ts checks the table under them.)
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { DemoReport } from '../src/demo/demoReport.js';
import { formatSigned } from '../src/demo/formatSigned.js';
import { reportQuotes } from './helpers/reportQuotes.js';
import { ROOT } from './helpers/runCliSnapshot.js';

const report = JSON.parse(readFileSync(path.join(ROOT, 'demo', 'replicated', 'report.json'), 'utf8')) as DemoReport;
const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const block = readme.slice(readme.indexOf('<!-- demo-result:start -->'), readme.indexOf('<!-- demo-table:start -->')).replace(/\s+/g, ' ');

const { comparison, fall, dice } = reportQuotes(report);
const hd = (run: string) => (-comparison(run, 'test', 'hausdorffMaxMm').meanDifference.estimate).toFixed(1);

test('the README quotes the human replicated report', () => {
  assert.equal(report.mode, 'replicated');
  assert.deepEqual(report.seeds, [1, 2, 3]);
  const phrases = [
    `contacts fall by ${fall('lambda-0.1x')} % to ${fall('lambda-100x')} % against the control`,
    `10 × (−${fall('lambda-10x')} %; −${fall('lambda-30x')} % at 30 ×, −${fall('lambda-100x')} % at 100 ×)`,
    `(${dice('lambda-10x', 'test', true).replace(' [', ' point [')} at 10 ×, ${dice('lambda-30x', 'test')} at 30 ×, ${dice('lambda-100x', 'test')} at 100 ×)`,
    `falls by ${hd('lambda-0.1x')} mm (0.1 ×) to ${hd('lambda-100x')} mm (100 ×)`,
    `from 0.3 × (${dice('lambda-0.3x', 'unseen-test', true).replace(' [', ' point [')})`,
    `${dice('lambda-1x', 'unseen-test', true)} at 1 ×, ${dice('lambda-10x', 'unseen-test', true)} at 10 ×, ${dice('lambda-30x', 'unseen-test', true)} at 30 × and ${dice('lambda-100x', 'unseen-test', true)} at 100 ×`,
    `for ${fall('lambda-0.3x', 'unseen-test')} % to ${fall('lambda-100x', 'unseen-test')} % fewer contacts`,
    `contacts there fall by ${fall('semi', 'unseen-test')} %`,
    `its control), by ${fall('semi-control', 'unseen-test')} %`,
    `removes ${fall('control+lcc')} % of the control's contacts on its own`,
    `(10 × + largest component: −${fall('lambda-10x+lcc')} %, 100 × + largest component: −${fall('lambda-100x+lcc')} %)`,
    `\`repair\` removes fewer (−${fall('control+repair')} %)`,
  ];
  for (const phrase of phrases) assert.ok(block.includes(phrase), `the README's result lacks: ${phrase}`);
  // No λ of the sweep costs Dice on the training scanner: every interval lies above −0 or contains it.
  for (const m of [0.1, 0.3, 1, 3, 10, 30, 100]) assert.ok(comparison(`lambda-${m}x`, 'test', 'dice').meanDifference.high > 0, `${m} ×`);
  assert.equal(report.decision.chosen, 'lambda-100x');
  assert.ok(block.includes('is 100 ×.'));
});
