import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { demoReportFixture } from '../../test/helpers/demoReportFixture.js';
import { diceContactsChart } from './diceContactsChart.js';
import { renderChartSvg } from './renderChartSvg.js';
import type { DemoReport } from './demoReport.js';

/** The chart's fields that matter here, read through the spec's plain JSON (the Vega-Lite type is a wide union). */
function parts(r: DemoReport, set: 'test' | 'unseen-test') {
  const spec = JSON.parse(JSON.stringify(diceContactsChart(r, set)));
  return { spec, values: spec.data.values, x: spec.encoding.x, transform: spec.transform };
}

/** The fixture with the test domain's contacts replaced: control gets `control`, lambda-1h gets `lambda`. */
function withContacts(control: number, lambda: number): DemoReport {
  const r = demoReportFixture();
  r.runs[0].domains.test!.forbiddenContacts = control;
  r.runs[1].domains.test!.forbiddenContacts = lambda;
  return r;
}

describe('diceContactsChart', () => {
  test('one datum per run scored on the domain, with the report\'s means', () => {
    const r = demoReportFixture();
    assert.deepEqual(parts(r, 'test').values, [
      { run: 'control', contacts: 12, dice: 0.81234 },
      { run: 'lambda-1h', contacts: 0, dice: 0.79 },
    ]);
    // control has no unseen-domain scores.
    assert.deepEqual(parts(r, 'unseen-test').values, [{ run: 'lambda-1h', contacts: 131, dice: 0.6049 }]);
    const { spec } = parts(r, 'test');
    assert.deepEqual([spec.width, spec.height], [360, 260]);
    assert.deepEqual(spec.title, { text: 'Test subjects (training contrast)' });
    assert.deepEqual(spec.encoding.y.axis.title, 'mean Dice (0–1)');
    // Colours and shapes are keyed on every run of the report, the legend lists the runs drawn.
    assert.deepEqual(spec.encoding.color.scale.domain, ['control', 'lambda-1h']);
    assert.deepEqual(parts(r, 'unseen-test').spec.encoding.shape.legend.values, ['lambda-1h']);
  });

  test('x axis: linear up to two decades, log beyond, log of 1 + contacts when a run has none', () => {
    // Fixture: contacts 12 and 0, measured from 1: 12× → linear on the report's own field.
    const linear = parts(demoReportFixture(), 'test');
    assert.deepEqual([linear.x.field, linear.x.scale.type, linear.transform], ['contacts', 'linear', []]);
    assert.deepEqual(linear.x.axis.title, ['mean forbidden contacts per subject', '(voxel pairs)']);
    // 5000 / 10 = 500× → log.
    const log = parts(withContacts(10, 5000), 'test');
    assert.deepEqual([log.x.field, log.x.scale.type, log.transform], ['contacts', 'log', []]);
    assert.deepEqual(log.x.axis.title, ['mean forbidden contacts per subject', '(voxel pairs, log scale)']);
    // 0 and 5000: 5000× from 1 → log of contacts + 1, added by the chart, not in the data.
    const log1p = parts(withContacts(5000, 0), 'test');
    assert.deepEqual([log1p.x.field, log1p.x.scale.type], ['contactsPlus1', 'log']);
    assert.deepEqual(log1p.transform, [{ calculate: 'datum.contacts + 1', as: 'contactsPlus1' }]);
    assert.deepEqual(log1p.values.map((v: { contacts: number }) => v.contacts), [5000, 0]);
    assert.deepEqual(log1p.x.axis.title, ['1 + mean forbidden contacts per subject', '(voxel pairs, log scale)']);
  });

  test('renders one point per run at the report\'s values, on each kind of axis, without warnings', async () => {
    for (const [r, set, labels] of [
      [demoReportFixture(), 'test', ['contacts: 12; dice: 0.81234; run: control', 'contacts: 0; dice: 0.79; run: lambda-1h']],
      [demoReportFixture(), 'unseen-test', ['contacts: 131; dice: 0.6049; run: lambda-1h']],
      [withContacts(10, 5000), 'test', ['contacts: 10; dice: 0.81234; run: control', 'contacts: 5000; dice: 0.79; run: lambda-1h']],
      // On a log1p axis Vega's label names the plotted field, 1 + contacts.
      [withContacts(5000, 0), 'test', ['contactsPlus1: 5001; dice: 0.81234; run: control', 'contactsPlus1: 1; dice: 0.79; run: lambda-1h']],
    ] as const) {
      const { svg, warnings } = await renderChartSvg(diceContactsChart(r, set));
      assert.deepEqual(warnings, []);
      assert.deepEqual([...svg.matchAll(/aria-label="([^"]*)" role="graphics-symbol" aria-roledescription="point"/g)].map((m) => m[1]), labels);
    }
  });

  test('a domain no run was scored on gives an empty chart, not an error', async () => {
    const r = demoReportFixture();
    for (const run of r.runs) run.domains['unseen-test'] = null;
    const { spec } = parts(r, 'unseen-test');
    assert.deepEqual(spec.data.values, []);
    assert.equal(spec.encoding.color.legend, null);
    assert.deepEqual(spec.title, { text: 'Test subjects (unseen contrast)', subtitle: 'no run was scored on this domain' });
    const { svg, warnings } = await renderChartSvg(diceContactsChart(r, 'unseen-test'));
    assert.deepEqual(warnings, []);
    assert.equal(svg.split('aria-roledescription="point"').length - 1, 0);
    assert.ok(svg.includes('>no run was scored on this domain</text>'));
    assert.doesNotMatch(svg, /NaN|Infinity|undefined/);
  });
});
