import { Command, Option } from 'commander';
import { stat } from 'node:fs/promises';
import { evaluateSegmentation, type EvaluateSegmentationResult } from '../metric/evaluateSegmentation.js';
import { summarizeEvaluations, type EvaluationSummary, type SummaryStats } from '../metric/summarizeEvaluations.js';
import type { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import type { Connectivity } from '../prior/neighbourhood.js';
import { parseLabelNames } from '../prior/parseLabelNames.js';
import { readNiftiFile } from '../volume/niftiFile.js';
import { connectivityOption, radiusOption } from './extract.js';
import { listNiftiFiles } from './listNiftiFiles.js';
import { loadPrior } from './loadPrior.js';
import { pairCases, type CasePair, type CaseSide } from './pairCases.js';
import { makeProgress } from './progress.js';
import { renderTable, type TableFormat } from './renderTable.js';
import { readFile } from 'node:fs/promises';

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
  dice: '2|P∩T| / (|P| + |T|) per label; 0 when the label is missing from one map',
  surface: 'voxels of the label with a face neighbour of another label or on the grid border',
  hausdorff95Mm: 'max of the two directed 95th percentiles (numpy linear interpolation) of surface-to-surface distances, mm (MONAI); null when the label is missing from either map',
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
    .summary('Dice, 95th-percentile Hausdorff distance and ASSD per label (and forbidden contacts with --prior)')
    .description(
      [
        'Compare predictions with ground truths, label by label: Dice, HD95 and average symmetric surface distance',
        'in millimetres (exact Euclidean distance transform, voxel spacing taken into account), with mean, std and',
        'median per label and over labels. With --prior, each prediction is also checked for forbidden contacts.',
        '',
        'Pairing: two folders are paired by case name (relative path without .nii/.nii.gz, or the sub-folder of a',
        'file alone in it); lists of files by base name, else in order. Grids and affines must match.',
        'Background (label 0) is left out unless --include-background. A label missing from the prediction gets',
        'Dice 0 and no distances (null), which are left out of the distance means.',
      ].join('\n'),
    )
    .requiredOption('--pred <paths...>', 'predicted label maps, or one folder of them')
    .requiredOption('--truth <paths...>', 'ground-truth label maps, or one folder of them')
    .option('--prior <file>', 'adjacency prior (graph.json or graph.png.csv): also count forbidden contacts')
    .option('--names <file>', 'label names: aal.nii.txt, a FreeSurfer LUT or an ITK-SNAP file')
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

async function readNames(file: string): Promise<Map<number, string>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read names file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return new Map([...parseLabelNames(text, file).entries].map(([code, e]) => [code, e.name]));
}

const num = (x: number | null, digits: number) => (x === null ? null : Number(x.toFixed(digits)));
const stats = (s: SummaryStats, digits: number) => (s.mean === null ? '–' : `${s.mean.toFixed(digits)} ± ${s.std!.toFixed(digits)} (${s.median!.toFixed(digits)})`);

/** Render an evaluation: terminal text, Markdown, CSV (one row per case and label) or JSON (everything). */
export function renderEvaluation(reports: readonly EvaluateCaseReport[], summary: EvaluationSummary, format: TableFormat | 'json'): string {
  if (format === 'json') return JSON.stringify({ conventions: EVALUATION_CONVENTIONS, cases: reports, summary }, null, 2) + '\n';
  if (format === 'csv') {
    const rows = reports.flatMap((r) =>
      r.result.labels.map((l) => [r.case, l.label, l.name, l.dice, l.hausdorff95Mm, l.assdMm, l.predictionVoxels, l.truthVoxels, l.status]),
    );
    return renderTable(['case', 'label', 'name', 'dice', 'hd95_mm', 'assd_mm', 'prediction_voxels', 'truth_voxels', 'status'], rows, 'csv');
  }
  const checked = reports.some((r) => r.result.check !== null);
  const heading = (title: string) => (format === 'markdown' ? `## ${title}\n\n` : `${title}\n`);
  const caseRows = summary.perCase.map((c) => [
    c.case,
    num(c.meanDice, 4),
    num(c.meanHausdorff95Mm, 2),
    num(c.meanAssdMm, 3),
    ...(checked ? [c.forbiddenPairs, c.forbiddenContacts] : []),
  ]);
  const caseHeader = ['case', 'mean Dice', 'mean HD95 (mm)', 'mean ASSD (mm)', ...(checked ? ['forbidden pairs', 'forbidden contacts'] : [])];
  const labelRows = summary.perLabel.map((l) => [
    l.label,
    l.name,
    l.dice.n,
    stats(l.dice, 4),
    stats(l.hausdorff95Mm, 2),
    stats(l.assdMm, 3),
    l.hausdorff95Mm.missing,
  ]);
  const labelHeader = ['label', 'name', 'cases', 'Dice mean ± std (median)', 'HD95 mm', 'ASSD mm', 'missing'];
  const o = summary.overall;
  const overall = [
    `Dice ${stats(o.dice, 4)}, HD95 ${stats(o.hausdorff95Mm, 2)} mm, ASSD ${stats(o.assdMm, 3)} mm over ${o.dice.n} (case, label) values` +
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
