/**
 * Gathers the brainchop adaptation study's measurements (`docs/adapt-brainchop.md`) into one results file,
 * `docs/adapt/colin27.json`, from the run folder: the scores (`evaluateColin27.ts`'s JSON), prior A for each m
 * (`priorA/prior-m<m>/graph.json`) and the voxel-consensus variant's table (`consensus/priors.json`), each adapt run's `adapt.json` (steps done, λ, losses) and the cost of every
 * stage from its `/usr/bin/time -v` output (user + system CPU seconds, wall seconds, peak RSS). The document's
 * session-5 figures are checked against that file by `test/adaptBrainchopSession5.test.ts`.
 *
 * `node --import tsx bench/brainchop/collectColin27.ts <run folder> <out.json> <stage>=<time -v file>… -- <run name>=<adapt folder>…`
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

const args = process.argv.slice(2);
const split = args.indexOf('--');
const [runDir, outFile] = args;
if (!runDir || !outFile || split < 2) throw new Error('usage: collectColin27.ts <run folder> <out.json> <stage>=<time -v file>… -- <run>=<adapt folder>…');
const pairOf = (a: string) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] as const;
const readJson = async (file: string) => JSON.parse(await readFile(path.join(runDir, file), 'utf8'));

/** CPU (user + system) and wall seconds and peak RSS (GB) from GNU time's `-v` report. */
async function costOf(file: string) {
  const text = await readFile(path.join(runDir, file), 'utf8');
  const num = (re: RegExp) => {
    const m = re.exec(text);
    if (!m) throw new Error(`${file}: no ${re} in the time -v report`);
    return m[1];
  };
  const wall = num(/Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)/).split(':').map(Number).reduce((a, b) => a * 60 + b, 0);
  return {
    cpuSeconds: Math.round(Number(num(/User time \(seconds\): ([\d.]+)/)) + Number(num(/System time \(seconds\): ([\d.]+)/))),
    wallSeconds: Math.round(wall),
    peakRssGB: Math.round(Number(num(/Maximum resident set size \(kbytes\): (\d+)/)) / 1e4) / 100,
    exitStatus: Number(num(/Exit status: (\d+)/)),
  };
}

const cost: Record<string, Awaited<ReturnType<typeof costOf>>> = {};
for (const [stage, file] of args.slice(2, split).map(pairOf)) cost[stage] = await costOf(file);
const runs: Record<string, unknown> = {};
for (const [name, dir] of args.slice(split + 1).map(pairOf)) {
  const a = await readJson(path.join(dir, 'adapt.json'));
  const h = a.history as Array<{ step: number; fidelity: number; nonAdjacency: number }>;
  runs[name] = {
    settings: a.settings,
    stepsDone: a.stepsDone ?? h.length,
    adaptSeconds: Math.round(a.seconds),
    first: h[0],
    last: h.at(-1),
  };
}
const scores = await readJson('eval.json');
// Prior A (`nonadj extract --min-exams m` over the K segmentations) for each m tried, and the rejected voxel-consensus
// variant (`priorFromCopies.ts`).
const priorA = {
  rule: 'a pair is allowed when it touches in at least m of the K = 5 segmentations (4 augmented copies + the scan itself); m = 4 used',
  byM: await Promise.all(
    [3, 4, 5].map(async (m) => ({ m, forbiddenOrderedPairs: (await readJson(`priorA/prior-m${m}/graph.json`)).forbiddenOrderedPairs as number })),
  ),
  consensus: await readJson('consensus/priors.json'),
};
await writeFile(
  outFile,
  JSON.stringify({ format: 'nonadj-adapt-colin27', version: 1, subject: 'Colin27 (data/ch2.nii.gz), one subject', model: 'brainchop model30chan50cls', priorA, scores, runs, cost }, null, 1) + '\n',
);
console.log(`wrote ${outFile}`);
