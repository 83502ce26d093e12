import { Command, Option } from 'commander';
import { writeFileAtomic } from '../io/writeFileAtomic.js';
import { sha256File } from '../io/sha256File.js';
import type { Connectivity } from '../prior/neighbourhood.js';
import { checkCases } from '../qc/checkCases.js';
import { findLabelMaps } from '../qc/findLabelMaps.js';
import { makeCheckDocument, type CheckDocument } from '../qc/makeCheckDocument.js';
import { renderQcHtml } from '../qc/renderQcHtml.js';
import { lintExitCode } from './lintExitCode.js';
import { loadPrior } from './loadPrior.js';
import { connectivityOption, namesOption, positiveIntegerOption, radiusOption } from './options.js';
import { makeProgress } from './progress.js';
import { renderTable } from './renderTable.js';
import { toolName } from './toolName.js';

interface CheckFlags {
  prior: string;
  names?: string;
  connectivity?: Connectivity;
  radius?: number;
  json?: boolean;
  csv?: boolean;
  fail: boolean;
  jobs?: number;
  keepGoing?: boolean;
  report?: string;
  allowFloatLabels?: boolean;
  quiet?: boolean;
}

/** `nonadj check <seg | folder>… --prior graph.json`: the abnormal-adjacency linter (METHOD.md §7), over one file or a cohort. */
export function makeCheckCommand(): Command {
  return new Command('check')
    .summary('report label pairs that touch although the prior forbids it')
    .description(
      [
        'For each segmentation: the forbidden label pairs that touch, how many neighbour voxel pairs (contacts) each',
        'has, how many voxels of each label take part, and where (bounding box in voxels, centroid in voxels and mm),',
        'plus the reference metric (unique, cumulated, m1, m2) under "reference".',
        'A label the prior does not know is reported as unknown: all its contacts are forbidden.',
        '',
        'Inputs: label maps, folders (every .nii, .nii.gz, .mgz, .mgh below them), or BIDS derivatives datasets',
        '(sub-*/[ses-*/]anat/*_dseg.nii[.gz]; a raw BIDS dataset contributes those under derivatives/).',
        'Cases are checked on --jobs worker threads; the output is in input order whatever --jobs is.',
        '--json and --csv carry provenance: tool version, prior path and SHA-256, options.',
        '',
        'Exit code: 0 no forbidden contact, 1 some found (--no-fail: 0), 2 error (with --keep-going: some case',
        'could not be checked; it is listed as an error and the others are reported).',
      ].join('\n'),
    )
    .argument('<inputs...>', 'label maps (.nii, .nii.gz, .mgz, .mgh), folders holding them, or BIDS derivatives datasets')
    .requiredOption('--prior <file>', 'adjacency prior: graph.json or graph.png.csv')
    .addOption(namesOption('when the prior has none'))
    .addOption(
      new Option('--connectivity <n>', 'neighbourhood (default: the prior\'s)').argParser(connectivityOption),
    )
    .option('--radius <r>', "Chebyshev radius in voxels (default: the prior's)", radiusOption)
    .addOption(new Option('--json', 'print one JSON document: provenance and one entry per case (schemas/check.schema.json)').conflicts('csv'))
    .option('--csv', 'print CSV, one row per forbidden pair, after a "# provenance" comment line')
    .option('--report <file>', 'also write a self-contained HTML QC report: cases ranked, pairs across the cohort, thumbnails')
    .option('--jobs <n>', 'worker threads checking cases in parallel (default: number of cores)', positiveIntegerOption)
    .option('--keep-going', 'report a case that cannot be read or checked as an error and go on (exit code 2 at the end)')
    .option('--allow-float-labels', 'read float or image-like maps as labels (refused by default: is it an image?)')
    .option('-q, --quiet', 'no progress output')
    .option('--no-fail', 'exit 0 even when forbidden contacts are found')
    .action(async (inputs: string[], flags: CheckFlags) => {
      const { prior, names } = await loadPrior(flags.prior, flags.names);
      const { files } = await findLabelMaps(inputs);
      const [priorSha, namesSha] = await Promise.all([sha256File(flags.prior), flags.names ? sha256File(flags.names) : null]);
      const [tool, version] = toolName().split(' ');
      const progress = makeProgress('check', files.length, { enabled: !flags.quiet && files.length > 1 });
      let checked;
      try {
        checked = await checkCases(files, prior, {
          connectivity: flags.connectivity,
          radius: flags.radius,
          names,
          allowFloatLabels: flags.allowFloatLabels,
          thumbnail: flags.report !== undefined,
          jobs: flags.jobs,
          keepGoing: flags.keepGoing,
          onCaseDone: (c) => progress.tick(c.status === 'error' ? `${c.file} (error)` : c.file),
        });
      } finally {
        progress.stop();
      }
      const doc = makeCheckDocument(
        {
          tool: { name: tool, version },
          prior: { path: flags.prior, sha256: priorSha, numLabels: prior.numLabels },
          options: {
            connectivity: flags.connectivity ?? prior.connectivity,
            radius: flags.radius ?? prior.radius,
            names: flags.names && namesSha ? { path: flags.names, sha256: namesSha } : null,
            allowFloatLabels: flags.allowFloatLabels ?? false,
            keepGoing: flags.keepGoing ?? false,
          },
        },
        checked,
      );
      if (flags.report) {
        const thumbnails = new Map(checked.flatMap((c) => (c.status === 'ok' && c.thumbnail ? [[c.file, c.thumbnail] as const] : [])));
        await writeFileAtomic(flags.report, await renderQcHtml(doc, { thumbnails }));
      }
      const format = flags.json ? 'json' : flags.csv ? 'csv' : 'text';
      process.stdout.write(renderCheckReports(doc, format));
      for (const c of doc.cases) if (c.status === 'error') process.stderr.write(`nonadj check: ${c.error}\n`);
      if (flags.report) process.stderr.write(`QC report: ${flags.report}\n`);
      const lint = lintExitCode(
        doc.cases.map((c) => (c.status === 'ok' ? c.forbiddenContacts : 0)),
        flags.fail ? 'fail' : 'no-fail',
      );
      process.exitCode = doc.summary.errors > 0 ? 2 : lint;
    });
}

