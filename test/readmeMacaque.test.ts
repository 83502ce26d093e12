/**
 * The README's paragraph on the macaque preview quotes demo/preview-inia19/report.json: each figure it states is
 * recomputed here from the report's comparisons with the control (rounded as the paragraph rounds it), so a rerun
 * of the preview asks for the paragraph to follow.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { ComparedMetric, DemoDomain, DemoReport } from '../src/demo/demoReport.js';
import { findComparison } from '../src/demo/findComparison.js';
import { ROOT } from './helpers/runCliSnapshot.js';

const report = JSON.parse(readFileSync(path.join(ROOT, 'demo', 'preview-inia19', 'report.json'), 'utf8')) as DemoReport;
const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const start = readme.indexOf('**The macaque (INIA19), a single-seed preview only**');
const paragraph = readme.slice(start, readme.indexOf('\n- ', start)).replace(/\s+/g, ' ');

function comparison(run: string, domain: DemoDomain, metric: ComparedMetric) {
  const c = findComparison(report, run, domain, metric);
  assert.ok(c, `report has no ${run} / ${domain} / ${metric} comparison`);
  return c;
}
/** Fall in contacts against the control, in whole percent (positive). */
const fall = (run: string, domain: DemoDomain) => Math.round(-comparison(run, domain, 'forbiddenContacts').relativeChange!.estimate * 100);
/** Dice change against the control, in points. */
const dice = (run: string, domain: DemoDomain) => comparison(run, domain, 'dice').meanDifference;

test('the README quotes the macaque preview report', () => {
  assert.ok(start >= 0, 'README has the macaque paragraph');
  assert.equal(report.atlas, 'inia19');
  assert.equal(report.seeds.length, 1);
  const phrases = [
    `contacts fall by ${fall('lambda-0.1x', 'test')} % (0.1 ×) to ${fall('lambda-10x', 'test')} % (10 ×) on the training scanner`,
    `and ${fall('lambda-1x', 'unseen-test')} % (1 ×) to ${fall('lambda-10x', 'unseen-test')} % (10 ×) on the unseen one`,
    `Dice costs ${(-dice('lambda-3x', 'test').estimate).toFixed(2)} point at 3 ×`,
    `and ${(-dice('lambda-10x', 'test').estimate).toFixed(2)} [${(-dice('lambda-10x', 'test').high).toFixed(2)}, ${(-dice('lambda-10x', 'test').low).toFixed(2)}] at 10 ×`,
    `gains from +${dice('lambda-0.3x', 'unseen-test').estimate.toFixed(1)} (0.3 ×) to +${dice('lambda-10x', 'unseen-test').estimate.toFixed(1)} points (10 ×)`,
    `(−${fall('control+lcc', 'test')} % of the control's contacts on test, −${fall('control+lcc', 'unseen-test')} % unseen`,
    `−${fall('semi', 'unseen-test')} % unseen contacts and +${dice('semi', 'unseen-test').estimate.toFixed(1)} Dice points there`,
    `against −${fall('semi-control', 'unseen-test')} % and +${dice('semi-control', 'unseen-test').estimate.toFixed(1)} for its training-scanner control`,
  ];
  for (const phrase of phrases) assert.ok(paragraph.includes(phrase), `the macaque paragraph lacks: ${phrase}`);
  assert.equal(report.decision.chosen, 'lambda-10x');
});
