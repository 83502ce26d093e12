import type { TopLevelSpec } from 'vega-lite';
import { chartScaleType } from './chartScaleType.js';
import type { DemoReport } from './demoReport.js';
import { runEncoding } from './runEncoding.js';

/**
 * Vega-Lite spec of a training curve: one line per run with an open point per epoch (colour and shape by run, so
 * runs with equal values stay visible), epochs counted from 1 within each run's own training (a fine-tune's epoch 1
 * follows the baseline's training).
 *
 * - `'validation-dice'`: the validation mean Dice of each epoch of the fine-tunes (every run but `baseline`) that has
 *   one; runs with no such epoch are left out. The baseline has its own chart: its tens of epochs would squeeze the
 *   fine-tunes' few into a corner.
 * - `'baseline-dice'`: the same for the `baseline` run alone (its stages, if any, numbered on: see the shipped log).
 * - `'lambda'`: the NonAdjLoss weight λ of each epoch where it is > 0 (the auto run's warm-up epochs, at 0, are left
 *   out, so are runs always at 0); the axis is logarithmic when λ spans more than two decades (`chartScaleType`).
 *
 * The plot area is 360 × 260 px, with a legend of the runs drawn on the right. With nothing to draw, the chart is
 * empty and its subtitle says why.
 *
 * @param quantity - which per-epoch value of the training log (`DemoRunReport.log`) is plotted.
 * @returns a spec with inline data rows `{ run, epoch, value }` in report order, then epoch order.
 */
export function trainingCurveChart(r: DemoReport, quantity: 'validation-dice' | 'baseline-dice' | 'lambda'): TopLevelSpec {
  const runs = r.runs.filter((run) => (quantity === 'baseline-dice' ? run.name === 'baseline' : quantity === 'validation-dice' ? run.name !== 'baseline' : true));
  const values = runs.flatMap((run) =>
    run.log.flatMap((e) => {
      const value = quantity === 'lambda' ? e.lambda : e.validation?.meanDice;
      const keep = typeof value === 'number' && Number.isFinite(value) && (quantity !== 'lambda' || value > 0);
      return keep ? [{ run: run.name, epoch: e.epoch + 1, value }] : [];
    }),
  );
  const shown = r.runs.map((run) => run.name).filter((name) => values.some((v) => v.run === name));
  const dice = quantity !== 'lambda';
  const scaleType = dice ? 'linear' : chartScaleType(values.map((v) => v.value));
  // An empty chart gets fixed domains: Vega would otherwise warn of an infinite extent.
  const empty = values.length === 0;
  return {
    title: {
      text: quantity === 'baseline-dice' ? 'Baseline training: validation Dice per epoch' : dice ? 'Fine-tunes: validation Dice per epoch' : 'λ per epoch (runs with λ > 0)',
      ...(empty ? { subtitle: quantity === 'baseline-dice' ? 'the baseline has no training log' : dice ? 'no run has a validation log' : 'no run has λ > 0' } : {}),
    },
    description: dice ? 'Validation mean Dice per epoch, one line per run' : 'NonAdjLoss weight λ per epoch, one line per run with λ > 0',
    width: 360,
    height: 260,
    data: { values },
    mark: { type: 'line', point: { filled: false, size: 50, strokeWidth: 1.5 }, strokeWidth: 1.5 },
    encoding: {
      x: {
        field: 'epoch',
        type: 'quantitative',
        scale: empty ? { domain: [1, 2], nice: false } : { domainMin: 1, nice: false },
        axis: { title: "epoch (of each run's own training)", tickMinStep: 1, format: 'd' },
      },
      y: {
        field: 'value',
        type: 'quantitative',
        // λ > 0 here, so its axis is never 'log1p'.
        scale: scaleType === 'linear' ? { type: 'linear', zero: !dice, nice: true, ...(empty ? { domain: [0, 1] } : {}) } : { type: 'log' },
        // Two lines on a log axis: one would outgrow the 260 px plot and heighten the chart.
        axis: dice
          ? { title: 'validation mean Dice (0–1)', format: '.3~f' }
          : { title: scaleType === 'linear' ? 'λ (NonAdjLoss weight, unitless)' : ['λ (NonAdjLoss weight, unitless)', 'log scale'] },
      },
      ...runEncoding(r, shown),
    },
  };
}
