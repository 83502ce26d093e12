import { demoTables, DOMAIN_TITLES, FLOOR_ROW } from './demoTables.js';
import { findComparison } from './findComparison.js';
import { formatMeanSd } from './formatMeanSd.js';
import { formatInterval } from './formatInterval.js';
import { isSinglePreview } from './isSinglePreview.js';
import { TEST_DOMAINS, type DemoReport, type DemoRunReport } from './demoReport.js';

/** Rows of the README's table in the order it lists them (λ multipliers go where `lambda` stands, smallest first). */
const ORDER = ['control', 'lambda', 'auto', 'semi', 'semi-control', 'baseline', 'baseline+lcc', 'control+lcc', 'control+repair'];

/** The report's rows in the README's order: the rows of {@link ORDER} that exist, then any other row in report order. */
function readmeRows(r: DemoReport): DemoRunReport[] {
  const lambdas = r.runs.filter((run) => run.kind === 'lambda' && run.postprocess === null).sort((a, b) => (a.multiplier ?? 0) - (b.multiplier ?? 0));
  const listed = ORDER.flatMap((name) => (name === 'lambda' ? lambdas : r.runs.filter((run) => run.name === name)));
  return [...listed, ...r.runs.filter((run) => !listed.includes(run))];
}

const cell = (s: string) => s.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');

/**
 * The compact Markdown table the README shows for a `replicated` demo report: per test domain, one table with a row
 * per report row in the README's order — control, each λ multiplier (smallest first), auto, semi, semi-control,
 * baseline, baseline+lcc, control+lcc, control+repair (those that exist), then any other row in report order — and the
 * ground truth's floor. Columns: Dice (0…1, 3 decimals) and forbidden contacts per subject (1 decimal), mean ± SD over
 * seeds; against the control (same seeds and subjects), the Dice difference in points (2 decimals) and the relative
 * change of contacts in percent (0 decimals), each with its 95 % bootstrap interval ("no detectable difference" when
 * it contains 0, see `formatInterval`). The headline row (`report.decision.chosen`) is marked. A report that is not the
 * replicated experiment is labelled a single-seed preview in the caption. Fixed digits: the same report gives the
 * same text.
 *
 * @returns Markdown, each domain's caption and table separated by a blank line, ending with one newline.
 */
export function renderReadmeTable(r: DemoReport): string {
  const floors = new Map(demoTables(r).domains.map((d) => [d.domain, d.main.rows.find((row) => row[0] === FLOOR_ROW)]));
  const rows = readmeRows(r);
  const blocks = TEST_DOMAINS.map((domain) => {
    const subjects = r.sets[domain]?.length ?? 0;
    const caption = `**Test subjects, ${DOMAIN_TITLES[domain]}** (\`${domain}\`): ${r.seeds.length} seed${r.seeds.length === 1 ? '' : 's'} × ${subjects} subjects; Dice and contacts per subject: mean ± SD over seeds` +
      (isSinglePreview(r) ? ` — single-seed preview (mode \`${r.mode}\`), not the replicated experiment` : '') + '.';
    const lines = [
      caption,
      '',
      '| row | Dice | forbidden contacts | Dice Δ vs control (points) [95 % CI] | contacts vs control (%) [95 % CI] |',
      '|---|---|---|---|---|',
    ];
    for (const run of rows) {
      const d = run.domains[domain];
      if (!d) continue;
      const name = run.name === r.decision.chosen ? `${run.name} (headline)` : run.name;
      const reference = run.kind === 'control' && run.postprocess === null;
      const dice = reference ? 'reference' : formatInterval(findComparison(r, run.name, domain, 'dice')?.meanDifference, { digits: 2 });
      const contacts = reference ? 'reference' : formatInterval(findComparison(r, run.name, domain, 'forbiddenContacts')?.relativeChange, { digits: 0, scale: 100 });
      lines.push(`| ${[name, formatMeanSd(d.meanDice, d.sdDiceOverSeeds, d.seeds, 3), formatMeanSd(d.forbiddenContacts, d.sdContactsOverSeeds, d.seeds, 1), dice, contacts].map(cell).join(' | ')} |`);
    }
    const floor = floors.get(domain);
    if (floor) lines.push(`| ${FLOOR_ROW} | – | ${floor[2]} | – | – |`);
    return lines.join('\n');
  });
  return `${blocks.join('\n\n')}\n`;
}
