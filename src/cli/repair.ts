import { Command, InvalidArgumentError, Option } from 'commander';
import { checkSegmentation } from '../metric/checkSegmentation.js';
import { DEFAULT_MAX_COMPONENT_MM3, repairSegmentation, type RepairSegmentationResult } from '../metric/repairSegmentation.js';
import type { Connectivity } from '../prior/neighbourhood.js';
import { readNiftiFile, writeNiftiFile } from '../volume/niftiFile.js';
import { connectivityOption, positiveIntegerOption, radiusOption } from './extract.js';
import { lintExitCode } from './lintExitCode.js';
import { isNiftiName } from './listNiftiFiles.js';
import { loadPrior } from './loadPrior.js';
import { renderTable } from './renderTable.js';
import { sameFile } from './sameFile.js';

interface RepairFlags {
  prior: string;
  names?: string;
  maxComponentMm3: number;
  maxIterations: number;
  connectivity?: Connectivity;
  radius?: number;
  json?: boolean;
  inPlace?: boolean;
  fail: boolean;
}

/** What `repair --json` prints. */
export interface RepairReport {
  input: string;
  output: string;
  maxComponentMm3: number;
  before: { forbiddenPairs: number; forbiddenContacts: number };
  after: { forbiddenPairs: number; forbiddenContacts: number };
  iterations: number;
  stable: boolean;
  voxelsChanged: number;
  changes: RepairSegmentationResult['changes'];
}

function positiveNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`${name} is "${value}", expected a positive number`);
    return n;
  };
}

/** `nonadj repair <seg> <out> --prior graph.json`: relabel small components that break the prior. */
export function makeRepairCommand(): Command {
  return new Command('repair')
    .summary('remove forbidden contacts by relabelling small components')
    .description(
      [
        'Post-processing: every connected component of a label that has a forbidden contact, is at most',
        `--max-component-mm3 (default ${DEFAULT_MAX_COMPONENT_MM3} mm³) and is not the largest component of its label`,
        'takes the neighbouring label that makes most of its boundary allowed; repeated until nothing changes.',
        'The default sits between stray fragments (AAL: at most 62 mm³) and the smallest whole structures',
        '(AAL: 404 mm³), so noise is relabelled and anything structure-sized is left for a human.',
        '',
        'Exit code: 0 no forbidden contact left, 1 some left (--no-fail: 0), 2 error.',
      ].join('\n'),
    )
    .argument('<seg>', 'label map to repair (.nii / .nii.gz)')
    .argument('<out>', 'repaired label map to write (.nii / .nii.gz)')
    .requiredOption('--prior <file>', 'adjacency prior: graph.json or graph.png.csv')
    .option('--names <file>', 'label names when the prior has none')
    .option('--max-component-mm3 <v>', 'largest component that may be relabelled, mm³', positiveNumber('--max-component-mm3'), DEFAULT_MAX_COMPONENT_MM3)
    .option('--max-iterations <n>', 'rounds of relabelling at most', positiveIntegerOption, 20)
    .addOption(new Option('--connectivity <n>', "neighbourhood (default: the prior's)").argParser(connectivityOption))
    .option('--radius <r>', "Chebyshev radius of contacts (default: the prior's)", radiusOption)
    .option('--in-place', 'allow <out> to be <seg> (replace the input)')
    .option('--json', 'print the report as JSON')
    .option('--no-fail', 'exit 0 even when forbidden contacts remain')
    .action(async (seg: string, out: string, flags: RepairFlags) => {
      if (!isNiftiName(out)) throw new Error(`output ${out} must end in .nii or .nii.gz`);
      if (!flags.inPlace && (await sameFile(seg, out))) throw new Error(`output ${out} is the input; pass --in-place to replace it`);
      const { prior, names } = await loadPrior(flags.prior, flags.names);
      const volume = await readNiftiFile(seg, { expect: '3d' });
      const neighbourhood = { connectivity: flags.connectivity, radius: flags.radius, names };
      const before = checkSegmentation(volume, prior, { ...neighbourhood, source: seg });
      const result = repairSegmentation(volume, prior, {
        ...neighbourhood,
        maxComponentMm3: flags.maxComponentMm3,
        maxIterations: flags.maxIterations,
        source: seg,
      });
      const after = checkSegmentation(result.volume, prior, neighbourhood);
      // The input's integer type (and its qform/sform codes, kept in the header) when the labels still fit it.
      await writeNiftiFile(out, result.volume, { kind: 'labels', preferDatatype: volume.header.datatype });
      const report: RepairReport = {
        input: seg,
        output: out,
        maxComponentMm3: flags.maxComponentMm3,
        before: { forbiddenPairs: before.forbiddenPairs, forbiddenContacts: before.forbiddenContacts },
        after: { forbiddenPairs: after.forbiddenPairs, forbiddenContacts: after.forbiddenContacts },
        iterations: result.iterations,
        stable: result.stable,
        voxelsChanged: result.voxelsChanged,
        changes: result.changes,
      };
      process.stdout.write(flags.json ? JSON.stringify(report, null, 2) + '\n' : renderRepairReport(report));
      process.exitCode = lintExitCode([after.forbiddenContacts], flags.fail ? 'fail' : 'no-fail');
    });
}

/** The terminal rendering of a repair. */
export function renderRepairReport(r: RepairReport): string {
  const lines = [
    `${r.input} → ${r.output}`,
    `forbidden contacts: ${r.before.forbiddenContacts} → ${r.after.forbiddenContacts} (pairs ${r.before.forbiddenPairs} → ${r.after.forbiddenPairs})`,
    `relabelled ${r.changes.length} component(s), ${r.voxelsChanged} voxel(s), in ${r.iterations} round(s)${r.stable ? '' : ' (stopped by --max-iterations before it was stable)'}; limit ${r.maxComponentMm3} mm³`,
  ];
  let text = lines.join('\n') + '\n';
  if (r.changes.length > 0) {
    const rows = r.changes.map((c) => [
      c.iteration,
      `${c.from} ${c.fromName}`,
      `${c.to} ${c.toName}`,
      c.voxels,
      Number(c.volumeMm3.toFixed(2)),
      `${c.forbiddenContactsBefore} → ${c.forbiddenContactsAfter}`,
      `(${c.centroidMm.map((x) => x.toFixed(1)).join(', ')})`,
    ]);
    text += '\n' + renderTable(['round', 'from', 'to', 'voxels', 'mm³', 'forbidden contacts', 'centroid (mm)'], rows, 'text');
  }
  return text;
}
