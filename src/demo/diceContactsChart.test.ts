import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { demoReportFixture } from '../../test/helpers/demoReportFixture.js';
import { diceContactsChart } from './diceContactsChart.js';
import { renderChartSvg } from '../view/renderChartSvg.js';
import type { DemoReport } from './demoReport.js';

/** The chart's spec as plain JSON (the Vega-Lite type is a wide union), with its point layer (the last). */
function parts(r: DemoReport, set: 'test' | 'unseen-test') {
  const spec = JSON.parse(JSON.stringify(diceContactsChart(r, set)));
  const points = spec.layer.at(-1);
  return { spec, values: spec.data.values, points, x: points.encoding.x, transform: points.transform };
}

/** Vega's screen-reader label of each mark of a kind (`point`, `rule mark`), in drawing order. */
const labels = (svg: string, kind: string) =>
  [...svg.matchAll(new RegExp(`aria-label="([^"]*)" role="graphics-symbol" aria-roledescription="${kind}"`, 'g'))].map((m) => m[1]);

/** The fixture with every contacts value of the test domain (rows, differences, truth) multiplied by `k`. */
function scaledContacts(k: number): DemoReport {
  const r = demoReportFixture();
  for (const run of r.runs) if (run.domains.test) run.domains.test.forbiddenContacts = k * run.domains.test.forbiddenContacts;
  for (const c of r.comparisons) if (c.metric === 'forbiddenContacts') Object.assign(c.meanDifference, { estimate: k * c.meanDifference.estimate, low: k * c.meanDifference.low, high: k * c.meanDifference.high });
  for (const t of r.truth) t.forbiddenContacts *= k;
  return r;
}

