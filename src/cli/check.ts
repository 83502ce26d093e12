import { Command, Option } from 'commander';
import { checkSegmentation, type CheckSegmentationResult } from '../metric/checkSegmentation.js';
import type { Connectivity } from '../prior/neighbourhood.js';
import { readNiftiFile } from '../volume/niftiFile.js';
import { lintExitCode } from './lintExitCode.js';
import { listNiftiFiles } from './listNiftiFiles.js';
import { loadPrior } from './loadPrior.js';
import { connectivityOption, positiveIntegerOption, radiusOption } from './options.js';
import { renderTable } from './renderTable.js';

interface CheckFlags {
  prior: string;
  names?: string;
  connectivity?: Connectivity;
  radius?: number;
  json?: boolean;
  csv?: boolean;
  fail: boolean;
}

/** One checked file, as `--json` prints it. */
export interface CheckReport extends CheckSegmentationResult {
  file: string;
}

/** `nonadj check <seg | folder>… --prior graph.json`: the abnormal-adjacency linter (METHOD.md §7). */
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
        'Exit code: 0 no forbidden contact, 1 some found (--no-fail: 0), 2 error.',
      ].join('\n'),
    )
    .argument('<inputs...>', 'label maps (.nii, .nii.gz, .mgz, .mgh) or folders holding them')
    .requiredOption('--prior <file>', 'adjacency prior: graph.json or graph.png.csv')
    .option('--names <file>', 'label names when the prior has none: aal.nii.txt, a FreeSurfer LUT or an ITK-SNAP file')
    .addOption(
      new Option('--connectivity <n>', 'neighbourhood (default: the prior\'s)').argParser(connectivityOption),
    )
    .option('--radius <r>', "Chebyshev radius in voxels (default: the prior's)", radiusOption)
    .addOption(new Option('--json', 'print a JSON array, one object per file').conflicts('csv'))
    .option('--csv', 'print CSV, one row per forbidden pair')
    .option('--no-fail', 'exit 0 even when forbidden contacts are found')
    .action(async (inputs: string[], flags: CheckFlags) => {
      const { prior, names } = await loadPrior(flags.prior, flags.names);
      const files = await listNiftiFiles(inputs);
      const reports: CheckReport[] = [];
      for (const file of files) {
        const volume = await readNiftiFile(file, { expect: '3d' });
        const result = checkSegmentation(volume, prior, { connectivity: flags.connectivity, radius: flags.radius, names, source: file });
        reports.push({ file, ...result });
      }
      const format = flags.json ? 'json' : flags.csv ? 'csv' : 'text';
      process.stdout.write(renderCheckReports(reports, format, prior.numLabels));
      process.exitCode = lintExitCode(
        reports.map((r) => r.forbiddenContacts),
        flags.fail ? 'fail' : 'no-fail',
      );
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

/**
 * Render check reports: `'text'` for a terminal, `'json'` (an array with keys file, forbiddenPairs,
 * forbiddenContacts, pairs, reference, unknownLabels, absentLabels, …), `'csv'` (one row per forbidden pair,
 * one row with empty pair fields for a clean file).
 */
export function renderCheckReports(reports: readonly CheckReport[], format: 'text' | 'json' | 'csv', priorLabels: number): string {
  if (format === 'json') return JSON.stringify(reports, null, 2) + '\n';
  if (format === 'csv') {
    const header = [
      'file', 'forbidden_pairs', 'forbidden_contacts', 'label_a', 'name_a', 'label_b', 'name_b', 'contacts', 'voxels_a', 'voxels_b',
      'box_min_i', 'box_min_j', 'box_min_k', 'box_max_i', 'box_max_j', 'box_max_k',
      'centroid_i', 'centroid_j', 'centroid_k', 'centroid_x_mm', 'centroid_y_mm', 'centroid_z_mm',
      'ref_unique', 'ref_cumulated', 'ref_m1', 'ref_m2',
    ];
    const rows: Array<Array<string | number | null>> = [];
    for (const r of reports) {
      const ref = [r.reference.unique, r.reference.cumulated, r.reference.m1, r.reference.m2];
      if (r.pairs.length === 0) rows.push([r.file, 0, 0, ...Array<null>(19).fill(null), ...ref]);
      for (const p of r.pairs) {
        rows.push([
          r.file, r.forbiddenPairs, r.forbiddenContacts, p.labels[0], p.names[0], p.labels[1], p.names[1], p.contacts, p.voxels[0], p.voxels[1],
          ...p.boundingBox.min, ...p.boundingBox.max, ...p.centroidVoxel, ...p.centroidMm, ...ref,
        ]);
      }
    }
    return renderTable(header, rows, 'csv');
  }
  const out: string[] = [];
  for (const r of reports) {
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
  const dirty = reports.filter((r) => r.forbiddenContacts > 0).length;
  if (reports.length > 1) out.push(`${reports.length} files, ${dirty} with forbidden contacts`);
  return out.join('\n') + '\n';
}
