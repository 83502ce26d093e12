import { Command } from 'commander';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../io/writeFileAtomic.js';
import { assertPartialCountsJson } from '../prior/assertPartialCountsJson.js';
import { mergePartialCounts, type PartialCountsSource } from '../prior/mergePartialCounts.js';
import { priorFromExamCounts } from '../prior/priorFromExamCounts.js';
import { PRIOR_LIMITS } from '../prior/PRIOR_LIMITS.js';
import { reportPriorResult } from './reportPriorResult.js';
import { toolName } from './toolName.js';
import { checkPriorFolder, writePriorFolder } from './writePriorFolder.js';

interface MergeFlags {
  out: string;
}

/** `nonadj merge <partials…> --out <folder | graph.json>`: sum the partial counts of `extract --shard` runs. */
export function makeMergeCommand(): Command {
  return new Command('merge')
    .summary('sum the partial counts of extract --shard runs into one prior')
    .description(
      [
        'Sum partial-counts files written by `nonadj extract … --shard i/n` exactly',
        'and write the prior one extract run over all the exams writes, byte for byte:',
        'graph.png.csv, graph.png and graph.json into a folder, or graph.json alone',
        'when --out ends in .json. Shards may come in any order; each must be there',
        'once, and all must share the neighbourhood, nb_labels, --contiguous,',
        '--min-exams and --names.',
      ].join('\n'),
    )
    .argument('<partials...>', 'partial-counts files (extract --shard i/n output)')
    .requiredOption('--out <path>', 'output folder (created if missing), or a .json file for graph.json alone')
    .action(async (files: string[], flags: MergeFlags) => {
      await runMerge(files, flags);
    });
}

async function runMerge(files: string[], flags: MergeFlags): Promise<void> {
  const started = performance.now();
  const parts: PartialCountsSource[] = [];
  for (const file of files) parts.push({ doc: await readPartial(file), source: file });
  const { sums, options, tool } = mergePartialCounts(parts);
  if (tool !== toolName()) throw new Error(`${files[0]} was written by ${tool ?? 'an unknown tool'}, this is ${toolName()}: extract the shards and merge with one version`);
  const onlyJson = /\.json$/i.test(flags.out);
  if (!onlyJson) await checkPriorFolder(flags.out);
  const result = priorFromExamCounts(sums, { ...options, tool: toolName() });
  reportPriorResult(result, options);
  const { prior } = result;
  let written: string;
  if (onlyJson) {
    await writeFileAtomic(flags.out, JSON.stringify(prior.toJson()) + '\n');
    written = flags.out;
  } else {
    await writePriorFolder(flags.out, prior);
    written = ['graph.png.csv', 'graph.png', 'graph.json'].map((f) => path.join(flags.out, f)).join(', ');
  }
  const allowed = prior.numLabels ** 2 - prior.forbiddenOrderedPairs;
  process.stdout.write(
    [
      `merged:   ${files.length} partial-counts file(s), ${sums.exams.length} exams`,
      `labels:   ${prior.numLabels} (connectivity ${prior.connectivity}, radius ${prior.radius})`,
      `pairs:    ${allowed} of ${prior.numLabels ** 2} ordered pairs allowed, ${prior.forbiddenUnorderedPairs} unordered pairs forbidden`,
      `written:  ${written}`,
      `time:     ${((performance.now() - started) / 1000).toFixed(2)} s`,
      '',
    ].join('\n'),
  );
}

/** Read and validate one partial-counts file, bounded in size like a prior. */
async function readPartial(file: string): Promise<PartialCountsSource['doc']> {
  let text: string;
  try {
    const { size } = await stat(file);
    if (size > PRIOR_LIMITS.maxPriorBytes) throw new Error(`cannot read partial counts ${file}: it has ${size} bytes, over the limit of ${PRIOR_LIMITS.maxPriorBytes}`);
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as Error).message.startsWith('cannot read')) throw error;
    throw new Error(`cannot read partial counts ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message})`);
  }
  assertPartialCountsJson(doc, file);
  return doc;
}