const fmt = (x: number, digits: number) => (Number.isInteger(x) ? String(x) : x.toFixed(digits));
/** The terminal shows at most this many pairs and unknown labels per file; --json and --csv show all. */
const MAX_LISTED = 30;
const sig = (x: number) => (x === 0 ? '0' : x.toPrecision(4));
const triple = (t: readonly number[], digits = 1) => t.map((x) => fmt(x, digits)).join(', ');

/** Compress a sorted list of integers into ranges: `[1, 2, 3, 7]` → `1–3, 7`. */
export function compactRanges(values: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < values.length; ) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === values[j] + 1) j++;
    parts.push(j > i ? `${values[i]}–${values[j]}` : String(values[i]));
    i = j + 1;
  }
  return parts.join(', ');
}

/** The CSV provenance comment: `# nonadj 0.1.0; prior <path> sha256 <hex>; connectivity 26; radius 1; names -; allow-float-labels false`. */
export function csvProvenanceLine(doc: CheckDocument): string {
  const o = doc.options;
  const names = o.names ? `${o.names.path} sha256 ${o.names.sha256}` : '-';
  return `# ${doc.tool.name} ${doc.tool.version}; prior ${doc.prior.path} sha256 ${doc.prior.sha256}; connectivity ${o.connectivity}; radius ${o.radius}; names ${names}; allow-float-labels ${o.allowFloatLabels}`;
}

/**
 * Render a check run: `'text'` for a terminal, `'json'` (the {@link CheckDocument}, `schemas/check.schema.json`),
 * `'csv'` (a `# provenance` comment line, then one row per forbidden pair, one row with empty pair fields for a clean
 * case, and one row with `status` error and the `error` message for a case that could not be checked).
 */
