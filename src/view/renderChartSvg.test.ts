import assert from 'node:assert/strict';
import { describe, mock, test } from 'node:test';
import type { TopLevelSpec } from 'vega-lite';
import { renderChartSvg } from './renderChartSvg.js';

/** Three points, one per run; the third run's y is 0 so that a log y axis would hold a zero. */
const scatter = (yScale: 'linear' | 'log'): TopLevelSpec => ({
  width: 200,
  height: 100,
  title: 'three points',
  data: { values: [{ run: 'a', x: 1, y: 2 }, { run: 'b', x: 2, y: 4 }, { run: 'c', x: 3, y: 0 }] },
  mark: 'point',
  encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative', scale: { type: yScale } }, color: { field: 'run', type: 'nominal' } },
});

describe('renderChartSvg', () => {
  test('one <svg> element of the requested plot size plus Vega\'s margins, one point per datum, no warning', async () => {
    const { svg, warnings } = await renderChartSvg(scatter('linear'));
    assert.deepEqual(warnings, []);
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]* width="(\d+)" height="(\d+)"/);
    assert.ok(svg.endsWith('</svg>'));
    assert.equal(svg.split('<svg').length - 1, 1);
    const [, w, h] = /width="(\d+)" height="(\d+)"/.exec(svg)!.map(Number);
    assert.ok(w > 200 && h > 100, `${w}×${h}`); // axes, title and legend lie outside the plot area
    // Vega labels each mark for screen readers with its datum: the data come through unchanged.
    const points = [...svg.matchAll(/<path aria-label="([^"]*)" role="graphics-symbol" aria-roledescription="point"/g)].map((m) => m[1]);
    assert.deepEqual(points, ['x: 1; y: 2; run: a', 'x: 2; y: 4; run: b', 'x: 3; y: 0; run: c']);
    assert.ok(svg.includes('>three points</text>'));
  });

  test('deterministic: the same spec gives the same bytes, whatever was rendered before it', async () => {
    const first = (await renderChartSvg(scatter('linear'))).svg;
    await renderChartSvg(scatter('log'));
    assert.equal((await renderChartSvg(scatter('linear'))).svg, first);
    // No element ids (Vega numbers clip paths globally), so several charts can share one HTML page.
    assert.doesNotMatch(first, /\sid="/);
  });

  test('returns what Vega-Lite and Vega log instead of printing it', async () => {
    const calls = ['log', 'warn', 'error', 'info', 'debug'].map((m) => mock.method(console, m as 'log', () => undefined));
    try {
      // Vega's scale warns about the zero on a log axis; Vega-Lite about a channel the mark cannot use.
      const { svg, warnings } = await renderChartSvg(scatter('log'));
      assert.deepEqual(warnings, ['WARN Log scale domain includes zero: [0,4]']);
      assert.ok(svg.startsWith('<svg'));
      const bar = { data: { values: [{ a: 1, b: 'u' }] }, mark: 'bar', encoding: { x: { field: 'a', type: 'quantitative' }, shape: { field: 'b', type: 'nominal' } } };
      assert.deepEqual((await renderChartSvg(bar as TopLevelSpec)).warnings, ['WARN shape dropped as it is incompatible with "bar".']);
    } finally {
      for (const c of calls) c.mock.restore();
    }
    assert.deepEqual(calls.map((c) => c.mock.callCount()), [0, 0, 0, 0, 0]);
  });

  test('throws on a spec Vega cannot evaluate', async () => {
    const spec = { ...scatter('linear'), transform: [{ calculate: 'datum.x +* 1', as: 'z' }] } as TopLevelSpec;
    await assert.rejects(renderChartSvg(spec), /Unexpected token/);
  });
});
