import { demoTables, DOMAIN_TITLES, FLOOR_ROW, formatLambda, HEURISTIC_FORMULA, type DemoTable } from './demoTables.js';
import { isSinglePreview } from './isSinglePreview.js';
import type { DemoReport } from './demoReport.js';

/** A table cell: `|` would end the cell and a line break the row. */
const cell = (s: string) => s.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');

/** Plain text outside a table: characters Markdown would read as emphasis, code, links or HTML are escaped. */
const inline = (s: string) => s.replace(/\r?\n/g, ' ').replace(/[\\`*_[\]<>]/g, (c) => `\\${c}`);

/** A Markdown table (header, separator, rows), cells escaped. */
function table(t: DemoTable): string[] {
  return [`| ${t.header.map(cell).join(' | ')} |`, `|${t.header.map(() => '---').join('|')}|`, ...t.rows.map((row) => `| ${row.map(cell).join(' | ')} |`)];
}

/** An inline code span holding `s` verbatim, whatever backticks it contains (CommonMark §6.1). */
function code(s: string): string {
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${s.replace(/\r?\n/g, ' ')}${pad}${fence}`;
}

/**
 * `report.md` of a demo (report version 2), in reading order: what was run (a `SINGLE-SEED PREVIEW` banner for the
 * `quick` and `default` modes, seeds, cohort, data sets, prior, baseline, the reference λ heuristic per seed with its
 * formula); the headline decision made on validation subjects; per test domain the main table (rows in
 * `report.runs` order: Dice and forbidden contacts as mean ± SD over seeds, forbidden pairs, HD100, extra
 * components, collapsed structures, and the ground truth's own floor) and the paired table against the control (95 %
 * bootstrap intervals; an interval containing 0 reads "no detectable difference"); what λ auto did per seed; the
 * subjects' anatomy against the prior; every training command; provenance. Tables are `demoTables`' cells with `|`
 * escaped.
 */
export function renderDemoMarkdown(r: DemoReport): string {
  const t = demoTables(r);
  const preview = isSinglePreview(r);
  const lines: string[] = [];
  lines.push(
    preview ? `# NonAdjLoss demo: SINGLE-SEED PREVIEW (mode \`${r.mode}\`)` : `# NonAdjLoss demo: replicated experiment (${r.seeds.length} seeds)`,
    '',
  );
  if (preview) {
    lines.push(
      `> **This is a single-seed preview, not the experiment.** Every arm was fine-tuned once (seed ${r.seeds.join(', ')}), so the intervals below ` +
        'resample test subjects only and say nothing about how much another seed would change the result. The replicated experiment ' +
        '(`nonadj demo --replicates N`, N ≥ 2 seeds) is what the README reports.',
      '',
    );
  }
  lines.push('## What was run', '', ...t.setup.map((item) => `- **${item.label}**: ${inline(item.text)}.`), '', '### The reference λ heuristic', '', HEURISTIC_FORMULA, '', ...table(t.heuristic), '');

  lines.push('## Headline decision', '', `Rule, fixed before any number was seen: ${r.decision.rule}.`, '', ...table(t.decision), '');
  lines.push(
    r.decision.chosen === null ? '**Headline row: none** (no multiplier met the rule).' : `**Headline row: ${code(r.decision.chosen)}.**`,
    '',
    'The decision was made on the validation subjects before any test number was computed; the test tables below played no part in it.',
    '',
  );

  for (const d of t.domains) {
    lines.push(
      `## Test subjects, ${DOMAIN_TITLES[d.domain]} (\`${d.domain}\`, ${r.sets[d.domain]?.length ?? 0} subjects)`,
      '',
      ...table(d.main),
      '',
      `Means over seeds × subjects; ± is the standard deviation over seeds of the per-seed means. "${FLOOR_ROW}": the test label maps' own ` +
        'forbidden contacts and pairs against the prior (mean over the subjects; the prior counts the training label maps only, so a subject ' +
        'can have a contact none of them had): a segmentation equal to the truth would score exactly this. HD100 = maximum symmetric surface distance, mean over ' +
        'structures; extra components = connected components beyond one per structure; collapsed = structures below half their true volume.',
      '',
      `### Against the control (\`${d.domain}\`)`,
      '',
      ...(d.paired.rows.length > 0 ? table(d.paired) : ['No comparison on this domain.']),
      '',
      'Each row minus the control (λ = 0, same seed, same steps, same subjects), paired per seed and subject; 95 % intervals from a bootstrap ' +
        'over seeds and subjects. Contacts change = (row − control) / control of the mean contacts; the median is over subjects of each ' +
        'subject\'s own change. Where an interval contains 0 the data show no detectable difference.',
      '',
    );
  }

  lines.push('## λ auto', '', ...(t.autoLambda.rows.length > 0 ? table(t.autoLambda) : ['No auto run.']), '',
    'The controller (METHOD.md §4) grows λ after good epochs, shrinks it and reloads the last good model when validation Dice drops; epochs include the warm-up at λ = 0.', '');
  lines.push('## The subjects\' anatomy against the prior', '', ...(t.anatomy.rows.length > 0 ? table(t.anatomy) : ['No subject.']), '',
    'Extra pairs: label pairs that touch in the subject but in no training label map; missing pairs: pairs the prior allows that the subject lacks.', '');

  lines.push('## Commands', '', `- baseline (${r.baseline.source}): ${code(r.baseline.command)}`);
  for (const run of r.runs) {
    if (run.runs.length === 0) {
      if (run.postprocess) lines.push(`- ${code(run.name)}: ${run.description} (no training: the predictions of ${code(run.base)}, post-processed)`);
      continue;
    }
    for (const a of run.runs) {
      lines.push(`- ${code(run.name)} seed ${a.seed} (λ ${a.lambda === 'auto' ? 'auto' : formatLambda(a.lambda)}, ${a.steps} steps, ${(a.seconds / 60).toFixed(1)} min): ${code(a.command)}`);
    }
  }
  lines.push(
    '',
    '## Provenance',
    '',
    `nonadj ${r.provenance.version}, Node ${r.provenance.node}, ${r.provenance.cores} × ${r.provenance.cpus}. Demo time: ${(r.seconds / 60).toFixed(1)} min. ` +
      'Per-subject scores of every row and seed are in report.json.',
    '',
  );
  return lines.join('\n');
}
