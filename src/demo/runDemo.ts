import { copyFile, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import { acquireRunLock, RUN_LOCK_FILE } from '../io/acquireRunLock.js';
import { checkSegmentation } from '../metric/checkSegmentation.js';
import { evaluateSegmentation } from '../metric/evaluateSegmentation.js';
import { repairSegmentation } from '../metric/repairSegmentation.js';
import { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import type { EpochRecord } from '../train/trainSegmenter.js';
import type { Volume } from '../volume/Volume.js';
import { readNiftiFile, writeNiftiFile } from '../volume/niftiFile.js';
import { writeFileAtomic } from '../volume/writeFileAtomic.js';
import { compareToControl, type ControlComparison } from './compareToControl.js';
import { commandLine, demoPlan, trainArgs, type DemoMode, type DemoPlan, type FineTuneName, type TrainRunSpec } from './demoPlan.js';
import { makeDemoData, UNSEEN_DOMAIN, type DemoData, type DemoSubject } from './makeDemoData.js';
import { renderDemoHtml } from './renderDemoHtml.js';
import { renderDemoMarkdown } from './renderDemoMarkdown.js';

/** Options of {@link runDemo}. */
export interface RunDemoOptions {
  /** Output folder (created). It must be empty or missing, unless `resume` (a demo folder) or `force`. */
  out: string;
  /** Repository (package) root: `data/` holds the atlases, `demo/baseline/` the shipped baseline. */
  root: string;
  mode: DemoMode;
  atlas: 'aal' | 'inia19';
  labels: 'regions' | 'full';
  /** Seed of the data sets and of every run. @default 1 */
  seed?: number;
  /** Continue an interrupted demo in `out`: finished runs and evaluations are kept, an interrupted run resumes. */
  resume?: boolean;
  /** Start over in a non-empty `out`: the demo's own sub-folders there are deleted, other files are left alone. */
  force?: boolean;
  /**
   * Runs `nonadj train <args>` and resolves to its exit code (the CLI runs its own binary, so what runs is exactly
   * the printed command). Called up to `concurrency` times at once, with the run's name for its progress lines.
   */
  train: (args: string[], name: string) => Promise<number>;
  /** Training runs at once: each is one single-threaded wasm backend, so one per core. @default 1 */
  concurrency?: number;
  /** Progress lines (the library never prints). */
  onProgress?: (line: string) => void;
  /**
   * Stop once the subjects and the prior are written (`out/data/`): what reproducing the shipped baseline needs
   * (demo/baseline/command.txt). A later run with `resume` goes on from there. @default false
   */
  dataOnly?: boolean;
  /**
   * Interrupts the demo: no training run or evaluation starts once it fires (the caller stops the running ones,
   * which checkpoint), and `runDemo` then rejects. `resume` continues later.
   */
  signal?: AbortSignal;
}

/** Scores of one model on one test subject. */
export interface SubjectScores {
  set: 'test' | 'unseen-test';
  id: string;
  meanDice: number | null;
  meanHausdorff95Mm: number | null;
  forbiddenPairs: number;
  forbiddenContacts: number;
  /** Per structure: Dice and volumes (voxels). */
  structures: Array<{ label: number; name: string; dice: number | null; hausdorff95Mm: number | null; predictionVoxels: number; truthVoxels: number }>;
  /** Structures whose predicted volume is below half of the truth's. */
  collapsed: string[];
}

/** One row of the report: a model and its scores. */
export interface DemoRunReport {
  name: string;
  description: string;
  /** The equivalent command line (`nonadj train …`, or `nonadj repair …` for the repaired baseline). */
  command: string;
  lambda: number | 'auto' | null;
  steps: number | null;
  seconds: number | null;
  /** The training log (one record per epoch), empty for the baseline as shipped and for repair. */
  log: EpochRecord[];
  subjects: SubjectScores[];
  /** Means per domain over the subjects. */
  domains: Record<'test' | 'unseen-test', { meanDice: number; meanHausdorff95Mm: number | null; forbiddenPairs: number; forbiddenContacts: number; collapsed: number; perStructureDice: Record<string, number> } | null>;
}

/** `report.json`. */
export interface DemoReport {
  format: 'nonadj-demo-report';
  version: 1;
  mode: DemoMode;
  atlas: 'aal' | 'inia19';
  labels: 'regions' | 'full';
  seed: number;
  grid: { dims: [number, number, number]; spacingMm: [number, number, number] };
  sets: Record<string, string[]>;
  unseenContrast: string;
  prior: { file: string; numLabels: number; names: string[]; forbiddenUnorderedPairs: number; counts: number[][] };
  baseline: { source: 'shipped' | 'trained-here'; dir: string; command: string; note: string; log: EpochRecord[] };
  /** λ heuristic: 0.3 × mean training Dice loss / mean training NonAdjLoss of the warm-up epoch of the `auto` run. */
  heuristicLambda: number;
  plan: DemoPlan;
  runs: DemoRunReport[];
  /** Every run against the control fine-tune, per domain (`compareToControl`: what the renderers print). */
  comparisons: ControlComparison[];
  /** Ground truth's own forbidden contacts on each test subject (a prior from few subjects misses some pairs). */
  truth: Array<{ set: string; id: string; forbiddenPairs: number; forbiddenContacts: number }>;
  /** Seconds of the whole demo (this invocation). */
  seconds: number;
}

/** What `runDemo` returns: the report and its files, or (`dataOnly`) where the data sets were written. */
export type RunDemoResult =
  | { report: DemoReport; files: { json: string; markdown: string; html: string } }
  | { report: null; files: null; dataDir: string };

const MARKER = 'demo.json';
const OWN = ['baseline', 'data', 'runs', 'predictions', 'eval', MARKER, 'report.json', 'report.md', 'report.html'];

/**
 * The NonAdjLoss experiment end to end on real brain data (issue 7): synthetic subjects from a bundled atlas,
 * fine-tunes of one baseline (control λ = 0; λ = 0.3, 1, 3 × the heuristic; λ auto; semi-supervised on an unseen
 * contrast), the baseline followed by `repair`, every model evaluated on held-out subjects of both domains, and a
 * report (`report.json`, `report.md`, `report.html`) in `out`.
 *
 * Layout of `out`: `data/` (subjects and prior), `runs/<name>/` (each a `nonadj train` run folder),
 * `predictions/<run>/<set>/<id>.nii.gz`, `eval/<run>.json`, `demo.json` (the options, to refuse a resume with
 * others), and the reports. Every finished step is kept, so `resume` redoes only what is missing.
 *
 * @throws Error when `out` is not empty and neither `resume` nor `force` is given, when `resume` meets a folder
 *   that is not a demo or was made with other options, or when a training run fails.
 */
export async function runDemo(options: RunDemoOptions): Promise<RunDemoResult> {
  const lock = await acquireRunLock(options.out, { purpose: 'nonadj demo' });
  try {
    return await runDemoLocked(options);
  } finally {
    await lock.release();
  }
}

async function runDemoLocked(options: RunDemoOptions): Promise<RunDemoResult> {
  const started = Date.now();
  const { out, root, mode, atlas, labels } = options;
  const seed = options.seed ?? 1;
  const say = options.onProgress ?? (() => {});
  const plan = demoPlan(mode);
  const identity = { format: 'nonadj-demo', mode, atlas, labels, seed };
  await prepareOut(out, identity, options);

  // 1. Data.
  // The shipped baseline is copied into out/baseline/ first, so every run of this demo (and a resume) starts from
  // the same weights even if the repository's snapshot is replaced meanwhile.
  const shipped = mode === 'full' ? null : await copyShippedBaseline(root, path.join(out, 'baseline'), { atlas, labels, downsample: plan.downsample });
  const dataDir = path.join(out, 'data');
  say(`demo: making ${Object.values(plan.sizes).reduce((a, b) => a + b, 0)} subjects from ${atlas === 'aal' ? 'Colin27 + AAL' : 'INIA19 + NeuroMaps'} (${labels}) in ${dataDir}`);
  const data = await makeDemoData({
    dir: dataDir, root, atlas, labels, downsample: plan.downsample, sizes: plan.sizes, seed,
    onSubject: (set, id, done, total) => say(`data: ${done}/${total} ${set}/${id}`),
  });
  if (options.dataOnly) return { report: null, files: null, dataDir };
  // A shipped baseline was trained against its own prior (its training set): fine-tunes use the same one.
  const priorFile = shipped ? path.join(shipped.dir, 'graph.json') : data.priorFile;
  const prior = shipped ? await AdjacencyPrior.read(priorFile) : data.prior;
  const [nx, , nz] = data.dims;
  const padTo: [number, number] = [Math.ceil(nz / 16) * 16, Math.ceil(nx / 16) * 16];

  // 2. Baseline.
  let baselineModel: string;
  let baselineCommand: string;
  let baselineLog: EpochRecord[];
  let baselineNote: string;
  if (shipped) {
    baselineModel = path.join(shipped.dir, 'model.json');
    baselineCommand = shipped.command;
    baselineLog = await readStagedLogs(shipped.dir, shipped.logs);
    baselineNote = shipped.note;
    say(`demo: baseline ${shipped.dir} (${shipped.note})`);
  } else {
    const spec: TrainRunSpec = {
      name: 'baseline', out: path.join(out, 'runs', 'baseline'), dataDir, prior: priorFile, ...plan.baseline, lambda: 0, seed, filters: plan.filters, padTo,
    };
    baselineCommand = commandLine(trainArgs(spec));
    baselineLog = await runTrain(spec, options.train, say);
    baselineModel = path.join(spec.out, 'best', 'model.json');
    baselineNote = `trained in this demo: ${plan.baseline.epochs} epochs × ${plan.baseline.steps} steps${mode === 'full' ? '' : ' (short: no shipped baseline fits these options; not converged)'}`;
  }

  // 3. Evaluation of every model on both test domains, in this process, one model at a time, each as soon as its
  // training is done: it overlaps the remaining trainings (which run in their own processes).
  const tests = data.subjects.filter((s): s is DemoSubject & { set: 'test' | 'unseen-test'; label: string } => (s.set === 'test' || s.set === 'unseen-test') && s.label !== undefined);
  const { initEngine } = await import('../engine/initEngine.js');
  const { loadModel } = await import('../train/models/modelFiles.js');
  const { segmentVolume } = await import('../train/segmentVolume.js');
  await initEngine();
  const truths = new Map<string, Volume>();
  for (const s of tests) truths.set(`${s.set}/${s.id}`, await readNiftiFile(s.label, { expect: '3d' }));
  const predict = async (run: string, modelFile: string): Promise<Map<string, string>> => {
    const files = new Map<string, string>();
    let loaded: Awaited<ReturnType<typeof loadModel>> | null = null;
    for (const [i, s] of tests.entries()) {
      const file = path.join(out, 'predictions', run, s.set, `${s.id}.nii.gz`);
      files.set(`${s.set}/${s.id}`, file);
      if (await isFile(file)) continue;
      loaded ??= await loadModel(modelFile);
      const image = await readNiftiFile(s.image, { expect: '3d' });
      const { labels: seg } = await segmentVolume(loaded.model, image, { metadata: loaded.metadata });
      await mkdir(path.dirname(file), { recursive: true });
      await writeNiftiFile(file, seg, { kind: 'labels' });
      say(`segment: ${run} ${i + 1}/${tests.length} ${s.set}/${s.id}`);
    }
    loaded?.model.dispose();
    return files;
  };
  const evaluate = async (run: string, files: Map<string, string>): Promise<SubjectScores[]> => {
    const cache = path.join(out, 'eval', `${run}.json`);
    const cached = await readFile(cache, 'utf8').then((t) => JSON.parse(t) as SubjectScores[], () => null);
    if (cached) return cached;
    const scores: SubjectScores[] = [];
    for (const s of tests) {
      const key = `${s.set}/${s.id}`;
      const pred = await readNiftiFile(files.get(key)!, { expect: '3d' });
      scores.push(scoreSubject(s.set, s.id, pred, truths.get(key)!, prior));
    }
    await mkdir(path.dirname(cache), { recursive: true });
    await writeFileAtomic(cache, JSON.stringify(scores) + '\n');
    say(`evaluate: ${run}: ${summaryLine(scores)}`);
    return scores;
  };

  const evalQueue = pLimit(1);
  const scored = new Map<string, Promise<{ files: Map<string, string>; scores: SubjectScores[] }>>();
  const score = (run: string, modelFile: string): void => {
    const job = evalQueue(async () => {
      options.signal?.throwIfAborted();
      const files = await predict(run, modelFile);
      return { files, scores: await evaluate(run, files) };
    });
    job.catch(() => {}); // awaited below; this only keeps a failure from being reported as unhandled meanwhile
    scored.set(run, job);
  };
  score('baseline', baselineModel);

  // 4. Fine-tunes, all from the baseline with the same epochs, steps, batch and seed. Each training is one
  // single-threaded wasm process, so `concurrency` of them run at once. `auto` goes first (its warm-up epoch gives
  // the λ heuristic the fixed-λ runs need); `control` needs no λ and runs beside it; the semi-supervised run (4× the
  // images per step) starts first among the rest so that the others fill the second core meanwhile.
  const common = { dataDir, prior: priorFile, ...plan.fineTune, seed, init: baselineModel };
  const specOf = (name: FineTuneName, lambda: number | 'auto', semi?: string): TrainRunSpec => ({ name, out: path.join(out, 'runs', name), lambda, ...common, ...(semi ? { semi } : {}) });
  const logs = new Map<string, { spec: TrainRunSpec; log: EpochRecord[] }>();
  const limit = pLimit(Math.max(1, options.concurrency ?? 1));
  let launched = 0;
  const launch = (spec: TrainRunSpec): Promise<void> =>
    limit(async () => {
      options.signal?.throwIfAborted();
      logs.set(spec.name, { spec, log: await runTrain(spec, options.train, say, `run ${++launched}/6 `) });
      score(spec.name, path.join(spec.out, 'best', 'model.json'));
    });
  const autoRun = launch(specOf('auto', 'auto'));
  const controlRun = launch(specOf('control', 0));
  let h: number;
  try {
    await autoRun;
    h = heuristicFromLog(logs.get('auto')!.log);
  } catch (error) {
    await Promise.allSettled([controlRun]);
    throw error;
  }
  say(`demo: λ heuristic (from the auto run's warm-up) = ${h.toPrecision(4)}`);
  const round = (x: number) => Number(x.toPrecision(4));
  await settleAll([
    controlRun,
    launch(specOf('semi', round(h), path.join(dataDir, 'unseen-train'))),
    launch(specOf('lambda-3h', round(3 * h))),
    launch(specOf('lambda-1h', round(h))),
    launch(specOf('lambda-0.3h', round(0.3 * h))),
  ]);

  const runs: DemoRunReport[] = [];
  const { files: baselineFiles, scores: baselineScores } = await scored.get('baseline')!;
  runs.push(makeRunReport('baseline', 'baseline (cross-entropy + 5 × Dice, λ = 0), no fine-tune', baselineCommand, 0, baselineLog, baselineScores));
  const descriptions: Record<FineTuneName, string> = {
    auto: 'fine-tune, λ auto (the reference controller; warm-up epoch at λ = 0)',
    control: 'control fine-tune, λ = 0',
    'lambda-0.3h': 'fine-tune, λ = 0.3 × heuristic',
    'lambda-1h': 'fine-tune, λ = 1 × heuristic',
    'lambda-3h': 'fine-tune, λ = 3 × heuristic',
    semi: 'semi-supervised fine-tune, λ = heuristic, + unlabelled unseen-contrast images',
  };
  for (const name of ['control', 'lambda-0.3h', 'lambda-1h', 'lambda-3h', 'auto', 'semi'] as const) {
    const { spec, log } = logs.get(name)!;
    runs.push(makeRunReport(name, descriptions[name], commandLine(trainArgs(spec)), spec.lambda, log, (await scored.get(name)!).scores));
  }
  // Baseline + repair: each baseline prediction repaired against the prior.
  const repairedFiles = new Map<string, string>();
  for (const [key, file] of baselineFiles) {
    const target = path.join(out, 'predictions', 'baseline+repair', `${key}.nii.gz`);
    repairedFiles.set(key, target);
    if (await isFile(target)) continue;
    const repaired = repairSegmentation(await readNiftiFile(file, { expect: '3d' }), prior);
    await mkdir(path.dirname(target), { recursive: true });
    await writeNiftiFile(target, repaired.volume, { kind: 'labels' });
    say(`repair: ${key}: ${repaired.changes.length} components relabelled (${repaired.voxelsChanged} voxels)${repaired.stable ? '' : `, stopped after ${repaired.iterations} rounds`}`);
  }
  runs.push(
    makeRunReport(
      'baseline+repair',
      'the baseline\'s predictions after `nonadj repair` (small forbidden components relabelled)',
      `nonadj repair ${path.join(out, 'predictions', 'baseline', '<set>', '<id>.nii.gz')} ${path.join(out, 'predictions', 'baseline+repair', '<set>', '<id>.nii.gz')} --prior ${priorFile}`,
      null, [], await evaluate('baseline+repair', repairedFiles),
    ),
  );

  const truthChecks = tests.map((s) => {
    const c = checkSegmentation(truths.get(`${s.set}/${s.id}`)!, prior);
    return { set: s.set, id: s.id, forbiddenPairs: c.forbiddenPairs, forbiddenContacts: c.forbiddenContacts };
  });
  const report: DemoReport = {
    format: 'nonadj-demo-report',
    version: 1,
    mode, atlas, labels, seed,
    grid: { dims: data.dims, spacingMm: data.spacingMm },
    sets: Object.fromEntries(['train', 'val', 'test', 'unseen-train', 'unseen-test'].map((set) => [set, data.subjects.filter((s) => s.set === set).map((s) => `${s.id} (seed ${s.seed}, ${s.contrast})`)])),
    unseenContrast: UNSEEN_DOMAIN.description,
    prior: { file: priorFile, numLabels: prior.numLabels, names: prior.names.map((n, i) => n ?? `label ${i}`), forbiddenUnorderedPairs: prior.forbiddenUnorderedPairs, counts: rows(prior) },
    baseline: { source: shipped ? 'shipped' : 'trained-here', dir: path.dirname(baselineModel), command: baselineCommand, note: baselineNote, log: baselineLog },
    heuristicLambda: h,
    plan,
    runs,
    comparisons: compareToControl({ runs }),
    truth: truthChecks,
    seconds: (Date.now() - started) / 1000,
  };
  const files = { json: path.join(out, 'report.json'), markdown: path.join(out, 'report.md'), html: path.join(out, 'report.html') };
  await writeFileAtomic(files.json, JSON.stringify(report, null, 1) + '\n');
  await writeFileAtomic(files.markdown, renderDemoMarkdown(report));
  say('report: rendering slices');
  const slices = await renderSlicesInput(report, tests[0], out, data, prior);
  await writeFileAtomic(files.html, await renderDemoHtml(report, slices));
  return { report, files };
}

/** What the HTML page needs to draw one coronal slice per run. */
export interface SliceInput {
  subject: string;
  image: Volume;
  truth: Volume;
  predictions: Array<{ run: string; volume: Volume }>;
  prior: AdjacencyPrior;
}

async function renderSlicesInput(report: DemoReport, subject: DemoSubject | undefined, out: string, _data: DemoData, prior: AdjacencyPrior): Promise<SliceInput | null> {
  if (!subject?.label) return null;
  const image = await readNiftiFile(subject.image, { expect: '3d' });
  const truth = await readNiftiFile(subject.label, { expect: '3d' });
  const predictions = [];
  for (const run of report.runs) {
    predictions.push({ run: run.name, volume: await readNiftiFile(path.join(out, 'predictions', run.name, subject.set, `${subject.id}.nii.gz`), { expect: '3d' }) });
  }
  return { subject: `${subject.set}/${subject.id}`, image, truth, predictions, prior };
}

function rows(prior: AdjacencyPrior): number[][] {
  const L = prior.numLabels;
  return Array.from({ length: L }, (_, i) => Array.from(prior.counts.subarray(i * L, (i + 1) * L)));
}

/** Dice, HD95, forbidden pairs and contacts, per-structure Dice and the collapse check of one prediction. */
export function scoreSubject(set: 'test' | 'unseen-test', id: string, pred: Volume, truth: Volume, prior: AdjacencyPrior): SubjectScores {
  const e = evaluateSegmentation(pred, truth, { prior, source: { prediction: `${set}/${id} prediction`, truth: `${set}/${id} truth` } });
  const structures = e.labels.map((l) => ({ label: l.label, name: l.name, dice: l.dice, hausdorff95Mm: l.hausdorff95Mm, predictionVoxels: l.predictionVoxels, truthVoxels: l.truthVoxels }));
  return {
    set, id,
    meanDice: e.meanDice,
    meanHausdorff95Mm: e.meanHausdorff95Mm,
    forbiddenPairs: e.check!.forbiddenPairs,
    forbiddenContacts: e.check!.forbiddenContacts,
    structures,
    collapsed: structures.filter((s) => s.truthVoxels > 0 && s.predictionVoxels < s.truthVoxels / 2).map((s) => s.name),
  };
}

function summaryLine(scores: SubjectScores[]): string {
  return scores.map((s) => `${s.set}/${s.id} Dice ${(s.meanDice ?? 0).toFixed(3)} pairs ${s.forbiddenPairs} contacts ${s.forbiddenContacts}`).join('; ');
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

function makeRunReport(name: string, description: string, command: string, lambda: number | 'auto' | null, log: EpochRecord[], subjects: SubjectScores[]): DemoRunReport {
  const domains = {} as DemoRunReport['domains'];
  for (const set of ['test', 'unseen-test'] as const) {
    const ss = subjects.filter((s) => s.set === set);
    if (ss.length === 0) {
      domains[set] = null;
      continue;
    }
    const hd = ss.map((s) => s.meanHausdorff95Mm).filter((x): x is number => x !== null);
    const perStructure = new Map<string, number[]>();
    for (const s of ss) for (const st of s.structures) if (st.dice !== null) perStructure.set(st.name, [...(perStructure.get(st.name) ?? []), st.dice]);
    domains[set] = {
      meanDice: mean(ss.map((s) => s.meanDice ?? 0)),
      meanHausdorff95Mm: hd.length ? mean(hd) : null,
      forbiddenPairs: mean(ss.map((s) => s.forbiddenPairs)),
      forbiddenContacts: mean(ss.map((s) => s.forbiddenContacts)),
      collapsed: mean(ss.map((s) => s.collapsed.length)),
      perStructureDice: Object.fromEntries([...perStructure].map(([k, v]) => [k, mean(v)])),
    };
  }
  return {
    name, description, command, lambda,
    steps: log.length ? log.reduce((a, r) => a + r.steps, 0) : null,
    seconds: log.length ? log.reduce((a, r) => a + r.seconds, 0) : null,
    log, subjects, domains,
  };
}

/**
 * The λ heuristic read from a λ-auto run: the λ the controller set after its warm-up epoch (METHOD.md §4:
 * 0.3 × mean training Dice / mean training NonAdjLoss of that epoch), i.e. the λ of the second epoch's record.
 *
 * @throws Error when the log has fewer than two epochs or the λ is not a positive number.
 */
export function heuristicFromLog(log: readonly EpochRecord[]): number {
  const h = log[1]?.lambda;
  if (!(typeof h === 'number' && Number.isFinite(h) && h > 0)) {
    throw new Error(`runDemo: the auto run's log has no positive λ after its warm-up epoch (${log.length} epochs logged), expected one`);
  }
  return h;
}

/** Wait for every promise; then reject with the first failure, if any (so no run is left running unawaited). */
async function settleAll(promises: Array<Promise<void>>): Promise<void> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

async function runTrain(spec: TrainRunSpec, train: RunDemoOptions['train'], say: (line: string) => void, tag = ''): Promise<EpochRecord[]> {
  const summary = await readFile(path.join(spec.out, 'summary.json'), 'utf8').then((t) => JSON.parse(t) as { status: string }, () => null);
  if (summary?.status === 'completed') {
    say(`demo: ${tag}${spec.name} already completed (${spec.out})`);
  } else {
    const resuming = await isFile(path.join(spec.out, 'checkpoint', 'state.json'));
    const args = resuming ? ['--resume', spec.out] : trainArgs(spec);
    say(resuming ? `demo: ${tag}resuming ${spec.name}: nonadj train --resume ${spec.out}` : `demo: ${tag}${spec.name}: ${commandLine(args)}`);
    const code = await train(args, spec.name);
    if (code !== 0) throw new Error(`runDemo: ${commandLine(args)} exited with code ${code}${code === 130 ? ' (interrupted: continue with --resume)' : ''}`);
  }
  return readLog(path.join(spec.out, 'log.jsonl'));
}

async function readLog(file: string): Promise<EpochRecord[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as EpochRecord);
}

async function isFile(file: string): Promise<boolean> {
  return stat(file).then((s) => s.isFile(), () => false);
}

async function prepareOut(out: string, identity: Record<string, unknown>, options: RunDemoOptions): Promise<void> {
  const entries = await readdir(out).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw new Error(`runDemo: --out ${out} cannot be read (${error.code})`);
  }).then((names) => names.filter((name) => name !== RUN_LOCK_FILE)); // this run's own lock
  const marker = path.join(out, MARKER);
  const saved = await readFile(marker, 'utf8').then((t) => JSON.parse(t) as Record<string, unknown>, () => null);
  if (entries.length > 0) {
    if (options.force) {
      for (const name of OWN) await rm(path.join(out, name), { recursive: true, force: true });
    } else if (options.resume) {
      if (!saved) throw new Error(`runDemo: --resume: ${out} holds no demo (${MARKER} missing); give another --out, or --force to start over there`);
      const diff = Object.keys(identity).filter((k) => saved[k] !== identity[k]);
      if (diff.length > 0) throw new Error(`runDemo: --resume: ${out} is a demo with other options (${diff.map((k) => `${k} ${String(saved[k])}, now ${String(identity[k])}`).join('; ')}); repeat them, or use --force to start over`);
    } else {
      throw new Error(
        saved
          ? `runDemo: ${out} already holds a demo; continue it with --resume, or start over with --force`
          : `runDemo: ${out} is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}) and holds no demo; choose an empty --out, or --force to write into it`,
      );
    }
  }
  await mkdir(out, { recursive: true });
  await writeFileAtomic(marker, JSON.stringify(identity, null, 2) + '\n');
}

