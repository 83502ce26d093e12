import { Command, Option } from 'commander';
import { conformVolume } from '../volume/conformVolume.js';
import { readNiftiFile, writeNiftiFile } from '../volume/niftiFile.js';
import { orientationCode } from '../volume/orientationCode.js';
import { resampleVolume } from '../volume/resampleVolume.js';
import type { Volume } from '../volume/Volume.js';
import { VOLUME_EXTENSIONS_TEXT } from '../volume/volumeExtension.js';
import { isNiftiName } from '../volume/listNiftiFiles.js';
import { sameFile } from './sameFile.js';

interface ConformFlags {
  like?: string;
  kind?: 'image' | 'labels';
  intensity: 'uchar' | 'keep';
  centre: 'mri_convert' | 'voxel';
  inPlace?: boolean;
}

/**
 * `nonadj conform <input> <output>`: FreeSurfer's conformed space (256³, 1 mm, LIA), and with `--like` the way
 * back onto an original grid. Parses, calls `conformVolume` / `resampleVolume`, writes, prints a summary.
 */
export function makeConformCommand(): Command {
  return new Command('conform')
    .summary("resample a T1 to FreeSurfer's conformed space (256³, 1 mm, LIA), or a result back onto the original grid")
    .description(
      [
        "Resample <input> to FreeSurfer's conformed space, as mri_convert --conform does for recon-all, FastSurfer and",
        "brainchop's models: 256×256×256 voxels of 1 mm in LIA orientation, centred on the input. Images are",
        "interpolated trilinearly and, unless already uint8, scaled to 0..255 by FreeSurfer's robust range (the",
        'brightest 0.1 % saturate) and written uint8; --intensity keep writes the interpolated values as float32.',
        '--kind labels resamples a label map by nearest neighbour instead.',
        '',
        'With --like <original>: the inverse. <input> (e.g. a segmentation computed on the conformed T1) is resampled',
        "onto <original>'s grid, by nearest neighbour (labels, the default) or trilinearly (--kind image).",
        '',
        `Any of ${VOLUME_EXTENSIONS_TEXT} is read; the output's extension chooses its format (.mgz: FreeSurfer).`,
      ].join('\n'),
    )
    .argument('<input>', 'T1 image (or label map) to conform; with --like, the volume on the conformed grid')
    .argument('<output>', `volume to write (${VOLUME_EXTENSIONS_TEXT})`)
    .option('--like <original>', "resample <input> onto this volume's grid (the inverse of conform)")
    .addOption(new Option('--kind <kind>', 'image: trilinear; labels: nearest neighbour, values kept (default: image, labels with --like)').choices(['image', 'labels']))
    .addOption(new Option('--intensity <mode>', "images: uchar (FreeSurfer's 0..255) or keep (float32)").choices(['uchar', 'keep']).default('uchar'))
    .addOption(
      new Option('--centre <mode>', "mri_convert: voxel 128 on the input's centre; voxel: on the input voxel nearest below it (no half-voxel shift, exact way back for 1 mm inputs)")
        .choices(['mri_convert', 'voxel'])
        .default('mri_convert'),
    )
    .option('--in-place', 'allow <output> to be <input>')
    .action(async (input: string, output: string, flags: ConformFlags, command: Command) => {
      if (!isNiftiName(output)) throw new Error(`output ${output} must end in ${VOLUME_EXTENSIONS_TEXT}`);
      if (!flags.inPlace && (await sameFile(input, output))) throw new Error(`output ${output} is the input; pass --in-place to replace it`);
      const source = await readNiftiFile(input, { expect: '3d' });
      let result: Volume;
      let note: string;
      if (flags.like) {
        for (const option of ['intensity', 'centre'] as const) {
          if (command.getOptionValueSource(option) === 'cli') throw new Error(`--${option} applies to conforming, not to --like`);
        }
        const like = await readNiftiFile(flags.like, { frame: 0 });
        const kind = flags.kind ?? 'labels';
        const back = resampleVolume(source, like, { interpolation: kind === 'labels' ? 'nearest' : 'linear' });
        // The original's header (its qform/sform codes and matrices describe this very grid), with the data's type.
        result = { ...back, header: { ...like.header, datatype: back.header.datatype, sclSlope: 1, sclInter: 0, framesInFile: 1 } };
        note = `${kind === 'labels' ? 'nearest neighbour' : 'trilinear'} onto the grid of ${flags.like}`;
      } else {
        const kind = flags.kind ?? 'image';
        const conformed = conformVolume(source, { kind, intensity: flags.intensity, centre: flags.centre });
        result = conformed.volume;
        const s = conformed.scaling;
        note =
          kind === 'labels'
            ? 'nearest neighbour, labels kept'
            : flags.intensity === 'keep'
              ? 'trilinear, intensities kept (float32)'
              : s
                ? `trilinear, intensities ${fmt(s.srcMin)}..${fmt(s.srcMax)} → 0..255 (uint8)`
                : 'trilinear, uint8 input not rescaled';
      }
      const kind = flags.kind ?? (flags.like ? 'labels' : 'image');
      await writeNiftiFile(output, result, { kind, preferDatatype: kind === 'labels' ? source.header.datatype : result.header.datatype, description: 'nonadj conform' });
      process.stdout.write([`input:   ${input}  ${describe(source)}`, `output:  ${output}  ${describe(result)}`, `method:  ${note}`, ''].join('\n'));
      process.exitCode = 0;
    });
}

function fmt(x: number): string {
  return Number(x.toPrecision(6)).toString();
}

function describe(v: Volume): string {
  return `${v.dims.join('×')}, ${v.spacingMm.map(fmt).join('×')} mm, ${orientationCode(v.affine)}, ${v.header.datatype}`;
}
