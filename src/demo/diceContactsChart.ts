import type { TopLevelSpec } from 'vega-lite';
import { chartScaleType } from './chartScaleType.js';
import type { DemoReport } from './demoReport.js';
import { runEncoding } from './runEncoding.js';

/**
 * Vega-Lite spec of one test domain's trade-off: one point per run scored on that domain, at its mean forbidden
 * contacts (x) and mean Dice (y). Each run has its own colour and open shape, named in the legend: runs often land
 * within a pixel of each other, where text labels beside the points would be written over one another. Runs
 * without scores on the domain are left out (with none left, the chart is empty and its subtitle says why).
 *
 * The x axis is logarithmic when the contacts span more than two decades (`chartScaleType`; of 1 + contacts when a
 * run has none). Neither axis is forced to include 0, since runs differ by a few hundredths of Dice; the tick
 * labels say where the axes start, and both keep 12 px free at the ends so that no point sits on an axis. The plot
 * area is 360 × 260 px, with the legend on the right.
 *
 * @param set - the domain: `'test'` (the training contrast) or `'unseen-test'` (`r.unseenContrast`).
 * @returns a spec with inline data rows `{ run, contacts, dice }` in report order (the report's numbers; a `log1p`
 *   axis adds 1 in a Vega-Lite `calculate` transform).
 */
export function diceContactsChart(r: DemoReport, set: 'test' | 'unseen-test'): TopLevelSpec {
  const values = r.runs.flatMap((run) => {
    const d = run.domains[set];
    return d ? [{ run: run.name, contacts: d.forbiddenContacts, dice: d.meanDice }] : [];
  });
  const scaleType = chartScaleType(values.map((v) => v.contacts));
  // An empty chart gets fixed domains: Vega would otherwise warn of an infinite extent.
  const fixedDomain = values.length === 0 ? { domain: [0, 1] } : {};
  const unit = scaleType === 'linear' ? '(voxel pairs)' : '(voxel pairs, log scale)';
  return {
    // The unseen contrast's description can run to a sentence; the page states it above the charts.
    title: {
      text: set === 'test' ? 'Test subjects (training contrast)' : 'Test subjects (unseen contrast)',
      ...(values.length === 0 ? { subtitle: 'no run was scored on this domain' } : {}),
    },
    description: `Mean Dice against mean forbidden contacts, one point per run, ${set} domain`,
    width: 360,
    height: 260,
    data: { values },
    transform: scaleType === 'log1p' ? [{ calculate: 'datum.contacts + 1', as: 'contactsPlus1' }] : [],
    mark: { type: 'point', filled: false, size: 80, strokeWidth: 2, opacity: 1 },
    encoding: {
      x: {
        field: scaleType === 'log1p' ? 'contactsPlus1' : 'contacts',
        type: 'quantitative',
        scale: scaleType === 'linear' ? { type: 'linear', zero: false, nice: true, padding: 12, ...fixedDomain } : { type: 'log', padding: 12 },
        // Two lines: one would outgrow the 360 px plot and widen the chart.
        // Vega's own log tick labels (1, 2, 10, 20, 100, …) read better than any single format.
        axis: { title: [`${scaleType === 'log1p' ? '1 + ' : ''}mean forbidden contacts per subject`, unit], ...(scaleType === 'linear' ? { format: '~s' } : {}) },
      },
      y: { field: 'dice', type: 'quantitative', scale: { zero: false, nice: true, padding: 12, ...fixedDomain }, axis: { title: 'mean Dice (0–1)' } },
      ...runEncoding(r, values.map((v) => v.run)),
    },
  };
}
