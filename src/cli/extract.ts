import { Command } from 'commander';
import { copyFile, link, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { encodeGraphPng } from '../prior/encodeGraphPng.js';
import { extractPrior } from '../prior/extractPrior.js';
import { DEFAULT_SEG_NAME, examsFromFiles, findExams, type ExamFile } from '../prior/findExams.js';
import type { Connectivity } from '../prior/neighbourhood.js';
import { parseLabelNames } from '../prior/parseLabelNames.js';
import { writeFileAtomic } from '../io/writeFileAtomic.js';
import { writeFolderAtomic } from '../io/writeFolderAtomic.js';
import type { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import { PRIOR_LIMITS } from '../prior/PRIOR_LIMITS.js';
import { connectivityOption, positiveIntegerOption, radiusOption } from './options.js';
import { makeProgress } from './progress.js';
import { toolName } from './toolName.js';

interface ExtractFlags {
  segName: string;
  files?: string[];
  connectivity: Connectivity;
  radius: number;
  names?: string;
  contiguous?: boolean;
  threads?: number;
  skipMissing?: boolean;
  quiet?: boolean;
  allowFloatLabels?: boolean;
}

/** `nonadj extract <data> <output> [nb_labels]`: the seed's command (METHOD.md §1). */
export function makeExtractCommand(): Command {
  return new Command('extract')
    .summary('extract the label-adjacency prior from annotated label maps')
    .description(
      [
        'Count which labels touch in a set of annotated label maps and write the prior:',
        '  graph.png.csv  L×L ordered neighbour-pair counts (";"-separated, numpy.loadtxt(path, delimiter=";"))',
        '  graph.png      the binarised graph, white = adjacent',
        '  graph.json     the counts plus labels, names, neighbourhood and exams',
        '',
        '<data> holds one folder per exam with the label map named prepro_seg_mni.nii.gz (--seg-name).',
        'With --files, give the label maps instead and the positional arguments are <output> [nb_labels].',
      ].join('\n'),
    )
    .argument('[data]', 'dataset folder: one sub-folder per exam')
    .argument('[output]', 'output folder (created if missing)')
    .argument('[nb_labels]', 'number of labels L (labels 0..L-1; -1 = ignored); default: largest label + 1')
    .option('--seg-name <name>', 'label-map file name inside each exam folder', DEFAULT_SEG_NAME)
    .option('--files <files...>', 'label maps to use instead of a dataset folder')
    .option('--connectivity <n>', 'neighbourhood: 6 faces, 18 faces+edges, 26 faces+edges+corners', connectivityOption, 26)
    .option('--radius <r>', `Chebyshev radius of the neighbourhood in voxels (1 … ${PRIOR_LIMITS.maxRadius})`, radiusOption, 1)
    .option('--names <file>', 'label names: "index name [code]" lines (aal.nii.txt), a FreeSurfer LUT or an ITK-SNAP label file')
    .option('--contiguous', 'drop labels that never occur and renumber the rest 0..K-1 (mapping kept in graph.json)')
    .option('--threads <n>', 'worker threads (default: number of cores)', positiveIntegerOption)
    .option('--skip-missing', 'skip exam folders without the label map instead of stopping')
    .option('-q, --quiet', 'no progress output')
    .option('--allow-float-labels', 'read float or image-like maps as labels (refused by default: is it an image?)')
    .action(async (dataArg: string | undefined, outputArg: string | undefined, nbArg: string | undefined, flags: ExtractFlags) => {
      await runExtract(dataArg, outputArg, nbArg, flags);
    });
}

async function runExtract(dataArg: string | undefined, outputArg: string | undefined, nbArg: string | undefined, flags: ExtractFlags): Promise<void> {
  let output: string | undefined;
  let nbText: string | undefined;
  let exams: ExamFile[];
  if (flags.files) {
    if (nbArg !== undefined) throw new Error(`with --files, give only <output> [nb_labels]; got three arguments`);
    [output, nbText] = [dataArg, outputArg];
    if (!output) throw new Error('missing <output> folder (with --files: nonadj extract <output> [nb_labels] --files a.nii.gz b.nii.gz)');
    exams = examsFromFiles(flags.files);
  } else {
    if (!dataArg || !outputArg) throw new Error('missing arguments: nonadj extract <data> <output> [nb_labels]');
    [output, nbText] = [outputArg, nbArg];
    const found = await findExams(dataArg, { segName: flags.segName, skipMissing: flags.skipMissing });
    for (const s of found.skipped) process.stderr.write(`skipped exam ${s.id}: ${s.reason}\n`);
    exams = found.exams;
  }
  let numLabels: number | undefined;
  if (nbText !== undefined) {
    numLabels = Number(nbText);
    if (!Number.isInteger(numLabels) || numLabels < 1) throw new Error(`nb_labels is "${nbText}", expected a positive integer`);
  }
  const names = flags.names ? parseLabelNames(await readTextFile(flags.names, 'names file'), flags.names).entries : undefined;

  await checkOutputFolder(output);

  const started = performance.now();
  const progress = makeProgress('extract', exams.length, { enabled: !flags.quiet });
  let result;
  try {
    result = await extractPrior(exams, {
      numLabels,
      connectivity: flags.connectivity,
      radius: flags.radius,
      threads: flags.threads,
      names,
      contiguous: flags.contiguous,
      allowFloatLabels: flags.allowFloatLabels,
      tool: toolName(),
      onExamDone: (exam) => progress.tick(exam.id),
    });
  } finally {
    progress.stop();
  }
  const { prior, numLabelsInferred, emptyLabels, emptyLabelCount } = result;
  if (numLabelsInferred) process.stderr.write(`nb_labels not given: using ${result.numLabels} (largest label + 1)\n`);
  if (emptyLabelCount > 0) {
    const list = emptyLabels.slice(0, 20).join(', ') + (emptyLabelCount > 20 ? ', …' : '');
    process.stderr.write(
      flags.contiguous
        ? `relabelled to ${prior.numLabels} contiguous labels: ${emptyLabelCount} label(s) never occur (${list}) and were dropped; the code of each row is in graph.json "labels"\n`
        : `warning: ${emptyLabelCount} label(s) never occur (${list}): every pair with them is forbidden, which inflates the loss normaliser; --contiguous relabels to 0..K-1\n`,
    );
  }
  const files = {
    csv: path.join(output, 'graph.png.csv'),
    png: path.join(output, 'graph.png'),
    json: path.join(output, 'graph.json'),
  };
  await writePriorFolder(output, prior);
  const seconds = (performance.now() - started) / 1000;
  const allowed = prior.numLabels ** 2 - prior.forbiddenOrderedPairs;
  process.stdout.write(
    [
      `exams:    ${exams.length}`,
      `labels:   ${prior.numLabels} (connectivity ${prior.connectivity}, radius ${prior.radius})`,
      `pairs:    ${allowed} of ${prior.numLabels ** 2} ordered pairs allowed, ${prior.forbiddenUnorderedPairs} unordered pairs forbidden`,
      `written:  ${files.csv}, ${files.png}, ${files.json}`,
      `time:     ${seconds.toFixed(2)} s`,
      '',
    ].join('\n'),
  );
}

const PRIOR_FILES = ['graph.png.csv', 'graph.png', 'graph.json'];

/**
 * The output folder is replaced as a whole (`writeFolderAtomic`), so it may hold only a previous prior and files
 * (carried over); a sub-folder would have to be moved, so it is refused up front, before any counting.
 */
async function checkOutputFolder(output: string): Promise<void> {
  const entries = await readdir(output, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw new Error(`cannot read output folder ${output}: ${error.code ?? error.message}`);
  });
  const folders = entries.filter((e) => e.isDirectory()).map((e) => e.name);
  if (folders.length > 0) {
    throw new Error(`output folder ${output} holds sub-folders (${folders.slice(0, 3).join(', ')}${folders.length > 3 ? ', …' : ''}); the prior's folder is replaced as a whole, so give an empty or new folder`);
  }
}

/**
 * Write the three prior files as one unit: a new folder is filled and swapped in, so a full disk or a kill leaves
 * the previous prior complete, never a new graph.png.csv beside an old graph.json. Other files in the folder are
 * carried over (hard links, or copies across devices).
 */
async function writePriorFolder(output: string, prior: AdjacencyPrior): Promise<void> {
  await writeFolderAtomic(output, async (tmp) => {
    const entries = await readdir(output, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (!e.isFile() || PRIOR_FILES.includes(e.name) || /^\..*\.tmp$/.test(e.name)) continue;
      await link(path.join(output, e.name), path.join(tmp, e.name)).catch(() => copyFile(path.join(output, e.name), path.join(tmp, e.name)));
    }
    await writeFile(path.join(tmp, 'graph.png.csv'), prior.toCsv());
    await writeFile(path.join(tmp, 'graph.png'), encodeGraphPng(prior));
    await writeFile(path.join(tmp, 'graph.json'), JSON.stringify(prior.toJson()) + '\n');
  });
}

async function readTextFile(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