/**
 * The shipped baseline (`demo/baseline/`) when it fits the options, copied to `dest` (kept if already there: a
 * resumed demo goes on with the baseline it started from), with its command and a note on its state.
 */
async function copyShippedBaseline(
  root: string,
  dest: string,
  want: { atlas: string; labels: string; downsample: number },
): Promise<{ dir: string; command: string; note: string; logs: string[] } | null> {
  const parse = (dir: string) => readFile(path.join(dir, 'manifest.json'), 'utf8').then((t) => JSON.parse(t) as Record<string, unknown>, () => null);
  let manifest = await parse(dest);
  if (!manifest) {
    const source = path.join(root, 'demo', 'baseline');
    manifest = await parse(source);
    if (!manifest || !(await isFile(path.join(source, 'model.json')))) return null;
    if (manifest.atlas !== want.atlas || manifest.labels !== want.labels || manifest.downsample !== want.downsample) return null;
    await mkdir(dest, { recursive: true });
    // The manifest last: its presence marks a complete copy.
    for (const f of ['model.json', 'weights.bin', 'graph.json', ...logsOf(manifest), 'command.txt', 'manifest.json']) await copyFile(path.join(source, f), path.join(dest, f));
  }
  return { dir: dest, command: String(manifest.command), note: String(manifest.note), logs: logsOf(manifest) };
}

/** The training logs a baseline manifest lists, one per stage (`logs`), or the single `log.jsonl` of older ones. */
function logsOf(manifest: Record<string, unknown>): string[] {
  const logs = manifest.logs;
  return Array.isArray(logs) && logs.every((l) => typeof l === 'string' && !l.includes('/') && !l.includes('\\')) ? (logs as string[]) : ['log.jsonl'];
}

/**
 * The logs of a baseline trained in stages (e.g. Adam at 1e-3, then a second run from its best model at 1e-4), one
 * after the other, as one curve: each stage's epochs are numbered on from the previous stage's last (the files keep
 * their own numbering).
 */
async function readStagedLogs(dir: string, files: string[]): Promise<EpochRecord[]> {
  const all: EpochRecord[] = [];
  for (const file of files) {
    const offset = all.length > 0 ? all[all.length - 1].epoch + 1 : 0;
    for (const record of await readLog(path.join(dir, file))) all.push({ ...record, epoch: record.epoch + offset });
  }
  return all;
}
