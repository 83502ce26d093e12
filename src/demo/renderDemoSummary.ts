import { findComparison } from './findComparison.js';
import { formatInterval } from './formatInterval.js';
import { isSinglePreview } from './isSinglePreview.js';
import { TEST_DOMAINS, type DemoReport } from './demoReport.js';

/**
 * The plain-text table `nonadj demo` prints on stdout when a demo ends: one line per row of the report (report order),
 * with per test domain the mean Dice (0…1, 3 decimals) and mean forbidden contacts per subject (1 decimal) over
 * seeds × subjects; for the replicated experiment also the relative change of contacts against the control in percent
 * with its 95 % interval ("no detectable difference" when it contains 0). A single-seed preview says so on its first
 * line. Columns are aligned with spaces (names left, numbers right); lines end with a newline.
 */
export function renderDemoSummary(r: DemoReport): string {
  const preview = isSinglePreview(r);
  const short = { test: 'test', 'unseen-test': 'unseen' } as const;
  const header = ['row', ...TEST_DOMAINS.flatMap((d) => [`Dice ${short[d]}`, `contacts ${short[d]}`, ...(preview ? [] : [`contacts vs control ${short[d]} (%) [95 % CI]`])])];
  const rows = r.runs.map((run) => [
    run.name,
    ...TEST_DOMAINS.flatMap((domain) => {
      const d = run.domains[domain];
      const cells = [d ? d.meanDice.toFixed(3) : '–', d ? d.forbiddenContacts.toFixed(1) : '–'];
      if (preview) return cells;
      const isControl = run.kind === 'control' && run.postprocess === null;
      return [...cells, isControl ? 'reference' : formatInterval(findComparison(r, run.name, domain, 'forbiddenContacts')?.relativeChange, { digits: 0, scale: 100 })];
    }),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  const title = preview
    ? `SINGLE-SEED PREVIEW (mode ${r.mode}, seed ${r.seeds.join(', ')}): not the replicated experiment; means over ${r.seeds.length} seed × the test subjects`
    : `replicated experiment: means over ${r.seeds.length} seeds × the test subjects; intervals from a bootstrap over seeds and subjects`;
  return [title, line(header), ...rows.map(line)].join('\n') + '\n';
}
