import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { demoReportFixture } from '../../test/helpers/demoReportFixture.js';
import { diceContactsChart } from './diceContactsChart.js';
import { renderChartSvg } from '../view/renderChartSvg.js';
import { runEncoding } from './runEncoding.js';

/** Stroke colour and path (the shape) of each drawn point, by series name, read from Vega's SVG. */
function pointStyles(svg: string): Map<string, { stroke: string; d: string }> {
  const out = new Map<string, { stroke: string; d: string }>();
  for (const m of svg.matchAll(/<path aria-label="[^"]*run: ([^"]*)" role="graphics-symbol" aria-roledescription="point"[^>]* d="([^"]*)"[^>]* stroke="([^"]*)"/g)) {
    out.set(m[1], { d: m[2], stroke: m[3] });
  }
  return out;
}

describe('runEncoding', () => {
  test('colour and shape keyed on the whole domain in its order; the legend lists the series shown', () => {
    const e = runEncoding(['control', 'lambda-1x', 'auto'], ['lambda-1x']);
    for (const channel of [e.color, e.shape]) {
      assert.deepEqual(channel, { field: 'run', type: 'nominal', scale: { domain: ['control', 'lambda-1x', 'auto'] }, legend: { title: 'row', values: ['lambda-1x'] } });
    }
    assert.notEqual(e.color, e.shape); // two objects: Vega-Lite may annotate one without touching the other
    assert.equal(runEncoding(['a'], []).color.legend, null);
    assert.equal(runEncoding(['seed 1'], ['seed 1'], 'seed').shape.legend?.title, 'seed');
  });

  test('a row is drawn with the same colour and shape on both domains\' charts, and rows differ in both', async () => {
    const r = demoReportFixture();
    // The unseen chart draws 3 of the 6 rows.
    const styles = await Promise.all([diceContactsChart(r, 'test'), diceContactsChart(r, 'unseen-test')].map(async (c) => pointStyles((await renderChartSvg(c)).svg)));
    assert.deepEqual([...styles[1].keys()], ['baseline', 'control', 'lambda-1x']);
    for (const name of styles[1].keys()) assert.deepEqual(styles[1].get(name), styles[0].get(name), name);
    const all = [...styles[0].values()];
    assert.equal(new Set(all.map((s) => s.stroke)).size, 6);
    assert.equal(new Set(all.map((s) => s.d)).size, 6);
  });
});