describe('diceContactsChart', () => {
  test('one datum per row scored on the domain, with its means and the paired intervals around them', () => {
    const r = demoReportFixture();
    const { values, spec } = parts(r, 'test');
    assert.deepEqual(values.map((v: { run: string }) => v.run), ['baseline', 'control', 'lambda-1x', 'auto', 'semi', 'control+lcc']);
    // lambda-1x: contacts 6, difference −24 in [−27, −21] → bar 6 + (−27 + 24) = 3 … 6 + 3 = 9; Dice 0.81, −1 point in
    // [−1.4, −0.6] → 0.81 − 0.004 … 0.81 + 0.004.
    const l = values[2];
    assert.deepEqual([l.contacts, l.contactsLow, l.contactsHigh, l.dice], [6, 3, 9, 0.81]);
    assert.ok(Math.abs(l.diceLow - 0.806) < 1e-12 && Math.abs(l.diceHigh - 0.814) < 1e-12, `${l.diceLow} ${l.diceHigh}`);
    // The control is the reference: no bars.
    assert.deepEqual([values[1].contactsLow, values[1].diceLow], [null, null]);
    assert.deepEqual([spec.width, spec.height], [360, 260]);
    assert.equal(spec.title.text, 'Test subjects (training scanner)');
    // Colours and shapes keyed on every row of the report; the legend lists the rows drawn (unseen: 3 scored).
    assert.deepEqual(parts(r, 'test').points.encoding.color.scale.domain, ['baseline', 'control', 'lambda-1x', 'auto', 'semi', 'control+lcc']);
    assert.deepEqual(parts(r, 'unseen-test').points.encoding.shape.legend.values, ['baseline', 'control', 'lambda-1x']);
  });

  test('renders the points, one bar per compared row and metric, and the floor, without warnings', async () => {
    const { svg, warnings } = await renderChartSvg(diceContactsChart(demoReportFixture(), 'test'));
    assert.deepEqual(warnings, []);
    assert.deepEqual(labels(svg, 'point'), [
      'contacts: 39; dice: 0.8; run: baseline', 'contacts: 30; dice: 0.82; run: control', 'contacts: 6; dice: 0.81; run: lambda-1x',
      'contacts: 27; dice: 0.818; run: auto', 'contacts: 15; dice: 0.815; run: semi', 'contacts: 24; dice: 0.821; run: control+lcc',
    ]);
    const rules = labels(svg, 'rule mark');
    // The floor (t1 0, t2 3 → 1.5), then 5 horizontal and 5 vertical bars.
    assert.equal(rules[0], 'floor: 1.5');
    assert.equal(rules.length, 1 + 5 + 5);
    assert.ok(rules.includes('contactsLow: 3; dice: 0.81; contactsHigh: 9; run: lambda-1x'));
    assert.doesNotMatch(svg, /NaN|Infinity|undefined/);
  });

  test('x axis: linear up to two decades, log beyond, log of 1 + contacts when one is 0', () => {
    // Fixture: floor 1.5 … baseline's bar 45: 30× → linear on the report's own field.
    const linear = parts(demoReportFixture(), 'test');
    assert.deepEqual([linear.x.field, linear.x.scale.type, linear.transform], ['contacts', 'linear', []]);
    assert.deepEqual(linear.x.axis.title, ['mean forbidden contacts per subject', '(voxel pairs)']);
    // Two rows without bars or floor, at 10 and 5000 contacts: 500× → log.
    const r = demoReportFixture();
    r.truth = [];
    r.comparisons = [];
    r.runs = r.runs.slice(0, 2);
    r.runs[0].domains.test!.forbiddenContacts = 10;
    r.runs[1].domains.test!.forbiddenContacts = 5000;
    const log = parts(r, 'test');
    assert.deepEqual([log.x.field, log.x.scale.type, log.transform], ['contacts', 'log', []]);
    assert.deepEqual(log.x.axis.title, ['mean forbidden contacts per subject', '(voxel pairs, log scale)']);
    // A row at 0: 5000× measured from 1 → log of contacts + 1, added by the chart, not in the data.
    r.runs[0].domains.test!.forbiddenContacts = 0;
    const log1p = parts(r, 'test');
    assert.deepEqual([log1p.x.field, log1p.x.scale.type], ['contactsPlus1', 'log']);
    assert.deepEqual(log1p.transform, [{ calculate: 'datum.contacts + 1', as: 'contactsPlus1' }]);
    assert.deepEqual(log1p.values.map((v: { contacts: number }) => v.contacts), [0, 5000]);
    assert.deepEqual(log1p.x.axis.title, ['1 + mean forbidden contacts per subject', '(voxel pairs, log scale)']);
  });

  test('on a log1p axis the bars and the floor get their + 1 too, and render without warnings', async () => {
    const r = scaledContacts(1000); // lambda-1x's bar 3000 … 9000, floor 1500, baseline 39000; control+lcc's bar low 21000
    r.runs[2].domains.test!.forbiddenContacts = 0; // lambda-1x at 0: its bar's low end clamps at 0
    const spec = JSON.parse(JSON.stringify(diceContactsChart(r, 'test')));
    const [floor, horizontal] = spec.layer;
    assert.equal(floor.encoding.x.field, 'floorPlus1');
    assert.deepEqual([horizontal.encoding.x.field, horizontal.encoding.x2.field], ['contactsLowPlus1', 'contactsHighPlus1']);
    assert.deepEqual(spec.data.values[2].contactsLow, 0);
    const { svg, warnings } = await renderChartSvg(diceContactsChart(r, 'test'));
    assert.deepEqual(warnings, []);
    assert.ok(labels(svg, 'point').includes('contactsPlus1: 1; dice: 0.81; run: lambda-1x'));
  });

  test('a domain no row was scored on gives an empty chart, not an error', async () => {
    const r = demoReportFixture();
    for (const run of r.runs) run.domains['unseen-test'] = null;
    const { spec, values } = parts(r, 'unseen-test');
    assert.deepEqual(values, []);
    assert.equal(spec.layer.length, 1); // no floor, no bars
    assert.equal(spec.layer[0].encoding.color.legend, null);
    assert.deepEqual(spec.title, { text: 'Test subjects (unseen scanner)', subtitle: 'no row was scored on this domain' });
    const { svg, warnings } = await renderChartSvg(diceContactsChart(r, 'unseen-test'));
    assert.deepEqual(warnings, []);
    assert.deepEqual(labels(svg, 'point'), []);
    assert.ok(svg.includes('>no row was scored on this domain</text>'));
    assert.doesNotMatch(svg, /NaN|Infinity|undefined/);
  });
});
