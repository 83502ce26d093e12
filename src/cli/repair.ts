import { Command, Option } from 'commander';
import { checkSegmentation } from '../metric/checkSegmentation.js';
import { keepLargestComponent } from '../postprocess/keepLargestComponent.js';
import { DEFAULT_MAX_COMPONENT_MM3, repairSegmentation, type RepairSegmentationResult } from '../postprocess/repairSegmentation.js';
import type { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import type { Connectivity } from '../prior/neighbourhood.js';
import { readNiftiFile, writeNiftiFile } from '../volume/niftiFile.js';
import { lintExitCode } from './lintExitCode.js';
import { isNiftiName } from '../volume/listNiftiFiles.js';
import { loadPrior } from './loadPrior.js';
import { readNames } from './readNames.js';
import { connectivityOption, namesOption, positiveIntegerOption, positiveNumberOption, radiusOption } from './options.js';
import { renderTable } from './renderTable.js';
import { sameFile } from './sameFile.js';
import { VOLUME_EXTENSIONS_TEXT } from '../volume/volumeExtension.js';

interface RepairFlags {
  prior?: string;
  largestComponent?: boolean;
  names?: string;
  maxComponentMm3: number;
  maxIterations: number;
  connectivity?: Connectivity;
  radius?: number;
  json?: boolean;
  inPlace?: boolean;
  fail: boolean;
}

/** What `repair --largest-component --json` prints. */
export interface LargestComponentReport {
  input: string;
  output: string;
  method: 'largest-component';
  connectivity: Connectivity;
  /** Forbidden pairs and contacts before and after, when `--prior` was given (else null). */
  before: { forbiddenPairs: number; forbiddenContacts: number } | null;
  after: { forbiddenPairs: number; forbiddenContacts: number } | null;
  /** Voxels set to the background (0), over all labels. */
  removedVoxels: number;
  /** The labels that lost voxels, ascending code. */
  labels: Array<{ label: number; name: string; components: number; keptVoxels: number; removedVoxels: number }>;
}

/** What `repair --json` prints (with `--prior`, without `--largest-component`). */
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

/**
 * `nonadj repair <seg> <out> --prior graph.json`: relabel small components that break the prior;
 * `nonadj repair <seg> <out> --largest-component`: keep the largest component of each label (no prior needed).
 */
export function makeRepairCommand(): Command {
  return new Command('repair')
    .summary('remove forbidden contacts by relabelling small components, or keep the largest component per label')
    .description(
      [
        'Post-processing: every connected component of a label that has a forbidden contact, is at most',
        `--max-component-mm3 (default ${DEFAULT_MAX_COMPONENT_MM3} mm³) and is not the largest component of its label`,
        'takes the neighbouring label that makes most of its boundary allowed; repeated until nothing changes.',
        'The default sits between stray fragments (AAL: at most 62 mm³) and the smallest whole structures',
        '(AAL: 404 mm³), so noise is relabelled and anything structure-sized is left for a human.',
        '',
        'With --largest-component instead (the usual baseline, as MONAI\'s KeepLargestConnectedComponent): every',
        'label keeps only its largest connected component (--connectivity; default the prior\'s, else 26) and the other',
        'components are set to the background (0), whatever their size; no prior is needed. With --prior as well,',
        'forbidden contacts are counted before and after, to compare the two methods.',
        '',
        'Exit code: 0 no forbidden contact left (or no --prior with --largest-component), 1 some left (--no-fail: 0),',
        '2 error.',
      ].join('\n'),
    )
    .argument('<seg>', 'label map to repair (.nii, .nii.gz, .mgz, .mgh)')
    .argument('<out>', 'repaired label map to write (.nii, .nii.gz, .mgz, .mgh)')
    .option('--prior <file>', 'adjacency prior: graph.json or graph.png.csv (required unless --largest-component)')
    .option('--largest-component', 'keep the largest connected component of each label; the rest becomes background 0')
    .addOption(namesOption('when the prior has none'))
    .option('--max-component-mm3 <v>', 'largest component that may be relabelled, mm³', positiveNumberOption('--max-component-mm3'), DEFAULT_MAX_COMPONENT_MM3)
    .option('--max-iterations <n>', 'rounds of relabelling at most', positiveIntegerOption, 20)
    .addOption(new Option('--connectivity <n>', "neighbourhood (default: the prior's; 26 for --largest-component without a prior)").argParser(connectivityOption))
    .option('--radius <r>', "Chebyshev radius of contacts (default: the prior's)", radiusOption)
    .option('--in-place', 'allow <out> to be <seg> (replace the input)')
    .option('--json', 'print the report as JSON')
    .option('--no-fail', 'exit 0 even when forbidden contacts remain')
    .action(async (seg: string, out: string, flags: RepairFlags, command: Command) => {
      if (!isNiftiName(out)) throw new Error(`output ${out} must end in ${VOLUME_EXTENSIONS_TEXT}`);
      if (!flags.inPlace && (await sameFile(seg, out))) throw new Error(`output ${out} is the input; pass --in-place to replace it`);
      if (!flags.largestComponent && !flags.prior) throw new Error('--prior <file> is required (or --largest-component, which needs none)');
      if (flags.largestComponent) {
        for (const option of ['maxComponentMm3', 'maxIterations'] as const) {
          if (command.getOptionValueSource(option) === 'cli') {
            throw new Error(`--${option === 'maxComponentMm3' ? 'max-component-mm3' : 'max-iterations'} applies to the prior's repair, not to --largest-component`);
          }
        }
      }
      let prior: AdjacencyPrior | undefined;
      let names = new Map<number, string>();
      if (flags.prior) ({ prior, names } = await loadPrior(flags.prior, flags.names));
      else if (flags.names) names = await readNames(flags.names);
      const volume = await readNiftiFile(seg, { expect: '3d' });
      const neighbourhood = { connectivity: flags.connectivity, radius: flags.radius, names };
      const before = prior ? checkSegmentation(volume, prior, { ...neighbourhood, source: seg }) : null;

      if (flags.largestComponent) {
        const connectivity = flags.connectivity ?? prior?.connectivity ?? 26;
        const result = keepLargestComponent(volume, { connectivity, source: seg });
        const after = prior ? checkSegmentation(result.volume, prior, neighbourhood) : null;
        await writeNiftiFile(out, result.volume, { kind: 'labels', preferDatatype: volume.header.datatype });
        const nameOf = (code: number) => {
          const i = prior?.indexOfLabel(code) ?? -1;
          return (i >= 0 ? prior!.names[i] : null) ?? names.get(code) ?? `label ${code}`;
        };
        const report: LargestComponentReport = {
          input: seg,
          output: out,
          method: 'largest-component',
          connectivity,
          before: before && { forbiddenPairs: before.forbiddenPairs, forbiddenContacts: before.forbiddenContacts },
          after: after && { forbiddenPairs: after.forbiddenPairs, forbiddenContacts: after.forbiddenContacts },
          removedVoxels: result.removedVoxels,
          labels: result.labels.filter((l) => l.removedVoxels > 0).map((l) => ({ label: l.label, name: nameOf(l.label), components: l.components, keptVoxels: l.keptVoxels, removedVoxels: l.removedVoxels })),
        };
        process.stdout.write(flags.json ? JSON.stringify(report, null, 2) + '\n' : renderLargestComponentReport(report));
        process.exitCode = lintExitCode(after ? [after.forbiddenContacts] : [], flags.fail ? 'fail' : 'no-fail');
        return;
      }

      const result = repairSegmentation(volume, prior!, {
        ...neighbourhood,
        maxComponentMm3: flags.maxComponentMm3,
        maxIterations: flags.maxIterations,
        source: seg,
      });
      const after = checkSegmentation(result.volume, prior!, neighbourhood);
      // The input's integer type (and its qform/sform codes, kept in the header) when the labels still fit it.
      await writeNiftiFile(out, result.volume, { kind: 'labels', preferDatatype: volume.header.datatype });
      const report: RepairReport = {
        input: seg,
        output: out,
        maxComponentMm3: flags.maxComponentMm3,
        before: { forbiddenPairs: before!.forbiddenPairs, forbiddenContacts: before!.forbiddenContacts },
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

/** The terminal rendering of `repair --largest-component`. */
export function renderLargestComponentReport(r: LargestComponentReport): string {
  const components = r.labels.reduce((a, l) => a + l.components - 1, 0);
  const lines = [
    `${r.input} → ${r.output}`,
    `kept the largest ${r.connectivity}-connected component of each label: removed ${components} component(s) of ${r.labels.length} label(s), ${r.removedVoxels} voxel(s) set to background 0`,
    ...(r.before && r.after
      ? [`forbidden contacts: ${r.before.forbiddenContacts} → ${r.after.forbiddenContacts} (pairs ${r.before.forbiddenPairs} → ${r.after.forbiddenPairs})`]
      : []),
  ];
  let text = lines.join('\n') + '\n';
  if (r.labels.length > 0) {
    const rows = r.labels.map((l) => [l.label, l.name, l.components, l.keptVoxels, l.removedVoxels]);
    text += '\n' + renderTable(['label', 'name', 'components', 'kept voxels', 'removed voxels'], rows, 'text');
  }
  return text;
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
