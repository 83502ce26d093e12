import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { demoEpoch, demoReportFixture } from '../../test/helpers/demoReportFixture.js';
import { renderChartSvg } from './renderChartSvg.js';
import type { DemoReport } from './demoReport.js';
import { trainingCurveChart } from './trainingCurveChart.js';

/** The chart's spec as plain JSON (the Vega-Lite type is a wide union). */
const json = (r: DemoReport, quantity: 'validation-dice' | 'baseline-dice' | 'lambda') => JSON.parse(JSON.stringify(trainingCurveChart(r, quantity)));

/** Vega's screen-reader label of each drawn point, in drawing order. */
const pointLabels = (svg: string) => [...svg.matchAll(/aria-label="([^"]*)" role="graphics-symbol" aria-roledescription="point"/g)].map((m) => m[1]);

describe('trainingCurveChart', () => {
  test('validation Dice: one datum per logged epoch, epochs counted from 1', () => {
    const spec = json(demoReportFixture(), 'validation-dice');
    assert.deepEqual(spec.data.values, [
      { run: 'control', epoch: 1, value: 0.5 },
      { run: 'control', epoch: 2, value: 0.55 },
      { run: 'lambda-1h', epoch: 1, value: 0.5 },
      { run: 'lambda-1h', epoch: 2, value: 0.52 },
    ]);
    assert.deepEqual(spec.title, { text: 'Fine-tunes: validation Dice per epoch' });
    assert.equal(spec.encoding.y.axis.title, 'validation mean Dice (0–1)');
    assert.equal(spec.encoding.y.scale.type, 'linear');
    assert.deepEqual(spec.encoding.color.legend.values, ['control', 'lambda-1h']);
    assert.deepEqual([spec.width, spec.height], [360, 260]);
  });

  test('the baseline has its own chart and is left out of the fine-tunes\' one', () => {
    const r = demoReportFixture();
    r.runs.unshift({ ...r.runs[0], name: 'baseline', log: [demoEpoch(0, 0, 0.1), demoEpoch(1, 0, 0.6), demoEpoch(2, 0, 0.8)] });
    assert.deepEqual(json(r, 'baseline-dice').data.values, [
      { run: 'baseline', epoch: 1, value: 0.1 },
      { run: 'baseline', epoch: 2, value: 0.6 },
      { run: 'baseline', epoch: 3, value: 0.8 },
    ]);
    assert.deepEqual(json(r, 'baseline-dice').title, { text: 'Baseline training: validation Dice per epoch' });
    assert.deepEqual([...new Set(json(r, 'validation-dice').data.values.map((v: { run: string }) => v.run))], ['control', 'lambda-1h']);
  });

  test('λ: only epochs with λ > 0, so only runs that used the loss (control has λ = 0)', () => {
    const r = demoReportFixture();
    // An auto run: λ is 0 during its warm-up epoch, then set.
    r.runs.push({ ...r.runs[1], name: 'auto', lambda: 'auto', log: [demoEpoch(0, 0, 0.4), demoEpoch(1, 0.2, 0.45)] });
    const spec = json(r, 'lambda');
    assert.deepEqual(spec.data.values, [
      { run: 'lambda-1h', epoch: 1, value: 0.1235 },
      { run: 'lambda-1h', epoch: 2, value: 0.1235 },
      { run: 'auto', epoch: 2, value: 0.2 },
    ]);
    // 0.2 / 0.1235 < 100 → linear, from 0.
    assert.deepEqual([spec.encoding.y.scale.type, spec.encoding.y.scale.zero], ['linear', true]);
    assert.equal(spec.encoding.y.axis.title, 'λ (NonAdjLoss weight, unitless)');
    // Colours are keyed on all three runs (control keeps its colour elsewhere); the legend lists the two drawn.
    assert.deepEqual(spec.encoding.color.scale.domain, ['control', 'lambda-1h', 'auto']);
    assert.deepEqual(spec.encoding.color.legend.values, ['lambda-1h', 'auto']);
  });

  test('λ spanning more than two decades gets a log axis', () => {
    const r = demoReportFixture();
    r.runs[0].log = [demoEpoch(0, 0.001, 0.5)];
    r.runs[1].log = [demoEpoch(0, 0.5, 0.5)]; // 0.5 / 0.001 = 500×
    const spec = json(r, 'lambda');
    assert.equal(spec.encoding.y.scale.type, 'log');
    assert.deepEqual(spec.encoding.y.axis.title, ['λ (NonAdjLoss weight, unitless)', 'log scale']);
  });

  test('renders one point per datum and one line per run, without warnings', async () => {
    const r = demoReportFixture();
    const dice = await renderChartSvg(trainingCurveChart(r, 'validation-dice'));
    assert.deepEqual(dice.warnings, []);
    assert.deepEqual(pointLabels(dice.svg), [
      'epoch: 1; value: 0.5; run: control',
      'epoch: 2; value: 0.55; run: control',
      'epoch: 1; value: 0.5; run: lambda-1h',
      'epoch: 2; value: 0.52; run: lambda-1h',
    ]);
    assert.equal(dice.svg.split('aria-roledescription="line mark"').length - 1, 2);
    const lambda = await renderChartSvg(trainingCurveChart(r, 'lambda'));
    assert.deepEqual(lambda.warnings, []);
    assert.deepEqual(pointLabels(lambda.svg), ['epoch: 1; value: 0.1235; run: lambda-1h', 'epoch: 2; value: 0.1235; run: lambda-1h']);
    assert.equal(lambda.svg.split('aria-roledescription="line mark"').length - 1, 1);
  });

  test('no log at all: empty charts whose subtitle says why, without warnings', async () => {
    const r = demoReportFixture();
    for (const run of r.runs) run.log = [];
    for (const [quantity, why] of [['validation-dice', 'no run has a validation log'], ['lambda', 'no run has λ > 0']] as const) {
      assert.equal(json(r, quantity).title.subtitle, why);
      const { svg, warnings } = await renderChartSvg(trainingCurveChart(r, quantity));
      assert.deepEqual(warnings, []);
      assert.deepEqual(pointLabels(svg), []);
      assert.ok(svg.includes(`>${why.replace('>', '&gt;')}</text>`));
      assert.doesNotMatch(svg, /NaN|Infinity|undefined/);
    }
  });
});
