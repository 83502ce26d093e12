import type { ControlComparison, DemoReport } from './demoReport.js';

export type { ControlComparison } from './demoReport.js';


/**
 * Every run of a demo report against its `control` run (the fine-tune with λ = 0 and the same steps, batch, seed
 * and learning rate): the comparison the papers' claim is about — NonAdjLoss removes most forbidden contacts for
 * about one Dice point or less — with the training itself factored out. The baseline and `baseline+repair` are
 * compared too (they were not fine-tuned: their difference from the control includes the fine-tune's own effect).
 *
 * @param report - the demo report's runs (at least one named `control`).
 * @returns one row per run other than the control and per domain with scores, in the report's run order; empty
 *   when there is no control run.
 */
export function compareToControl(report: Pick<DemoReport, 'runs'>): ControlComparison[] {
  const control = report.runs.find((r) => r.name === 'control');
  if (!control) return [];
  const rows: ControlComparison[] = [];
  for (const domain of ['test', 'unseen-test'] as const) {
    const c = control.domains[domain];
    if (!c) continue;
    for (const run of report.runs) {
      const d = run.domains[domain];
      if (run === control || !d) continue;
      rows.push({
        run: run.name,
        domain,
        diceDeltaPoints: 100 * (d.meanDice - c.meanDice),
        contactsChangePercent: c.forbiddenContacts > 0 ? (100 * (d.forbiddenContacts - c.forbiddenContacts)) / c.forbiddenContacts : null,
        pairsDelta: d.forbiddenPairs - c.forbiddenPairs,
        collapsedDelta: d.collapsed - c.collapsed,
      });
    }
  }
  return rows;
}

/**
 * A difference as printed in the comparison tables: fixed digits with an explicit sign taken from the printed
 * value, so that −0.004 reads "±0.00" rather than "−0.00"; the minus sign is U+2212.
 */
export function formatSigned(x: number, digits: number): string {
  const t = Math.abs(x).toFixed(digits);
  return `${Number(t) === 0 ? '±' : x > 0 ? '+' : '−'}${t}`;
}
