import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { demoEpoch, demoReportFixture } from '../../test/helpers/demoReportFixture.js';
import { renderChartSvg } from '../view/renderChartSvg.js';
import type { DemoReport } from './demoReport.js';
import { trainingCurveChart, type TrainingCurveQuantity } from './trainingCurveChart.js';

/** The chart's spec as plain JSON (the Vega-Lite type is a wide union). */
const json = (r: DemoReport, quantity: TrainingCurveQuantity) => JSON.parse(JSON.stringify(trainingCurveChart(r, quantity)));

/** Vega's screen-reader label of each drawn point, in drawing order. */
const pointLabels = (svg: string) => [...svg.matchAll(/aria-label="([^"]*)" role="graphics-symbol" aria-roledescription="point"/g)].map((m) => m[1]);

describe('trainingCurveChart', () => {
  test('baseline: one datum per logged epoch with validation, epochs counted from 1', () => {
    const spec = json(demoReportFixture(), 'baseline-dice');
    assert.deepEqual(spec.data.values, [
      { run: 'baseline', epoch: 1, value: 0.5 },
      { run: 'baseline', epoch: 2, value: 0.7 },
      { run: 'baseline', epoch: 3, value: 0.78 },
    ]);
    assert.deepEqual(spec.title, { text: 'Baseline training: validation Dice per epoch' });
    assert.equal(spec.encoding.y.axis.title, 'validation mean Dice (0–1)');
    assert.equal(spec.encoding.y.scale.type, 'linear');
    assert.deepEqual(spec.encoding.color.legend, { title: 'run', values: ['baseline'] });
    assert.deepEqual([spec.width, spec.height], [360, 260]);
  });

  test('λ auto: λ of each epoch per seed, the warm-up epoch at 0 left out', () => {
    const spec = json(demoReportFixture(), 'auto-lambda');
    // Seed 1: [0, 0.5, 0.5, 1, 0.5]; seed 2: [0, 0.4, 0.8, 0.8].
    assert.deepEqual(spec.data.values, [
      { run: 'seed 1', epoch: 2, value: 0.5 }, { run: 'seed 1', epoch: 3, value: 0.5 }, { run: 'seed 1', epoch: 4, value: 1 }, { run: 'seed 1', epoch: 5, value: 0.5 },
      { run: 'seed 2', epoch: 2, value: 0.4 }, { run: 'seed 2', epoch: 3, value: 0.8 }, { run: 'seed 2', epoch: 4, value: 0.8 },
    ]);
    // 1 / 0.4 < 100 → linear, from 0.
    assert.deepEqual([spec.encoding.y.scale.type, spec.encoding.y.scale.zero], ['linear', true]);
    assert.equal(spec.encoding.y.axis.title, 'λ (NonAdjLoss weight, unitless)');
    assert.deepEqual(spec.encoding.color.scale.domain, ['seed 1', 'seed 2']);
    assert.deepEqual(spec.encoding.color.legend, { title: 'auto arm', values: ['seed 1', 'seed 2'] });
  });

  test('λ auto: validation Dice per seed from the auto runs\' logs', () => {
    const values = json(demoReportFixture(), 'auto-dice').data.values;
    // demoReportFixture's auto logs: (80 + epoch) / 100.
    assert.equal(values.length, 5 + 4);
    assert.deepEqual(values[0], { run: 'seed 1', epoch: 1, value: 0.8 });
    assert.deepEqual(values.at(-1), { run: 'seed 2', epoch: 4, value: 0.83 });
  });

  test('λ spanning more than two decades gets a log axis', () => {
    const r = demoReportFixture();
    r.autoLambda[0].lambdas = [0, 0.001, 0.5]; // 500×
    const spec = json(r, 'auto-lambda');
    assert.equal(spec.encoding.y.scale.type, 'log');
    assert.deepEqual(spec.encoding.y.axis.title, ['λ (NonAdjLoss weight, unitless)', 'log scale']);
  });

  test('renders one point per datum and one line per series, without warnings', async () => {
    const r = demoReportFixture();
    const lambda = await renderChartSvg(trainingCurveChart(r, 'auto-lambda'));
    assert.deepEqual(lambda.warnings, []);
    assert.deepEqual(pointLabels(lambda.svg).slice(0, 2), ['epoch: 2; value: 0.5; run: seed 1', 'epoch: 3; value: 0.5; run: seed 1']);
    assert.equal(pointLabels(lambda.svg).length, 7);
    assert.equal(lambda.svg.split('aria-roledescription="line mark"').length - 1, 2);
    const baseline = await renderChartSvg(trainingCurveChart(r, 'baseline-dice'));
    assert.deepEqual(baseline.warnings, []);
    assert.equal(pointLabels(baseline.svg).length, 3);
  });

  test('no log at all: empty charts whose subtitle says why, without warnings', async () => {
    const r = demoReportFixture();
    r.baseline.log = [demoEpoch(0, 0, null)];
    r.autoLambda = [];
    for (const run of r.runs) for (const x of run.runs) x.log = [];
    for (const [quantity, why] of [['baseline-dice', 'the baseline has no validation log'], ['auto-dice', 'no auto run has a validation log'], ['auto-lambda', 'no auto run has λ > 0']] as const) {
      assert.equal(json(r, quantity).title.subtitle, why);
      const { svg, warnings } = await renderChartSvg(trainingCurveChart(r, quantity));
      assert.deepEqual(warnings, []);
      assert.deepEqual(pointLabels(svg), []);
      assert.ok(svg.includes(`>${why.replace('>', '&gt;')}</text>`));
      assert.doesNotMatch(svg, /NaN|Infinity|undefined/);
    }
  });
});
