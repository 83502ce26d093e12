import { readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pLimit from 'p-limit';
import { acquireRunLock } from '../io/acquireRunLock.js';
import { writeFileAtomic } from '../io/writeFileAtomic.js';
import { checkSegmentation } from '../metric/checkSegmentation.js';
import type { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import { compareToPrior } from '../prior/compareToPrior.js';
import { countAdjacency } from '../prior/countAdjacency.js';
import { warmUpLambda } from '../train/lambdaController.js';
import { readTrainingRun, type EpochRecord } from '../train/runFolder.js';
import { trainingCommandLine, trainingSpecArgs } from '../train/trainingSpec.js';
import { readNiftiFile } from '../volume/niftiFile.js';
import { compareWithControl, decideHeadline, summariseAutoLambda, summariseDomains } from './analyseDemo.js';
import { demoArms, demoPlan, demoTrainingSpec, type DemoArm, type DemoMode, type DemoRun } from './demoPlan.js';
import type { DemoArmRun, DemoDomain, DemoReport, DemoRunReport, SliceInput, SubjectScores, TruthFloor } from './demoReport.js';
import { makeDemoData, UNSEEN_DOMAIN, type DemoSubject } from './makeDemoData.js';
import { makeDemoEvaluator, type DemoEvaluator, type ModelScores, type ScoredSubject } from './makeDemoEvaluator.js';
import { prepareDemoOut } from './prepareDemoOut.js';
import { renderDemoHtml } from './renderDemoHtml.js';
import { renderDemoMarkdown } from './renderDemoMarkdown.js';
import { copyShippedBaseline, readStagedLogs } from './shippedBaseline.js';

export type { DemoReport, DemoRunReport, SliceInput, SubjectScores } from './demoReport.js';

/** Options of {@link runDemo}. */
export interface RunDemoOptions {
  /** Output folder (created). It must be empty or missing, unless `resume` (a demo folder) or `force`. */
  out: string;
  /** Repository (package) root: `data/` holds the atlases, `demo/baseline/` and `demo/baseline-inia19/` the shipped baselines. */
  root: string;
  mode: DemoMode;
  atlas: 'aal' | 'inia19';
  labels: 'regions' | 'full';
  /** Seeds of a `replicated` demo. @default 3 */
  replicates?: number;
  /** Anatomy of the subjects. @default 'varied' for AAL, 'warp' for INIA19 */
  cohort?: 'warp' | 'varied';
  /** Seed of the data sets. @default 1 */
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
  /**
   * Training runs at once (@default 1); also the subjects made at once, each on a worker thread (`makeDemoData`'s
   * `jobs`; left out: the number of cores).
   */
  concurrency?: number;
  /**
   * Worker threads of each run (`nonadj train --workers`, one wasm backend per core): `concurrency × workers` should
   * not exceed the cores. @default 1
   */
  workers?: number;
  /** Progress lines (the library never prints). */
  onProgress?: (line: string) => void;
  /** Stop once the subjects and the prior are written (`out/data/`). A later run with `resume` goes on. @default false */
  dataOnly?: boolean;
  /**
   * Interrupts the demo: no training run or evaluation starts once it fires (the caller stops the running ones,
   * which checkpoint), and `runDemo` then rejects. `resume` continues later.
   */
  signal?: AbortSignal;
}

/** What `runDemo` returns: the report and its files, or (`dataOnly`) where the data sets were written. */
export type RunDemoResult =
  | { report: DemoReport; files: { json: string; markdown: string; html: string } }
  | { report: null; files: null; dataDir: string };

const DOMAINS: readonly DemoDomain[] = ['val', 'unseen-val', 'test', 'unseen-test'];

/**
 * The NonAdjLoss experiment end to end on real brain data (issue 14): synthetic subjects from a bundled atlas (the
 * `varied` cohort: ventricles, structure volumes and cortex differ per subject), one baseline, and for every seed the
 * arms of `demoArms` fine-tuned from it with the same steps (control λ = 0; λ = 0.1 … 10 × the reference heuristic, … 100 × in the experiment;
 * λ auto; semi-supervised with unlabelled images of the unseen scanner, and its control with the training scanner's);
 * every model, and its largest-component and repaired versions, scored on the validation and test subjects of both
 * scanners; the headline λ chosen on validation; every row against the control with 95 % bootstrap intervals; a
 * report (`report.json`, `report.md`, `report.html`) in `out`.
 *
 * Layout of `out`: `data/` (subjects, prior, cohort.json), `baseline/` (the shipped baseline's copy),
 * `runs/<arm>/s<seed>/` (each a `nonadj train` run folder), `predictions/<model>[+lcc|+repair]/<set>/<id>.nii.gz`,
 * `eval/<model>.json` (its scores), `demo.json` (the options, to refuse a resume with others), and the reports.
 * Every finished step is kept, so `resume` redoes only what is missing; a finished run's `summary.json` and
 * `log.jsonl` with its `eval/` file are enough to skip it (they are small enough to keep in git).
 *
 * @throws Error when `out` is not empty and neither `resume` nor `force` is given, when `resume` meets a folder
 *   that is not a demo or was made with other options, or when a training run fails.
 */
export async function runDemo(options: RunDemoOptions): Promise<RunDemoResult> {
  // One demo at a time in a folder: a second one is refused with the holder's process id (a stale lock is taken over).
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
  const dataSeed = options.seed ?? 1;
  const say = options.onProgress ?? (() => {});
  const cohort = options.cohort ?? (atlas === 'aal' ? 'varied' : 'warp');
  const plan = demoPlan(mode, { replicates: options.replicates, cohort });
  const identity = { format: 'nonadj-demo', version: 2, mode, atlas, labels, seed: dataSeed, seeds: plan.seeds.join(','), cohort };
  await prepareDemoOut(out, identity, options);

  // 1. Data. The shipped baseline is copied into out/baseline/ first, so every run of this demo (and a resume)
  // starts from the same weights even if the repository's snapshot is replaced meanwhile.
  const shipped = mode === 'full' ? null : await copyShippedBaseline(root, path.join(out, 'baseline'), { atlas, labels, downsample: plan.downsample });
  const dataDir = path.join(out, 'data');
  say(`demo: making ${Object.values(plan.sizes).reduce((a, b) => a + b, 0)} subjects (${cohort} cohort) from ${atlas === 'aal' ? 'Colin27 + AAL' : 'INIA19 + NeuroMaps'} (${labels}) in ${dataDir}`);
  const data = await makeDemoData({
    dir: dataDir, root, atlas, labels, downsample: plan.downsample, sizes: plan.sizes, seed: dataSeed, cohort, jobs: options.concurrency,
    onSubject: (set, id, done, total) => say(`data: ${done}/${total} ${set}/${id}`),
  });
  if (options.dataOnly) return { report: null, files: null, dataDir };
  // The prior of the cohort the fine-tunes train on: counted on its training label maps only. (A shipped baseline is a
  // pre-trained network; when it was trained on another cohort of the atlas, fine-tuning it here is the papers'
  // fine-tuning use, the same for every arm.)
  const priorFile = data.priorFile;
  const prior = data.prior;
  const [nx, , nz] = data.dims;
  const padTo: [number, number] = [Math.ceil(nz / 16) * 16, Math.ceil(nx / 16) * 16];

  // 2. Baseline.
  let baseline: DemoReport['baseline'];
  let baselineModel: string;
  if (shipped) {
    baselineModel = path.join(shipped.dir, 'model.json');
    const note = shipped.cohort === cohort ? shipped.note : `${shipped.note}; trained on the ${shipped.cohort} cohort, fine-tuned here on the ${cohort} one`;
    baseline = { source: 'shipped', dir: shipped.dir, command: shipped.command, note, log: await readStagedLogs(shipped.dir, shipped.logs) };
    say(`demo: baseline ${shipped.dir} (${shipped.note})`);
  } else {
    const run: DemoRun = { name: 'baseline', out: path.join(out, 'runs', 'baseline'), dataDir, prior: priorFile, ...plan.baseline, lambda: 0, seed: dataSeed, filters: plan.filters, padTo, validate: true, workers: options.workers };
    const log = await runTrain(run, options.train, say);
    baselineModel = path.join(run.out, 'best', 'model.json');
    const note = `trained in this demo: ${plan.baseline.epochs} epochs × ${plan.baseline.steps} steps${mode === 'full' ? '' : ' (short: no shipped baseline fits these options; not converged)'}`;
    baseline = { source: 'trained-here', dir: run.out, command: trainingCommandLine(trainingSpecArgs(demoTrainingSpec(run))), note, log };
  }

  // 3. Evaluation of every model on the held-out subjects of both scanners, in this process, one model at a time,
  // each as soon as its training is done: it overlaps the remaining trainings (which run in their own processes).
  const held = data.subjects.filter((s): s is DemoSubject & ScoredSubject => (DOMAINS as readonly string[]).includes(s.set) && s.label !== undefined);
  const evaluator = await makeDemoEvaluator({ out, subjects: held, prior, say });
  const evalQueue = pLimit(1);
  const scored = new Map<string, Promise<ModelScores>>();
  const score = (key: string, seed: number | null, modelFile: string, domains?: readonly DemoDomain[]): Promise<ModelScores> => {
    const job = evalQueue(async () => {
      options.signal?.throwIfAborted();
      return evaluator.score(key, seed, modelFile, domains);
    });
    job.catch(() => {}); // awaited below; this only keeps a failure from being reported as unhandled meanwhile
    scored.set(key, job);
    return job;
  };
  score('baseline', null, baselineModel);

  // 4. Fine-tunes: every arm once per seed, all from the baseline with the same epochs, steps and batch. For a seed,
  // `auto` and `control` start first (auto's warm-up epoch at λ = 0 gives the heuristic the other arms of that seed
  // need); an arm is queued only once its λ is known, so no training slot waits.
  const arms = demoArms(plan);
  const limit = pLimit(Math.max(1, options.concurrency ?? 1));
  const total = arms.length * plan.seeds.length;
  let launched = 0;
  const armRuns = new Map<string, DemoArmRun>();
  const round = (x: number) => Number(x.toPrecision(4));
  const runArm = (arm: DemoArm, seed: number, lambda: number | 'auto'): Promise<void> =>
    limit(async () => {
      options.signal?.throwIfAborted();
      const key = `${arm.name}/s${seed}`;
      const run: DemoRun = {
        name: key, out: path.join(out, 'runs', arm.name, `s${seed}`), dataDir, prior: priorFile, ...plan.fineTune, lambda, seed, init: baselineModel,
        validate: arm.kind === 'auto', ...(arm.pool ? { semi: path.join(dataDir, arm.pool) } : {}), workers: options.workers,
      };
      const scoredAlready = await stat(path.join(out, 'eval', `${key}.json`)).then((s) => s.isFile(), () => false);
      const log = await runTrain(run, options.train, say, `run ${++launched}/${total} `, !scoredAlready);
      armRuns.set(key, {
        seed, lambda, command: trainingCommandLine(trainingSpecArgs(demoTrainingSpec(run))),
        steps: log.reduce((a, r) => a + r.steps, 0), seconds: log.reduce((a, r) => a + r.seconds, 0), log,
      });
      // Validation subjects serve the headline decision (control and fixed λ, training scanner); the baseline alone is
      // scored on every set (the unseen scanner's validation subjects check the domain). Segmenting is what costs.
      score(key, seed, path.join(run.out, 'best', 'model.json'), arm.kind === 'control' || arm.kind === 'lambda' ? ['val', 'test', 'unseen-test'] : ['test', 'unseen-test']);
    });
  const autoArm = arms.find((a) => a.kind === 'auto')!;
  const first: Array<Promise<void>> = [];
  const autoDone = new Map<number, Promise<void>>();
  for (const seed of plan.seeds) {
    const auto = runArm(autoArm, seed, 'auto');
    autoDone.set(seed, auto);
    first.push(auto, ...arms.filter((a) => a.kind === 'control').map((a) => runArm(a, seed, 0)));
  }
  const rest = plan.seeds.map(async (seed) => {
    // The heuristic is known once auto's warm-up epoch is logged: the λ arms queue then, not when auto ends, so the
    // slot control frees (it does not validate, so it ends first) does not wait for auto's last epochs.
    const h = heuristicFromLog(await warmUpLog(path.join(out, 'runs', autoArm.name, `s${seed}`), autoDone.get(seed)!));
    say(`demo: seed ${seed}: reference λ heuristic (auto's warm-up) = ${h.toPrecision(4)}`);
    await settleAll(arms.filter((a) => a.multiplier !== null).map((a) => runArm(a, seed, round(a.multiplier! * h))));
  });
  await settleAll([...first, ...rest]);

  // 5. Rows: the baseline and every arm, each also after largest-component and repair post-processing.
  const baselineScores = await scored.get('baseline')!;
  const rows: DemoRunReport[] = [];
  const addRows = (name: string, description: string, kind: DemoRunReport['kind'], multiplier: number | null, runs: DemoArmRun[], scores: ModelScores[]) => {
    const variants: Array<[DemoRunReport['postprocess'], keyof ModelScores, string]> = [[null, 'raw', ''], ['lcc', 'lcc', ' + largest component per label'], ['repair', 'repair', ' + repair']];
    for (const [postprocess, field, suffix] of variants) {
      const subjects: SubjectScores[] = scores.flatMap((s) => s[field]);
      rows.push({
        name: postprocess ? `${name}+${postprocess}` : name, description: description + suffix, kind, multiplier, postprocess, base: name,
        runs: postprocess ? [] : runs, subjects, domains: summariseDomains(subjects),
      });
    }
  };
  addRows('baseline', 'baseline (cross-entropy + 5 × Dice, λ = 0), no fine-tune', 'baseline', null, [], [baselineScores]);
  const order = ['control', ...plan.lambdaMultipliers.map((m) => `lambda-${m}x`), 'auto', 'semi', 'semi-control'];
  for (const name of order) {
    const arm = arms.find((a) => a.name === name)!;
    const runs = plan.seeds.map((seed) => armRuns.get(`${name}/s${seed}`)!);
    const scores = await Promise.all(plan.seeds.map((seed) => scored.get(`${name}/s${seed}`)!));
    addRows(name, arm.description, arm.kind, arm.multiplier, runs, scores);
  }

  // 6. Analysis: the headline decision on validation subjects, then the comparisons on every domain.
  const decision = decideHeadline(rows, plan);
  say(`demo: headline (validation, ${decision.rule}): ${decision.chosen ?? 'none eligible'}`);
  const comparisons = compareWithControl(rows);
  const autoRuns = rows.find((r) => r.name === 'auto')!.runs;
  const report: DemoReport = {
    format: 'nonadj-demo-report',
    version: 2,
    mode, atlas, labels, cohort, dataSeed, seeds: plan.seeds,
    grid: { dims: data.dims, spacingMm: data.spacingMm },
    sets: Object.fromEntries([...new Set(data.subjects.map((s) => s.set))].map((set) => [set, data.subjects.filter((s) => s.set === set).map((s) => s.id)])),
    unseenContrast: UNSEEN_DOMAIN.description,
    prior: { file: priorFile, numLabels: prior.numLabels, names: prior.labels.map((_, i) => prior.nameOf(i)), forbiddenUnorderedPairs: prior.forbiddenOrderedPairs / 2, counts: rows2d(prior) },
    baseline,
    heuristic: autoRuns.map((r) => ({ seed: r.seed, lambda: heuristicFromLog(r.log), diceCoefficient: r.log[0].train.diceCoefficient ?? NaN, nonAdjacency: r.log[0].train.nonAdjacency })),
    plan,
    runs: rows,
    decision,
    comparisons,
    autoLambda: summariseAutoLambda(autoRuns),
    truth: await truthFloor(held, prior),
    seconds: (Date.now() - started) / 1000,
    provenance: await provenance(root),
  };
  const files = { json: path.join(out, 'report.json'), markdown: path.join(out, 'report.md'), html: path.join(out, 'report.html') };
  await writeFileAtomic(files.json, JSON.stringify(report, null, 1) + '\n');
  await writeFileAtomic(files.markdown, renderDemoMarkdown(report));
  say('report: rendering slices');
  const shown = held.find((s) => s.set === 'test');
  await writeFileAtomic(files.html, await renderDemoHtml(report, shown ? await slicesOf(report, shown, out, prior, evaluator, baselineModel) : null));
  return { report, files };
}

/** Each held-out subject's own label map against the prior: its forbidden contacts and how its graph differs. */
async function truthFloor(subjects: readonly ScoredSubject[], prior: AdjacencyPrior): Promise<TruthFloor[]> {
  const floor: TruthFloor[] = [];
  for (const s of subjects) {
    const truth = await readNiftiFile(s.label, { expect: '3d' });
    const check = checkSegmentation(truth, prior, { source: `${s.set}/${s.id} truth` });
    const counts = countAdjacency(truth.data, truth.dims as [number, number, number], { numLabels: prior.numLabels, connectivity: prior.connectivity, radius: prior.radius }).counts;
    const graph = compareToPrior(counts, prior);
    floor.push({
      set: s.set, id: s.id, forbiddenPairs: check.forbiddenPairs, forbiddenContacts: check.forbiddenContacts,
      extraPairs: graph.extra.length, missingPairs: graph.missing.length,
      extra: graph.extra.map((p) => `${prior.nameOf(p.i)}–${prior.nameOf(p.j)} (${p.count})`),
    });
  }
  return floor;
}

/**
 * The report's slices: the first test subject, its truth, and each row's prediction by the first seed's model (the
 * baseline's own, and `baseline+repair`). A prediction is read from `predictions/`, else made from the model; a row
 * with neither (a run resumed from git, whose model is not on this machine) is listed as not shown.
 */
async function slicesOf(report: DemoReport, subject: ScoredSubject, out: string, prior: AdjacencyPrior, evaluator: DemoEvaluator, baselineModel: string): Promise<SliceInput> {
  const image = await readNiftiFile(subject.image, { expect: '3d' });
  const truth = await readNiftiFile(subject.label, { expect: '3d' });
  const predictions = [];
  const missing: string[] = [];
  const seed = report.seeds[0];
  for (const row of report.runs.filter((r) => r.postprocess === null || r.name === 'baseline+repair')) {
    const baseline = row.base === 'baseline';
    const key = baseline ? 'baseline' : `${row.base}/s${seed}`;
    const model = baseline ? baselineModel : path.join(out, 'runs', row.base, `s${seed}`, 'best', 'model.json');
    const volume = await evaluator.prediction(key, model, subject, row.postprocess ?? undefined);
    if (volume) predictions.push({ run: row.name, volume });
    else missing.push(row.name);
  }
  return { subject: `${subject.set}/${subject.id}`, image, truth, predictions, missing, prior };
}

function rows2d(prior: AdjacencyPrior): number[][] {
  const L = prior.numLabels;
  return Array.from({ length: L }, (_, i) => Array.from(prior.counts.subarray(i * L, (i + 1) * L)));
}

async function provenance(root: string): Promise<DemoReport['provenance']> {
  const pkg = await readFile(path.join(root, 'package.json'), 'utf8').then((t) => JSON.parse(t) as { version?: string }, () => ({ version: undefined }));
  return { version: pkg.version ?? 'unknown', node: process.version, cpus: os.cpus()[0]?.model ?? 'unknown', cores: os.availableParallelism() };
}

/**
 * The reference λ heuristic read from a λ-auto run's log: METHOD.md §4's 0.3 × mean training Dice coefficient /
 * mean training NonAdjLoss of its warm-up epoch (the first record), computed as the controller computes its first λ
 * (so it equals the second record's λ).
 *
 * @throws Error when the log has no warm-up record with a Dice coefficient and a positive NonAdjLoss.
 */
export function heuristicFromLog(log: readonly EpochRecord[]): number {
  const train = log[0]?.train;
  const h = train && typeof train.diceCoefficient === 'number' ? warmUpLambda(train.diceCoefficient, train.nonAdjacency) : NaN;
  if (!(typeof h === 'number' && Number.isFinite(h) && h > 0)) {
    throw new Error(`runDemo: the auto run's log has no warm-up epoch with a Dice coefficient and a positive NonAdjLoss (${log.length} epochs logged), expected one`);
  }
  return h;
}

/**
 * The log of a training run as soon as its first epoch is written to `<run>/log.jsonl` (polled every 0.5 s), or
 * when the run has ended, whichever comes first. Only complete lines are read: the trainer appends one per epoch.
 */
async function warmUpLog(runDir: string, ended: Promise<void>): Promise<EpochRecord[]> {
  let done = false;
  ended.then(() => { done = true; }, () => { done = true; });
  for (;;) {
    const finished = done;
    const text = await readFile(path.join(runDir, 'log.jsonl'), 'utf8').catch(() => '');
    const lines = text.split('\n').slice(0, -1).filter((l) => l.trim() !== '');
    if (lines.length > 0) return lines.map((l) => JSON.parse(l) as EpochRecord);
    if (finished) return (await ended, (await readTrainingRun(runDir)).history);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Wait for every promise; then reject with the first failure, if any (so no run is left running unawaited). */
async function settleAll(promises: ReadonlyArray<Promise<void>>): Promise<void> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

async function runTrain(run: DemoRun, train: RunDemoOptions['train'], say: (line: string) => void, tag = '', needsModel = true): Promise<EpochRecord[]> {
  const before = await readTrainingRun(run.out);
  if (before.summary?.status === 'completed') {
    const model = await stat(path.join(run.out, 'best', 'model.json')).then((s) => s.isFile(), () => false);
    if (model || !needsModel) {
      say(`demo: ${tag}${run.name} already completed (${run.out})`);
      return before.history;
    }
    // Results kept in git hold a run's log, not its weights: a run still to be scored is trained again, which gives
    // the same weights (training is deterministic for a seed on the single-threaded backends).
    say(`demo: ${tag}${run.name} finished elsewhere and its model is not here: training it again (deterministic)`);
    await rm(run.out, { recursive: true, force: true });
  }
  const resuming = await stat(path.join(run.out, 'checkpoint', 'state.json')).then((s) => s.isFile(), () => false);
  const args = resuming ? ['--resume', run.out] : trainingSpecArgs(demoTrainingSpec(run));
  say(resuming ? `demo: ${tag}resuming ${run.name}: nonadj train --resume ${run.out}` : `demo: ${tag}${run.name}: ${trainingCommandLine(args)}`);
  const code = await train(args, run.name);
  if (code !== 0) throw new Error(`runDemo: ${trainingCommandLine(args)} exited with code ${code}${code === 130 ? ' (interrupted: continue with --resume)' : ''}`);
  return (await readTrainingRun(run.out)).history;
}
