import type { TopLevelSpec } from 'vega-lite';
import { chartScaleType } from './chartScaleType.js';
import type { DemoReport } from './demoReport.js';
import { runEncoding } from './runEncoding.js';

/** What {@link trainingCurveChart} plots. */
export type TrainingCurveQuantity = 'baseline-dice' | 'auto-dice' | 'auto-lambda';

/**
 * Vega-Lite spec of a training curve: one line per series with an open point per epoch (colour and shape by series,
 * so series with equal values stay visible), epochs counted from 1 within each run's own training (a fine-tune's
 * epoch 1 follows the baseline's training).
 *
 * - `'baseline-dice'`: the validation mean Dice of each epoch of the baseline's training (`report.baseline.log`).
 * - `'auto-dice'`: the validation mean Dice of each epoch of the λ auto arm, one line per seed (`seed 1`, …; the auto
 *   runs are the only validated fine-tunes: fixed-λ arms run without validation).
 * - `'auto-lambda'`: λ of each epoch of the auto arm where it is > 0, one line per seed (`report.autoLambda`; the
 *   warm-up epoch, at λ = 0, is left out); the axis is logarithmic when λ spans more than two decades
 *   (`chartScaleType`).
 *
 * The plot area is 360 × 260 px, with a legend of the series on the right. With nothing to draw, the chart is empty
 * and its subtitle says why.
 *
 * @returns a spec with inline data rows `{ run, epoch, value }` (`run` names the series) in series order, then epoch
 *   order.
 */
export function trainingCurveChart(r: DemoReport, quantity: TrainingCurveQuantity): TopLevelSpec {
  const seedName = (seed: number) => `seed ${seed}`;
  const series: string[] = quantity === 'baseline-dice' ? ['baseline'] : r.seeds.map(seedName);
  const dice = (run: string, log: DemoReport['baseline']['log']) =>
    log.flatMap((e) => (typeof e.validation?.meanDice === 'number' && Number.isFinite(e.validation.meanDice) ? [{ run, epoch: e.epoch + 1, value: e.validation.meanDice }] : []));
  const auto = r.runs.find((run) => run.kind === 'auto' && run.postprocess === null);
  const values =
    quantity === 'baseline-dice' ? dice('baseline', r.baseline.log)
    : quantity === 'auto-dice' ? (auto?.runs ?? []).flatMap((run) => dice(seedName(run.seed), run.log))
    : r.autoLambda.flatMap((a) => a.lambdas.flatMap((value, e) => (Number.isFinite(value) && value > 0 ? [{ run: seedName(a.seed), epoch: e + 1, value }] : [])));
  const shown = series.filter((name) => values.some((v) => v.run === name));
  const isDice = quantity !== 'auto-lambda';
  const scaleType = isDice ? 'linear' : chartScaleType(values.map((v) => v.value));
  // An empty chart gets fixed domains: Vega would otherwise warn of an infinite extent.
  const empty = values.length === 0;
  const titles: Record<TrainingCurveQuantity, [string, string]> = {
    'baseline-dice': ['Baseline training: validation Dice per epoch', 'the baseline has no validation log'],
    'auto-dice': ['λ auto: validation Dice per epoch, per seed', 'no auto run has a validation log'],
    'auto-lambda': ['λ auto: λ per epoch, per seed (λ > 0)', 'no auto run has λ > 0'],
  };
  return {
    title: { text: titles[quantity][0], ...(empty ? { subtitle: titles[quantity][1] } : {}) },
    description: isDice ? 'Validation mean Dice per epoch, one line per series' : 'NonAdjLoss weight λ per epoch of the auto arm, one line per seed',
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
        scale: scaleType === 'linear' ? { type: 'linear', zero: !isDice, nice: true, ...(empty ? { domain: [0, 1] } : {}) } : { type: 'log' },
        // Two lines on a log axis: one would outgrow the 260 px plot and heighten the chart.
        axis: isDice
          ? { title: 'validation mean Dice (0–1)', format: '.3~f' }
          : { title: scaleType === 'linear' ? 'λ (NonAdjLoss weight, unitless)' : ['λ (NonAdjLoss weight, unitless)', 'log scale'] },
      },
      ...runEncoding(series, shown, quantity === 'baseline-dice' ? 'run' : 'auto arm'),
    },
  };
}
