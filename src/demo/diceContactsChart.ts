import type { TopLevelSpec } from 'vega-lite';
import { chartScaleType } from './chartScaleType.js';
import type { DemoReport } from './demoReport.js';
import { findComparison } from './findComparison.js';
import { runEncoding } from './runEncoding.js';

/** A datum of {@link diceContactsChart}: one row's means, and the interval of its paired difference with the control around them. */
export interface DiceContactsDatum {
  run: string;
  /** Mean forbidden contacts per subject and mean Dice (0…1), over seeds × subjects. */
  contacts: number;
  dice: number;
  /**
   * The 95 % interval of the row's paired difference with the control (`report.comparisons`), shifted to sit around
   * the row's point: `contacts + (low − estimate)` … (contacts clamped at 0; Dice from points to 0…1). Null for the
   * control and rows without a comparison.
   */
  contactsLow: number | null;
  contactsHigh: number | null;
  diceLow: number | null;
  diceHigh: number | null;
}

/**
 * Vega-Lite spec of one test domain's trade-off: one point per row of the report scored on that domain, at its mean
 * forbidden contacts (x) and mean Dice (y), over seeds × subjects. Each row has its own colour and open shape, named
 * in the legend (`runEncoding`): rows often land within a pixel of each other, where text labels would be written
 * over one another. Through each row's point, a horizontal and a vertical bar show the 95 % bootstrap interval of its
 * paired difference with the control (contacts and Dice), drawn around the point; the control has none (it is the
 * reference). A dashed vertical rule marks the ground truth's own forbidden contacts (the floor, mean over the
 * domain's subjects in `report.truth`). Rows without scores on the domain are left out (with none left, the chart is
 * empty and its subtitle says why).
 *
 * The x axis is logarithmic when the contacts (with the bars and the floor) span more than two decades
 * (`chartScaleType`; of 1 + contacts when one is 0). Neither axis is forced to include 0, since rows differ by a few
 * hundredths of Dice; both keep 12 px free at the ends. The plot area is 360 × 260 px, with the legend on the right.
 *
 * @param set - the domain: `'test'` (the training scanner) or `'unseen-test'` (`r.unseenContrast`).
 * @returns a layered spec; the rows' data are {@link DiceContactsDatum}s in report order (a `log1p` axis adds 1 to
 *   each contacts field in a Vega-Lite `calculate` transform).
 */
export function diceContactsChart(r: DemoReport, set: 'test' | 'unseen-test'): TopLevelSpec {
  const values: DiceContactsDatum[] = r.runs.flatMap((run) => {
    const d = run.domains[set];
    if (!d) return [];
    const c = findComparison(r, run.name, set, 'forbiddenContacts')?.meanDifference;
    const dc = findComparison(r, run.name, set, 'dice')?.meanDifference;
    return [{
      run: run.name,
      contacts: d.forbiddenContacts,
      dice: d.meanDice,
      contactsLow: c ? Math.max(0, d.forbiddenContacts + c.low - c.estimate) : null,
      contactsHigh: c ? Math.max(0, d.forbiddenContacts + c.high - c.estimate) : null,
      diceLow: dc ? d.meanDice + (dc.low - dc.estimate) / 100 : null,
      diceHigh: dc ? d.meanDice + (dc.high - dc.estimate) / 100 : null,
    }];
  });
  const truth = r.truth.filter((t) => t.set === set);
  const floor = truth.length > 0 && values.length > 0 ? [{ floor: truth.reduce((s, t) => s + t.forbiddenContacts, 0) / truth.length }] : [];
  const withBars = values.filter((v) => v.contactsLow !== null);
  const scaleType = chartScaleType([...values.flatMap((v) => [v.contacts, v.contactsLow ?? v.contacts, v.contactsHigh ?? v.contacts]), ...floor.map((f) => f.floor)]);
  const log1p = scaleType === 'log1p';
  const plus1 = (fields: string[]) => (log1p ? fields.map((f) => ({ calculate: `datum.${f} + 1`, as: `${f}Plus1` })) : []);
  const xField = (f: string) => (log1p ? `${f}Plus1` : f);
  // An empty chart gets fixed domains: Vega would otherwise warn of an infinite extent.
  const fixedDomain = values.length === 0 ? { domain: [0, 1] } : {};
  const unit = scaleType === 'linear' ? '(voxel pairs)' : '(voxel pairs, log scale)';
  const x = {
    type: 'quantitative' as const,
    scale: scaleType === 'linear' ? { type: 'linear' as const, zero: false, nice: true, padding: 12, ...fixedDomain } : { type: 'log' as const, padding: 12 },
    // Two lines: one would outgrow the 360 px plot and widen the chart. Vega's own log tick labels read best.
    axis: { title: [`${log1p ? '1 + ' : ''}mean forbidden contacts per subject`, unit], ...(scaleType === 'linear' ? { format: '~s' } : {}) },
  };
  const y = { type: 'quantitative' as const, scale: { zero: false, nice: true, padding: 12, ...fixedDomain }, axis: { title: 'mean Dice (0–1)' } };
  const names = r.runs.map((run) => run.name);
  const { color, shape } = runEncoding(names, values.map((v) => v.run));
  const bar = { type: 'rule' as const, strokeWidth: 1.5, opacity: 0.7 };
  return {
    // The unseen contrast's description can run to a sentence; the page states it above the charts.
    title: {
      text: set === 'test' ? 'Test subjects (training scanner)' : 'Test subjects (unseen scanner)',
      subtitle: values.length === 0
        ? 'no row was scored on this domain'
        // Short lines: a subtitle wider than the 360 px plot widens the whole chart.
        : ['bars: 95 % interval of the paired difference', "with the control, drawn around the row's point", ...(floor.length > 0 ? ["dashed: the ground truth's own contacts"] : [])],
    },
    description: `Mean Dice against mean forbidden contacts, one point per row, ${set} domain`,
    width: 360,
    height: 260,
    data: { values },
    layer: [
      ...(floor.length > 0
        ? [{ data: { values: floor }, transform: plus1(['floor']), mark: { type: 'rule' as const, strokeDash: [4, 3], color: '#888' }, encoding: { x: { ...x, field: xField('floor') } } }]
        : []),
      ...(withBars.length > 0
        ? [
          { transform: [{ filter: 'datum.contactsLow !== null' }, ...plus1(['contactsLow', 'contactsHigh'])], mark: bar, encoding: { x: { ...x, field: xField('contactsLow') }, x2: { field: xField('contactsHigh') }, y: { ...y, field: 'dice' }, color } },
          { transform: [{ filter: 'datum.diceLow !== null' }, ...plus1(['contacts'])], mark: bar, encoding: { x: { ...x, field: xField('contacts') }, y: { ...y, field: 'diceLow' }, y2: { field: 'diceHigh' }, color } },
        ]
        : []),
      {
        transform: plus1(['contacts']),
        mark: { type: 'point', filled: false, size: 80, strokeWidth: 2, opacity: 1 },
        encoding: { x: { ...x, field: xField('contacts') }, y: { ...y, field: 'dice' }, color, shape },
      },
    ],
  } as TopLevelSpec;
}
