import { Command, Option } from 'commander';
import { stat } from 'node:fs/promises';
import { evaluateSegmentation, type EvaluateSegmentationResult } from '../metric/evaluateSegmentation.js';
import { summarizeEvaluations, type EvaluationSummary, type SummaryStats } from '../metric/summarizeEvaluations.js';
import type { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import type { Connectivity } from '../prior/neighbourhood.js';
import { readNiftiFile } from '../volume/niftiFile.js';
import { listNiftiFiles } from '../volume/listNiftiFiles.js';
import { loadPrior } from './loadPrior.js';
import { readNames } from './readNames.js';
import { connectivityOption, namesOption, positiveIntegerOption, radiusOption } from './options.js';
import { pairCases, type CasePair, type CaseSide } from './pairCases.js';
import { makeProgress } from './progress.js';
import { renderTable, type TableFormat } from './renderTable.js';

interface EvaluateFlags {
  pred: string[];
  truth: string[];
  prior?: string;
  names?: string;
  includeBackground?: boolean;
  connectivity?: Connectivity;
  radius?: number;
  json?: boolean;
  csv?: boolean;
  md?: boolean;
  quiet?: boolean;
}

/** Conventions printed with every `--json` report, so a number is never read without its definition. */
export const EVALUATION_CONVENTIONS = {
  dice: '2|P∩T| / (|P| + |T|) per label; a label present in the truth or the prediction counts (0 when missing from one map, including a structure only the prediction has); null (not counted) when in neither; voxels whose truth is -1 are not evaluated',
  surface: 'voxels of the label with a face neighbour of another label or on the grid border',
  hausdorff95Mm: 'max of the two directed 95th percentiles (numpy linear interpolation) of surface-to-surface distances, mm (MONAI); null when the label is missing from either map',
  hausdorff100Mm: 'max of the two directed maxima of surface-to-surface distances (classic Hausdorff distance), mm: shows far-away islands that HD95 hides; null when missing',
  components: 'connected components of the label in the whole prediction (predictionComponents) and truth (truthComponents), 26-connectivity; extra components = max(0, predictionComponents - 1), averaged over the labels with a Dice value',
  assdMm: 'mean of all surface-to-surface distances of both directions pooled, mm (MONAI, symmetric); null when missing',
  background: 'excluded from the labels and the means unless --include-background',
  means: 'over labels with a value; std is the population standard deviation; "overall" pools every (case, label) value',
} as const;

/** One evaluated case, as `--json` prints it. */
export interface EvaluateCaseReport extends CasePair {
  result: EvaluateSegmentationResult;
}

/** `nonadj evaluate --pred … --truth …`: Dice, HD95 and ASSD per label, plus the abnormal-adjacency check. */
export function makeEvaluateCommand(): Command {
  return new Command('evaluate')
    .summary('Dice, HD95, HD100, ASSD and connected components per label (and forbidden contacts with --prior)')
    .description(
      [
        'Compare predictions with ground truths, label by label: Dice, HD95, maximum Hausdorff distance (HD100, which',
        'shows far-away islands HD95 hides) and average symmetric surface distance in millimetres (exact Euclidean',
        'distance transform, voxel spacing taken into account), and connected components of each label in the',
        'prediction ("extra components" = components - 1, averaged over labels), with mean, std and median per label',
        'and over labels. With --prior, each prediction is also checked for forbidden contacts.',
        '',
        'Pairing: two folders are paired by case name (relative path without .nii/.nii.gz, or the sub-folder of a',
        'file alone in it); lists of files by base name, else in order. Grids and affines must match.',
        'Background (label 0) is left out unless --include-background. A label in either map counts: one missing',
        'from the prediction, or present only in the prediction, gets Dice 0 and no distances (null), which are',
        'left out of the distance means.',
      ].join('\n'),
    )
    .requiredOption('--pred <paths...>', 'predicted label maps, or one folder of them')
    .requiredOption('--truth <paths...>', 'ground-truth label maps, or one folder of them')
    .option('--prior <file>', 'adjacency prior (graph.json or graph.png.csv): also count forbidden contacts')
    .addOption(namesOption())
    .option('--include-background', 'evaluate label 0 too')
    .addOption(new Option('--connectivity <n>', "neighbourhood of the check (default: the prior's)").argParser(connectivityOption))
    .option('--radius <r>', "Chebyshev radius of the check (default: the prior's)", radiusOption)
    .addOption(new Option('--json', 'print JSON').conflicts(['csv', 'md']))
    .addOption(new Option('--csv', 'print CSV, one row per case and label').conflicts('md'))
    .option('--md', 'print Markdown tables')
    .option('-q, --quiet', 'no progress output')
    .action(async (flags: EvaluateFlags) => {
      let prior: AdjacencyPrior | undefined;
      let names = new Map<number, string>();
      if (flags.prior) ({ prior, names } = await loadPrior(flags.prior, flags.names));
      else if (flags.names) names = await readNames(flags.names);
      const pairs = pairCases(await side(flags.pred), await side(flags.truth));
      const progress = makeProgress('evaluate', pairs.length, { enabled: !flags.quiet });
      const reports: EvaluateCaseReport[] = [];
      try {
        for (const pair of pairs) {
          const [prediction, truth] = await Promise.all([readNiftiFile(pair.prediction, { expect: '3d' }), readNiftiFile(pair.truth, { expect: '3d' })]);
          const result = evaluateSegmentation(prediction, truth, {
            background: flags.includeBackground ? 'include' : 'exclude',
            prior,
            check: { connectivity: flags.connectivity, radius: flags.radius, names },
            names,
            source: { prediction: pair.prediction, truth: pair.truth },
          });
          reports.push({ ...pair, result });
          progress.tick(pair.case);
        }
      } finally {
        progress.stop();
      }
      const summary = summarizeEvaluations(reports.map((r) => ({ case: r.case, result: r.result })));
      const format = flags.json ? 'json' : flags.csv ? 'csv' : flags.md ? 'markdown' : 'text';
      process.stdout.write(renderEvaluation(reports, summary, format));
      // A report, not a linter: findings do not change the exit code.
      process.exitCode = 0;
    });
}

async function side(paths: string[]): Promise<CaseSide> {
  const folder = paths.length === 1 && (await stat(paths[0]).then((s) => s.isDirectory(), () => false));
  return { files: await listNiftiFiles(paths), root: folder ? paths[0] : null };
}

const num = (x: number | null, digits: number) => (x === null ? null : Number(x.toFixed(digits)));
const stats = (s: SummaryStats, digits: number) => (s.mean === null ? '–' : `${s.mean.toFixed(digits)} ± ${s.std!.toFixed(digits)} (${s.median!.toFixed(digits)})`);

/** Render an evaluation: terminal text, Markdown, CSV (one row per case and label) or JSON (everything). */
export function renderEvaluation(reports: readonly EvaluateCaseReport[], summary: EvaluationSummary, format: TableFormat | 'json'): string {
  if (format === 'json') return JSON.stringify({ conventions: EVALUATION_CONVENTIONS, cases: reports, summary }, null, 2) + '\n';
  if (format === 'csv') {
    const rows = reports.flatMap((r) =>
      r.result.labels.map((l) => [
        r.case, l.label, l.name, l.dice, l.hausdorff95Mm, l.hausdorff100Mm, l.assdMm, l.predictionVoxels, l.truthVoxels, l.predictionComponents, l.truthComponents, l.status,
      ]),
    );
    return renderTable(
      ['case', 'label', 'name', 'dice', 'hd95_mm', 'hd100_mm', 'assd_mm', 'prediction_voxels', 'truth_voxels', 'prediction_components', 'truth_components', 'status'],
      rows,
      'csv',
    );
  }
  const checked = reports.some((r) => r.result.check !== null);
  const heading = (title: string) => (format === 'markdown' ? `## ${title}\n\n` : `${title}\n`);
  const caseRows = summary.perCase.map((c) => [
    c.case,
    num(c.meanDice, 4),
    num(c.meanHausdorff95Mm, 2),
    num(c.meanHausdorff100Mm, 2),
    num(c.meanAssdMm, 3),
    num(c.meanExtraComponents, 2),
    ...(checked ? [c.forbiddenPairs, c.forbiddenContacts] : []),
  ]);
  const caseHeader = ['case', 'mean Dice', 'mean HD95 (mm)', 'mean HD100 (mm)', 'mean ASSD (mm)', 'extra components', ...(checked ? ['forbidden pairs', 'forbidden contacts'] : [])];
  const labelRows = summary.perLabel.map((l) => [
    l.label,
    l.name,
    l.dice.n,
    stats(l.dice, 4),
    stats(l.hausdorff95Mm, 2),
    stats(l.hausdorff100Mm, 2),
    stats(l.assdMm, 3),
    stats(l.predictionComponents, 1),
    l.hausdorff95Mm.missing,
  ]);
  const labelHeader = ['label', 'name', 'cases', 'Dice mean ± std (median)', 'HD95 mm', 'HD100 mm', 'ASSD mm', 'components', 'missing'];
  const o = summary.overall;
  const overall = [
    `Dice ${stats(o.dice, 4)}, HD95 ${stats(o.hausdorff95Mm, 2)} mm, HD100 ${stats(o.hausdorff100Mm, 2)} mm, ASSD ${stats(o.assdMm, 3)} mm, ` +
      `extra components ${stats(o.extraComponents, 2)} over ${o.dice.n} (case, label) values` +
      (o.hausdorff95Mm.missing ? `; ${o.hausdorff95Mm.missing} structure(s) missing from a map (Dice 0, no distance)` : ''),
    ...(checked ? [`forbidden contacts per case: ${stats(o.forbiddenContacts, 1)}`] : []),
  ];
  const tableFormat = format === 'markdown' ? 'markdown' : 'text';
  return [
    heading('Cases'),
    renderTable(caseHeader, caseRows, tableFormat),
    '\n',
    heading('Labels (mean ± std (median) over cases; background excluded unless --include-background)'),
    renderTable(labelHeader, labelRows, tableFormat),
    '\n',
    heading('Overall'),
    overall.map((l) => (format === 'markdown' ? `- ${l}` : l)).join('\n') + '\n',
  ].join('');
}