export function renderCheckReports(doc: CheckDocument, format: 'text' | 'json' | 'csv'): string {
  const priorLabels = doc.prior.numLabels;
  if (format === 'json') return JSON.stringify(doc, null, 2) + '\n';
  if (format === 'csv') {
    const header = [
      'file', 'status', 'forbidden_pairs', 'forbidden_contacts', 'label_a', 'name_a', 'label_b', 'name_b', 'contacts', 'voxels_a', 'voxels_b',
      'box_min_i', 'box_min_j', 'box_min_k', 'box_max_i', 'box_max_j', 'box_max_k',
      'centroid_i', 'centroid_j', 'centroid_k', 'centroid_x_mm', 'centroid_y_mm', 'centroid_z_mm',
      'ref_unique', 'ref_cumulated', 'ref_m1', 'ref_m2', 'error',
    ];
    const rows: Array<Array<string | number | null>> = [];
    for (const r of doc.cases) {
      if (r.status === 'error') {
        rows.push([r.file, 'error', ...Array<null>(25).fill(null), r.error]);
        continue;
      }
      const ref = [r.reference.unique, r.reference.cumulated, r.reference.m1, r.reference.m2];
      if (r.pairs.length === 0) rows.push([r.file, 'ok', 0, 0, ...Array<null>(19).fill(null), ...ref, null]);
      for (const p of r.pairs) {
        rows.push([
          r.file, 'ok', r.forbiddenPairs, r.forbiddenContacts, p.labels[0], p.names[0], p.labels[1], p.names[1], p.contacts, p.voxels[0], p.voxels[1],
          ...p.boundingBox.min, ...p.boundingBox.max, ...p.centroidVoxel, ...p.centroidMm, ...ref, null,
        ]);
      }
    }
    return `${csvProvenanceLine(doc)}\n${renderTable(header, rows, 'csv')}`;
  }
  const out: string[] = [];
  for (const r of doc.cases) {
    if (r.status === 'error') {
      out.push(`${r.file}: error: ${r.error}`);
      continue;
    }
    out.push(
      `${r.file}: ${r.forbiddenPairs} forbidden pair${r.forbiddenPairs === 1 ? '' : 's'}, ${r.forbiddenContacts} forbidden contact${r.forbiddenContacts === 1 ? '' : 's'} (connectivity ${r.connectivity}, radius ${r.radius})`,
    );
    if (r.unknownLabels.length > 0) {
      const shown = r.unknownLabels.slice(0, MAX_LISTED);
      const more = r.unknownLabels.length - shown.length;
      const list = shown.map((u) => `${u.label}${u.name === `label ${u.label}` ? '' : ` ${u.name}`} (${u.voxels} voxels)`).join(', ') + (more > 0 ? `, … ${more} more` : '');
      out.push(`  unknown to the prior (all their contacts are forbidden): ${list}`);
    }
    if (r.labelsInSegmentation !== priorLabels || r.unknownLabels.length > 0) {
      out.push(`  labels: ${r.labelsInSegmentation} in the segmentation, ${priorLabels} in the prior${r.absentLabels.length ? `; absent from the segmentation: ${compactRanges(r.absentLabels)}` : ''}`);
    }
    if (r.pairs.length > 0) {
      const rows = r.pairs.slice(0, MAX_LISTED).map((p) => [
        `${p.labels[0]}–${p.labels[1]}`,
        `${p.names[0]} – ${p.names[1]}`,
        p.contacts,
        `${p.voxels[0]} + ${p.voxels[1]}`,
        `[${triple(p.boundingBox.min)}]..[${triple(p.boundingBox.max)}]`,
        `(${triple(p.centroidVoxel)})`,
        `(${triple(p.centroidMm)})`,
      ]);
      const table = renderTable(['labels', 'names', 'contacts', 'voxels', 'box (voxels)', 'centroid (voxels)', 'centroid (mm)'], rows, 'text');
      out.push(...table.trimEnd().split('\n').map((l) => `  ${l}`));
      if (r.pairs.length > MAX_LISTED) out.push(`  … ${r.pairs.length - MAX_LISTED} more pairs with fewer contacts (--json or --csv lists them all)`);
    }
    const ref = r.reference;
    out.push(`  reference: unique ${ref.unique}, cumulated ${ref.cumulated}, m1 ${sig(ref.m1)}, m2 ${sig(ref.m2)}`);
  }
  const { cases, flagged, errors } = doc.summary;
  if (cases > 1) out.push(`${cases} files, ${flagged} with forbidden contacts${errors > 0 ? `, ${errors} not checked (errors)` : ''}`);
  return out.join('\n') + '\n';
}
