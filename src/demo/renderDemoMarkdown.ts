import { compareToControl, formatSigned } from './compareToControl.js';
import type { DemoReport } from './demoReport.js';

const f = (x: number | null | undefined, digits = 3) => (x === null || x === undefined || Number.isNaN(x) ? '–' : x.toFixed(digits));
const g = (x: number | 'auto' | null) => (x === null ? '–' : x === 'auto' ? 'auto' : x === 0 ? '0' : x.toPrecision(3));

/**
 * `report.md` of a demo: the set-up, the results table (both domains), the commands of every run and the notes a
 * reader needs to judge the numbers (baseline state, matched steps, prior from the training set).
 */
export function renderDemoMarkdown(r: DemoReport): string {
  const lines: string[] = [];
  const sz = Object.entries(r.sets).map(([k, v]) => `${k} ${v.length}`).join(', ');
  lines.push(
    `# NonAdjLoss demo (${r.mode})`,
    '',
    `Atlas ${r.atlas === 'aal' ? 'Colin27 T1 + AAL' : 'INIA19 + NeuroMaps'}, labels \`${r.labels}\` (${r.prior.numLabels} labels incl. background), ` +
      `grid ${r.grid.dims.join('×')} at ${r.grid.spacingMm.join('×')} mm, seed ${r.seed}. Subjects: ${sz} (unseen domain: ${r.unseenContrast}).`,
    `Prior: ${r.prior.forbiddenUnorderedPairs} forbidden unordered pairs (${r.prior.file}).`,
    '',
    `Baseline (${r.baseline.source}): ${r.baseline.note}. Command: \`${r.baseline.command}\`.`,
    '',
    `λ heuristic (warm-up of the auto run: 0.3 × Dice loss / NonAdjLoss) = ${r.heuristicLambda.toPrecision(4)}. ` +
      `Every fine-tune starts from the baseline with ${r.plan.fineTune.epochs} epochs × ${r.plan.fineTune.steps} steps of batch ${r.plan.fineTune.batchSize}, Adam at ${r.plan.fineTune.lr} (the semi-supervised run adds 3 unlabelled slices per labelled one); the model evaluated is each run's \`best/\`.`,
    '',
    '## Results (means over the test subjects)',
    '',
    '| run | λ | steps | Dice (test) | HD95 mm (test) | forbidden pairs (test) | contacts (test) | collapsed (test) | Dice (unseen) | HD95 mm (unseen) | pairs (unseen) | contacts (unseen) | collapsed (unseen) |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const run of r.runs) {
    const t = run.domains.test;
    const u = run.domains['unseen-test'];
    lines.push(
      `| ${run.name} | ${g(run.lambda)} | ${run.steps ?? '–'} | ${f(t?.meanDice)} | ${f(t?.meanHausdorff95Mm, 1)} | ${f(t?.forbiddenPairs, 1)} | ${f(t?.forbiddenContacts, 0)} | ${f(t?.collapsed, 1)} | ${f(u?.meanDice)} | ${f(u?.meanHausdorff95Mm, 1)} | ${f(u?.forbiddenPairs, 1)} | ${f(u?.forbiddenContacts, 0)} | ${f(u?.collapsed, 1)} |`,
    );
  }
  const comparisons = compareToControl(r);
  if (comparisons.length > 0) {
    lines.push(
      '',
      '## Against the matched control',
      '',
      'Each run minus the control fine-tune (λ = 0, same steps, batch, seed and learning rate), so that what the fine-tune itself does is factored out. The papers\' claim: NonAdjLoss removes most forbidden contacts for about one Dice point or less, and the semi-supervised run helps most on the unseen domain.',
      '',
      '| run | domain | Dice Δ (points) | contacts vs control | pairs Δ | collapsed Δ |',
      '|---|---|---|---|---|---|',
    );
    for (const c of comparisons) {
      lines.push(`| ${c.run} | ${c.domain} | ${formatSigned(c.diceDeltaPoints, 2)} | ${c.contactsChangePercent === null ? '–' : `${formatSigned(c.contactsChangePercent, 0)} %`} | ${formatSigned(c.pairsDelta, 1)} | ${formatSigned(c.collapsedDelta, 1)} |`);
    }
  }
  const truth = r.truth;
  lines.push(
    '',
    `Ground truth itself: ${truth.map((t) => `${t.set}/${t.id} ${t.forbiddenPairs} pairs, ${t.forbiddenContacts} contacts`).join('; ')} ` +
      '(the prior counts only the training label maps, so a test subject can show a contact none of them had).',
    '',
    '"collapsed" = structures whose predicted volume is below half of the truth\'s (per subject, mean).',
    '',
    '## Per-subject numbers',
    '',
    '| run | subject | Dice | HD95 mm | forbidden pairs | contacts | collapsed structures |',
    '|---|---|---|---|---|---|---|',
  );
  for (const run of r.runs) {
    for (const s of run.subjects) {
      lines.push(`| ${run.name} | ${s.set}/${s.id} | ${f(s.meanDice)} | ${f(s.meanHausdorff95Mm, 1)} | ${s.forbiddenPairs} | ${s.forbiddenContacts} | ${s.collapsed.join(', ') || '–'} |`);
    }
  }
  const names = [...new Set(r.runs.flatMap((run) => Object.keys(run.domains.test?.perStructureDice ?? {})))];
  lines.push('', '## Per-structure Dice (test domain)', '', `| structure | ${r.runs.map((run) => run.name).join(' | ')} |`, `|---|${r.runs.map(() => '---').join('|')}|`);
  for (const name of names) lines.push(`| ${name} | ${r.runs.map((run) => f(run.domains.test?.perStructureDice[name])).join(' | ')} |`);
  lines.push('', '## Commands', '', 'Each run is one `nonadj train` invocation (rerun it as printed; `--resume <run>` continues an interrupted one):', '');
  for (const run of r.runs) lines.push(`- **${run.name}** (${run.description}): \`${run.command}\``);
  lines.push('', `Demo time: ${(r.seconds / 60).toFixed(1)} min.`, '');
  return lines.join('\n');
}
