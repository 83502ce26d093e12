import { Command, Option } from 'commander';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { EngineBackend } from '../engine/initEngine.js';
import { assertBackendInstalled, SINGLE_THREAD_TENSORFLOW } from './assertBackendInstalled.js';
import { acquireRunLock } from '../io/acquireRunLock.js';
import { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import { findTrainingExams } from '../data/findTrainingExams.js';
import { splitExams } from '../data/splitExams.js';
import { parseIntensity } from '../data/parseIntensity.js';
import type { EpochRecord } from '../train/runFolder.js';
import type { EngineChoice } from '../infer/makeInferenceEngine.js';
import type { TrainSegmenterOptions, TrainSegmenterResult } from '../train/trainSegmenter.js';
import { TRAINING_SPEC_DEFAULTS as D, withTrainingDefaults, type ResolvedTrainingSpec, type TrainingSpec } from '../train/trainingSpec.js';
import { writeFileAtomic } from '../io/writeFileAtomic.js';
import { axisOption, engineOption, inputOrderOption, intensityOption, lambdaOption, numberOption, positiveIntegerListOption, positiveIntegerOption, sizesOption } from './options.js';
import { makeProgress, type Progress } from './progress.js';

/** Parsed flags of `nonadj train`: a training spec without its data folder, plus how to run it. */
export interface TrainFlags extends Omit<ResolvedTrainingSpec, 'data' | 'prior' | 'out'> {
  prior?: string;
  out?: string;
  backend?: EngineBackend;
  engine?: EngineChoice;
  resume?: string;
  quiet?: boolean;
}

/** What `nonadj train` does with its parsed arguments (tests parse without training). */
type TrainAction = (data: string | undefined, flags: TrainFlags, command: Command) => Promise<void>;

/** `nonadj train <data> --prior graph.json --out run`: train or fine-tune a segmenter with NonAdjLoss. */
export function makeTrainCommand(
  action: TrainAction = async (data, flags, command) => {
    process.exitCode = await runTrain(data, flags, command);
  },
): Command {
  return new Command('train')
    .summary('train or fine-tune a segmentation network with NonAdjLoss')
    .description(
      [
        'Train a 2.5D ModSegNet (default, the reference: 7 coronal slices) or a 3D U-Net on a labelled dataset with',
        'class-weighted cross-entropy + 5 × soft Dice + λ · NonAdjLoss. λ 0 trains a baseline; --lambda <number> fixes λ;',
        '--lambda auto runs the reference controller (a warm-up epoch, then λ adapted to the validation Dice) and keeps',
        'the model with the smallest validation NonAdjLoss among those within 0.005 Dice of the warm-up epoch.',
        '--semi <folder> adds 3 unlabelled slices per labelled one, which receive only the NonAdjLoss.',
        '',
        '<data> holds one folder per exam with prepro_im_mni_bc.nii.gz and prepro_seg_mni.nii.gz (--image-name, --label-name).',
        'The run folder (--out) gets checkpoint/ (written every epoch and on Ctrl-C), best/model.json (the selected model),',
        'log.jsonl (one line per epoch) and summary.json. Continue an interrupted run with: nonadj train --resume <run>',
      ].join('\n'),
    )
    .argument('[data]', 'labelled dataset folder: one sub-folder per exam')
    .option('--prior <file>', 'adjacency prior: graph.json or graph.png.csv (from nonadj extract)')
    .option('--out <dir>', 'run folder (created; must not hold a run unless --resume)')
    .option('--val <folder>', 'labelled validation dataset (default: a split of <data>, see --val-split)')
    .option('--val-split <n>', 'validation exams taken from <data>: a count, or a fraction in (0, 1); 0 = none', numberOption('a count ≥ 0 or a fraction', (n) => n >= 0), D.valSplit)
    .option('--semi <folder>', 'unlabelled images (exam folders or .nii.gz files) for semi-supervised batches')
    .option('--init <model.json>', 'start from this tfjs layers model (logits or softmax over the prior\'s classes; a fully convolutional 3D one, e.g. brainchop\'s, is rebuilt for --patch)')
    .addOption(new Option('--model <kind>', 'network for a new model').choices(['2.5d', '3d']).default(D.model))
    .option('--k <n>', '2.5D: stacked slices (odd)', numberOption('an odd positive integer', (n) => Number.isInteger(n) && n > 0 && n % 2 === 1), D.k)
    .option('--axis <n>', '2.5D slicing axis: 0 sagittal, 1 coronal, 2 axial', axisOption, D.axis)
    .option('--filters <list>', 'filters per level, e.g. 32,64,128,256 (2.5D default) or 8,16,32 (3D default)', positiveIntegerListOption)
    .option('--pad-to <HxW>', '2.5D input size (default: the first exam\'s slice, rounded up)', sizesOption(2, 'HxW, e.g. 224x192'))
    .option('--patch <DxHxW>', '3D patch size (default 32x32x32, or a 3D --init model\'s own input size)', sizesOption(3, 'DxHxW, e.g. 32x32x32'))
    .addOption(inputOrderOption(' for --init, zyx for a new 3D network; recorded with the trained model'))
    .option('--epochs <n>', 'epochs', positiveIntegerOption, D.epochs)
    .option('--steps <n>', 'optimisation steps per epoch', positiveIntegerOption, D.steps)
    .option('--batch-size <n>', 'labelled samples per step, b (the reference fine-tunes with 2)', positiveIntegerOption, D.batchSize)
    .option('--lambda <λ>', 'NonAdjLoss weight: a number ≥ 0, or auto', lambdaOption, D.lambda)
    .addOption(new Option('--optimizer <kind>', 'sgd (momentum, poly decay: the reference) or adam').choices(['sgd', 'adam']).default(D.optimizer))
    .option('--lr <x>', 'learning rate (default 1e-2 sgd, 1e-3 adam; the reference fine-tunes with 1e-3)', numberOption('a positive number', (n) => n > 0))
    .option('--momentum <x>', 'SGD momentum', numberOption('a number in [0, 1)', (n) => n >= 0 && n < 1), D.momentum)
    .option('--weight-decay <x>', 'L2 weight decay (default 1e-4 sgd, 0 adam)', numberOption('a number ≥ 0', (n) => n >= 0))
    .addOption(new Option('--schedule <kind>', 'learning-rate schedule (default poly for sgd, constant for adam)').choices(['poly', 'constant']))
    .option('--poly-power <x>', 'exponent of the poly schedule', numberOption('a positive number', (n) => n > 0), D.polyPower)
    .addOption(new Option('--class-weights <kind>', 'cross-entropy class weights').choices(['median-frequency', 'uniform']).default(D.classWeights))
    .option('--intensity <kind>', 'intensity scaling, stored with the model: zscore (each image; alias image), dataset (z-score with the training set\'s statistics), minmax, quantile (5 %–95 % to 0–1, as brainchop), quantile:<lower>,<upper>, none ' +
      '(default: zscore; with --init, the model\'s own: its nonadj metadata\'s, else quantile)', intensityOption('train'))
    .option('--augment <p>', '2.5D: probability of a 2D elastic deformation per sample; 0 = none', numberOption('a probability in [0, 1]', (n) => n >= 0 && n <= 1), D.augment)
    .option('--empty-slice-weight <w>', 'sampling weight of slices without foreground', numberOption('a number in [0, 1]', (n) => n >= 0 && n <= 1), D.emptySliceWeight)
    .option('--seed <n>', 'seed of initialisation, split and sampling', numberOption('an integer', Number.isInteger), D.seed)
    .option('--image-name <name>', 'image file name in each exam folder', D.imageName)
    .option('--label-name <name>', 'label-map file name in each exam folder', D.labelName)
    .addOption(new Option('--backend <name>', 'tfjs backend').choices(['wasm', 'cpu', 'tensorflow']))
    .addOption(engineOption())
    .option('--workers <n>', 'worker threads, each computing the gradient of a share of every batch (default: the number of cores; 1 = one thread; may be given with --resume)', positiveIntegerOption, D.workers)
    .option('--resume <run>', 'continue the interrupted run in this folder, with its original options')
    .option('-q, --quiet', 'no progress output')
    .action(action);
}

/** The training spec of a run's flags (commander has filled in the defaults). */
export function specFromFlags(data: string, flags: TrainFlags): ResolvedTrainingSpec {
  const { backend: _backend, engine: _engine, resume: _resume, quiet: _quiet, ...rest } = flags;
  if (!rest.prior) throw new Error('missing --prior <graph.json>');
  if (!rest.out) throw new Error('missing --out <run folder>');
  return withTrainingDefaults({ ...rest, data, prior: rest.prior, out: rest.out });
}

/**
 * The spec that `nonadj train <args>` would run, parsed by the real command-line program (nothing runs): how the
 * tests check that {@link trainingSpecArgs} writes exactly what the CLI reads.
 *
 * @throws Error with commander's message for arguments the CLI refuses.
 */
export async function parseTrainArgs(args: readonly string[]): Promise<ResolvedTrainingSpec> {
  let spec: ResolvedTrainingSpec | null = null;
  const command = makeTrainCommand(async (data, flags) => {
    if (!data) throw new Error('missing <data>');
    spec = specFromFlags(data, flags);
  });
  command.exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  await command.parseAsync([...args], { from: 'user' });
  if (spec === null) throw new Error('parseTrainArgs: the command did not run');
  return spec;
}

async function runTrain(dataArg: string | undefined, cliFlags: TrainFlags, command: Command): Promise<number> {
  let spec: ResolvedTrainingSpec;
  let backend = cliFlags.backend;
  if (cliFlags.resume) {
    const given = command.options
      .map((o) => o.attributeName())
      .filter((name) => command.getOptionValueSource(name) === 'cli' && !['resume', 'quiet', 'backend', 'workers', 'engine'].includes(name));
    if (dataArg !== undefined || given.length > 0) {
      throw new Error(`--resume takes the options of the original run (${path.join(cliFlags.resume, 'command.json')}); remove ${[dataArg, ...given.map((g) => `--${g}`)].filter(Boolean).join(', ')}`);
    }
    let saved: { spec?: TrainingSpec; backend?: EngineBackend; data?: string; flags?: TrainFlags };
    try {
      saved = JSON.parse(await readFile(path.join(cliFlags.resume, 'command.json'), 'utf8'));
    } catch (error) {
      throw new Error(`cannot resume ${cliFlags.resume}: ${path.join(cliFlags.resume, 'command.json')} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    // Run folders written before the spec existed store the parsed flags and the data folder.
    const stored = saved.spec ?? (saved.data && saved.flags ? specFromFlags(saved.data, saved.flags) : null);
    if (!stored) throw new Error(`cannot resume ${cliFlags.resume}: ${path.join(cliFlags.resume, 'command.json')} holds no training spec`);
    const workers = command.getOptionValueSource('workers') === 'cli' ? { workers: cliFlags.workers } : {};
    spec = withTrainingDefaults({ ...stored, out: cliFlags.resume, ...workers });
    backend ??= saved.backend ?? saved.flags?.backend;
  } else {
    if (!dataArg) throw new Error('missing <data>: nonadj train <data> --prior graph.json --out <run>');
    spec = specFromFlags(dataArg, cliFlags);
  }
  assertBackendInstalled(backend);
  if (backend === 'tensorflow' && spec.workers > 1) {
    // One thread: TensorFlow's native library already computes on every core, and tfjs-node's binding holds one
    // backend per process (a global in tfjs_binding.cc), so a second worker thread loading it is not safe.
    if (command.getOptionValueSource('workers') === 'cli') throw new Error(SINGLE_THREAD_TENSORFLOW.replace('{option}', '--workers'));
    spec = { ...spec, workers: 1 };
  }
  const { data, out } = spec;

  const prior = await AdjacencyPrior.read(spec.prior);
  const names = { imageName: spec.imageName, labelName: spec.labelName };
  const exams = await findTrainingExams(data, names);
  let train = exams;
  let validation = spec.val ? await findTrainingExams(spec.val, names) : [];
  if (!spec.val && spec.valSplit > 0) {
    try {
      ({ train, validation } = splitExams(exams, { validation: spec.valSplit, seed: spec.seed }));
    } catch (error) {
      throw new Error(`${(error as Error).message.replace(/^splitExams: /, '')} (${data}); give --val <folder>, or --val-split 0 to train without validation`);
    }
  }
  const unlabelled = spec.semi ? await findTrainingExams(spec.semi, { ...names, requireLabels: false }) : undefined;

  // TensorFlow.js and the training code load only when training runs, so other commands start fast.
  const [{ initEngine }, { findCheckpoint }, { trainSegmenter }] = await Promise.all([
    import('../engine/initEngine.js'),
    import('../train/checkpoint.js'),
    import('../train/trainSegmenter.js'),
  ]);
  const info = await initEngine({ backend });
  // Taken before command.json is written (trainSegmenter takes it again, re-entrantly), so a concurrent run in the
  // same folder cannot overwrite this run's command.
  const lock = await acquireRunLock(out, { purpose: 'nonadj train' });
  if (!cliFlags.resume) {
    if ((await findCheckpoint(path.join(out, 'checkpoint'))) !== null) {
      throw new Error(`${out} already holds a training run; continue it with --resume ${out}, or choose another --out`);
    }
    await mkdir(out, { recursive: true });
    await writeFileAtomic(path.join(out, 'command.json'), JSON.stringify({ spec, backend }, null, 2) + '\n');
  }

  const quiet = cliFlags.quiet === true;
  const say = (line: string) => quiet || process.stderr.write(`${line}\n`);
  say(
    `train: ${train.length} training, ${validation.length} validation${unlabelled ? `, ${unlabelled.length} unlabelled` : ''} exams; ` +
      `${prior.numLabels} labels; λ ${spec.lambda}; ${spec.optimizer}; backend ${info.backend}; ${spec.workers} worker${spec.workers === 1 ? '' : 's'}`,
  );
  const controller = new AbortController();
  const onSigint = () => {
    controller.abort();
    process.stderr.write('\ninterrupting: a checkpoint is written after this step (Ctrl-C again to quit at once)\n');
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', onSigint);
  let progress: Progress | null = null;
  let engineSaid = false;
  const options: TrainSegmenterOptions = {
    outDir: out,
    resume: cliFlags.resume !== undefined,
    prior,
    train,
    validation,
    unlabelled,
    init: spec.init,
    architecture: { kind: spec.model, filters: spec.filters, k: spec.k, axis: spec.axis, padTo: spec.padTo, patch: spec.patch, inputOrder: spec.inputOrder },
    epochs: spec.epochs,
    stepsPerEpoch: spec.steps,
    batchSize: spec.batchSize,
    lambda: spec.lambda,
    optimizer: { kind: spec.optimizer, learningRate: spec.lr, momentum: spec.momentum, weightDecay: spec.weightDecay, schedule: spec.schedule, polyPower: spec.polyPower },
    classWeights: spec.classWeights,
    intensity: spec.intensity === undefined ? undefined : parseIntensity(spec.intensity),
    augmentation: spec.augment > 0 ? { probability: spec.augment, alpha: 4, sigma: 8 } : null,
    emptySliceWeight: spec.emptySliceWeight,
    seed: spec.seed,
    workers: spec.workers,
    // Training's onnxruntime sessions get one thread per worker; validation's get --workers intra-op threads: the cores
    // this run may use (the demo's --jobs share them out).
    engine: cliFlags.engine ?? 'auto',
    onTrainingEngine: (e) => say(`train: training engine ${e.description}${e.workers > 1 ? `, ${e.workers} workers` : ''}`),
    onInferenceEngine: (e) => {
      if (engineSaid) return;
      engineSaid = true;
      say(`train: validation engine ${e.description}${e.kind === 'onnx' ? ` (export + session ${e.setupSeconds.toFixed(2)} s)` : ''}`);
    },
    signal: controller.signal,
    onWarning: (message) => say(`warning: ${message}`),
    onStep: (s) => {
      if (quiet || !process.stderr.isTTY) return;
      progress ??= makeProgress('train', s.totalSteps);
      progress.tick(`epoch ${s.epoch + 1}/${s.epochs} loss ${fmt(s.total)} λ ${fmt(s.lambda)}`);
    },
    onEpoch: (e) => say(epochLine(e, spec.epochs)),
  };
  let result: TrainSegmenterResult;
  try {
    result = await trainSegmenter(options);
  } finally {
    (progress as Progress | null)?.stop();
    process.removeListener('SIGINT', onSigint);
    await lock.release();
  }
  process.stdout.write(renderSummary(result, out));
  return result.status === 'interrupted' ? 130 : 0;
}

const fmt = (x: number) => (x === 0 ? '0' : Math.abs(x) >= 1e4 || Math.abs(x) < 1e-3 ? x.toExponential(2) : x.toPrecision(4));

function epochLine(e: EpochRecord, epochs: number): string {
  const v = e.validation;
  return (
    `epoch ${e.epoch + 1}/${epochs}: loss ${fmt(e.train.total)} (CE ${fmt(e.train.crossEntropy)}, Dice ${fmt(e.train.dice)}, NonAdj ${fmt(e.train.nonAdjacency)}) λ ${fmt(e.lambda)}` +
    (v ? ` | val Dice ${v.meanDice.toFixed(4)}, forbidden pairs ${fmt(v.forbiddenPairs)}, contacts ${fmt(v.forbiddenContacts)}, NonAdj ${fmt(v.nonAdjacency)}` : '') +
    `${e.best ? ' *' : ''} (${e.seconds.toFixed(1)} s)${e.events.length ? ` [${e.events.join('; ')}]` : ''}`
  );
}

function renderSummary(r: TrainSegmenterResult, out: string): string {
  const best = r.history.find((h) => h.epoch === r.bestEpoch);
  const v = best?.validation;
  const lines = [
    `run:      ${out}`,
    `status:   ${r.status}, ${r.epochs} epoch${r.epochs === 1 ? '' : 's'}, ${r.globalStep} steps`,
    best
      ? `best:     epoch ${best.epoch + 1} (${r.selectionRule})${v ? `: val Dice ${v.meanDice.toFixed(4)}, forbidden pairs ${fmt(v.forbiddenPairs)}, contacts ${fmt(v.forbiddenContacts)}` : ''}`
      : 'best:     none yet',
    `model:    ${path.join(r.bestDir, 'model.json')}`,
    `log:      ${r.files.log}`,
    `time:     ${r.history.reduce((a, h) => a + h.seconds, 0).toFixed(1)} s`,
  ];
  if (r.status === 'interrupted') lines.push(`resume:   nonadj train --resume ${out}`);
  return lines.join('\n') + '\n';
}
