import { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../io/writeFileAtomic.js';
import { assertPriorOptions } from '../prior/assertPriorOptions.js';
import { countExams } from '../prior/countExams.js';
import { extractPrior } from '../prior/extractPrior.js';
import { DEFAULT_SEG_NAME, examsFromFiles, findExams, type ExamFile } from '../prior/findExams.js';
import { resolveNeighbourhood, type Connectivity } from '../prior/neighbourhood.js';
import { parseLabelNames, type LabelEntry } from '../prior/parseLabelNames.js';
import { partialCountsToJson } from '../prior/partialCountsToJson.js';
import { PRIOR_LIMITS } from '../prior/PRIOR_LIMITS.js';
import { connectivityOption, namesOption, positiveIntegerOption, radiusOption, shardOption } from './options.js';
import { makeProgress } from './progress.js';
import { toolName } from './toolName.js';
import { reportPriorResult } from './reportPriorResult.js';
import { checkPriorFolder, writePriorFolder } from './writePriorFolder.js';

interface ExtractFlags {
  segName: string;
  files?: string[];
  connectivity: Connectivity;
  radius: number;
  names?: string;
  contiguous?: boolean;
  minExams: number;
  shard?: { index: number; count: number };
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
        '',
        'Across machines: --shard i/n counts part i of n of the exam list and writes',
        'partial counts to the file <output> (e.g. shard-0.json); `nonadj merge',
        'shard-*.json --out <folder>` sums them into the prior one run writes. Give',
        'every shard the same data, nb_labels and options.',
      ].join('\n'),
    )
    .argument('[data]', 'dataset folder: one sub-folder per exam')
    .argument('[output]', 'output folder (created if missing); with --shard, the partial-counts file (.json)')
    .argument('[nb_labels]', 'number of labels L (labels 0..L-1; -1 = ignored); default: largest label + 1')
    .option('--seg-name <name>', 'label-map file name inside each exam folder', DEFAULT_SEG_NAME)
    .option('--files <files...>', 'label maps to use instead of a dataset folder')
    .option('--connectivity <n>', 'neighbourhood: 6 faces, 18 faces+edges, 26 faces+edges+corners', connectivityOption, 26)
    .option('--radius <r>', `Chebyshev radius of the neighbourhood in voxels (1 … ${PRIOR_LIMITS.maxRadius})`, radiusOption, 1)
    .addOption(namesOption())
    .option('--contiguous', 'drop labels that never occur and renumber the rest 0..K-1 (mapping kept in graph.json)')
    .option('--min-exams <k>', 'allow a pair only when it touches in at least k exams (rarer contacts are forbidden; recorded in graph.json)', positiveIntegerOption, 1)
    .option('--shard <i/n>', 'count only part i (0 … n-1) of n of the exams and write partial counts to the file <output>', shardOption)
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
  if (flags.shard) return runShard(exams, output, numLabels, names, flags, flags.shard);
  await checkPriorFolder(output);

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
      minExams: flags.minExams,
      allowFloatLabels: flags.allowFloatLabels,
      tool: toolName(),
      onExamDone: (exam) => progress.tick(exam.id),
    });
  } finally {
    progress.stop();
  }
  const { prior } = result;
  reportPriorResult(result, { contiguous: flags.contiguous, minExams: flags.minExams });
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

/**
 * `--shard i/n`: count exams ⌊i·N/n⌋ … ⌊(i+1)·N/n⌋−1 of the N listed (contiguous blocks, so that the shards in
 * order list the exams in the order of one run) and write their partial counts. The prior's options are checked
 * here against the whole list, so a bad value fails on every task of a job array at once, before any counting.
 */
async function runShard(
  all: ExamFile[],
  output: string,
  numLabels: number | undefined,
  names: Map<number, LabelEntry> | undefined,
  flags: ExtractFlags,
  shard: { index: number; count: number },
): Promise<void> {
  const neighbourhood = resolveNeighbourhood({ connectivity: flags.connectivity, radius: flags.radius });
  assertPriorOptions(all.length, { numLabels, contiguous: flags.contiguous, minExams: flags.minExams });
  if (output.endsWith(path.sep) || !/\.json$/i.test(output)) throw new Error(`with --shard, <output> is the partial-counts file to write and must end in .json; got ${output}`);
  const from = Math.floor((shard.index * all.length) / shard.count);
  const to = Math.floor(((shard.index + 1) * all.length) / shard.count);
  const exams = all.slice(from, to);
  const started = performance.now();
  const progress = makeProgress('extract', exams.length, { enabled: !flags.quiet && exams.length > 0 });
  let sums;
  try {
    sums = await countExams(exams, { ...neighbourhood, numLabels, threads: flags.threads, hash: true, onExamDone: (exam) => progress.tick(exam.id) });
  } finally {
    progress.stop();
  }
  const doc = partialCountsToJson(sums, {
    tool: toolName(),
    numLabels: numLabels ?? null,
    contiguous: flags.contiguous ?? false,
    minExams: flags.minExams,
    names: names ? [...names].sort((a, b) => a[0] - b[0]).map(([code, e]) => [code, e.name]) : null,
    shard: { ...shard, examsTotal: all.length },
  });
  await writeFileAtomic(output, JSON.stringify(doc) + '\n');
  process.stdout.write(
    [
      `shard:    ${shard.index}/${shard.count}: exams ${exams.length === 0 ? 'none' : `${from + 1}–${to}`} of ${all.length}`,
      `labels:   ${sums.labels.length} present (connectivity ${sums.connectivity}, radius ${sums.radius})`,
      `written:  ${output}`,
      `time:     ${((performance.now() - started) / 1000).toFixed(2)} s`,
      '',
    ].join('\n'),
  );
}

async function readTextFile(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
