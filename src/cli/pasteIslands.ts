import { Command } from 'commander';
import { pasteIslands } from '../synth/pasteIslands.js';
import { readNiftiFile, writeNiftiFile } from '../volume/niftiFile.js';
import { isNiftiName } from '../volume/listNiftiFiles.js';
import { loadPrior } from './loadPrior.js';
import { labelListOption, numberOption, positiveIntegerOption } from './options.js';
import { renderTable } from './renderTable.js';
import { VOLUME_EXTENSIONS_TEXT } from '../volume/volumeExtension.js';

interface PasteIslandsFlags {
  prior?: string;
  count: number;
  edge: number;
  seed: number;
  into?: number[];
  json?: boolean;
}

/**
 * `nonadj paste-islands <seg> <out>` (hidden, for demonstrations and tests): paste seeded cubes of one label
 * inside another, where the prior forbids the pair, so `check` has something known to find.
 */
export function makePasteIslandsCommand(): Command {
  return new Command('paste-islands')
    .summary('(dev) paste cubes of forbidden labels into a label map, for demonstrations')
    .description(
      [
        'Paste --count cubes (edge --edge voxels) of a label A inside a label B, each cube with a one-voxel margin',
        'entirely inside B and apart from the others, choosing A among labels the prior forbids next to B.',
        'Deterministic for a given --seed. Hosts default to every label but 0 (background).',
      ].join('\n'),
    )
    .argument('<seg>', 'label map (.nii, .nii.gz, .mgz, .mgh)')
    .argument('<out>', 'label map to write with the islands')
    .option('--prior <file>', 'only paste pairs this prior forbids (graph.json or graph.png.csv)')
    .option('--count <n>', 'number of cubes', positiveIntegerOption, 10)
    .option('--edge <n>', 'cube edge in voxels', positiveIntegerOption, 3)
    .option('--seed <n>', 'seed of the placement', numberOption('an integer', Number.isInteger), 1)
    .option('--into <codes>', 'comma-separated host labels (default: every label but 0)', labelListOption('--into'))
    .option('--json', 'print the islands as JSON')
    .action(async (seg: string, out: string, flags: PasteIslandsFlags) => {
      if (!isNiftiName(out)) throw new Error(`output ${out} must end in ${VOLUME_EXTENSIONS_TEXT}`);
      const prior = flags.prior ? (await loadPrior(flags.prior)).prior : undefined;
      const volume = await readNiftiFile(seg, { expect: '3d' });
      let hosts = flags.into;
      if (!hosts) {
        const present = new Set<number>();
        for (const v of volume.data) if (v > 0) present.add(v);
        hosts = [...present];
      }
      const { volume: pasted, islands } = pasteIslands(volume, { count: flags.count, edgeVoxels: flags.edge, seed: flags.seed, prior, hosts });
      await writeNiftiFile(out, pasted, { kind: 'labels' });
      process.stdout.write(
        flags.json
          ? JSON.stringify(islands, null, 2) + '\n'
          : renderTable(['label', 'into', 'cube min (voxels)', 'edge'], islands.map((i) => [i.label, i.host, `(${i.min.join(', ')})`, i.edgeVoxels]), 'text'),
      );
      process.exitCode = 0;
    });
}
