import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { demoReportFixture } from '../../test/helpers/demoReportFixture.js';
import { diceContactsChart } from './diceContactsChart.js';
import { renderChartSvg } from './renderChartSvg.js';
import { runEncoding } from './runEncoding.js';
import { trainingCurveChart } from './trainingCurveChart.js';

/** Stroke colour and path (the shape) of each drawn point, by run name, read from Vega's SVG. */
function pointStyles(svg: string): Map<string, { stroke: string; d: string }> {
  const out = new Map<string, { stroke: string; d: string }>();
  for (const m of svg.matchAll(/<path aria-label="[^"]*run: ([^"]*)" role="graphics-symbol" aria-roledescription="point"[^>]* d="([^"]*)"[^>]* stroke="([^"]*)"/g)) {
    out.set(m[1], { d: m[2], stroke: m[3] });
  }
  return out;
}

describe('runEncoding', () => {
  test('colour and shape keyed on every run in report order; the legend lists the runs shown', () => {
    const r = demoReportFixture();
    const e = runEncoding(r, ['lambda-1h']);
    for (const channel of [e.color, e.shape]) {
      assert.deepEqual(channel, { field: 'run', type: 'nominal', scale: { domain: ['control', 'lambda-1h'] }, legend: { title: 'run', values: ['lambda-1h'] } });
    }
    assert.notEqual(e.color, e.shape); // two objects: Vega-Lite may annotate one without touching the other
    assert.equal(runEncoding(r, []).color.legend, null);
  });

  test('a run is drawn with the same colour and shape on every chart, and two runs differ in both', async () => {
    const r = demoReportFixture();
    // lambda-1h is alone on the unseen scatter and the λ chart, second on the others.
    const charts = [diceContactsChart(r, 'test'), diceContactsChart(r, 'unseen-test'), trainingCurveChart(r, 'validation-dice'), trainingCurveChart(r, 'lambda')];
    const styles = await Promise.all(charts.map(async (c) => pointStyles((await renderChartSvg(c)).svg)));
    assert.deepEqual(styles.map((s) => [...s.keys()]), [['control', 'lambda-1h'], ['lambda-1h'], ['control', 'lambda-1h'], ['lambda-1h']]);
    // Point sizes differ between the scatters and the curves, so shapes are compared within each kind.
    for (const name of ['control', 'lambda-1h']) {
      const seen = styles.filter((s) => s.has(name)).map((s) => s.get(name)!.stroke);
      assert.equal(new Set(seen).size, 1, `${name}: ${seen}`);
    }
    assert.deepEqual(styles[1].get('lambda-1h'), styles[0].get('lambda-1h'));
    assert.deepEqual(styles[3].get('lambda-1h'), styles[2].get('lambda-1h'));
    const [a, b] = [styles[0].get('control')!, styles[0].get('lambda-1h')!];
    assert.notEqual(a.stroke, b.stroke);
    assert.notEqual(a.d, b.d);
  });
});
