import { Command, InvalidArgumentError, Option } from 'commander';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { EngineBackend } from '../engine/initEngine.js';
import { acquireRunLock } from '../io/acquireRunLock.js';
import { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import { DEFAULT_IMAGE_NAME, DEFAULT_LABEL_NAME, findTrainingExams } from '../train/data/findTrainingExams.js';
import { splitExams } from '../train/data/splitExams.js';
import type { EpochRecord, TrainSegmenterOptions, TrainSegmenterResult } from '../train/trainSegmenter.js';
import { writeFileAtomic } from '../volume/writeFileAtomic.js';
import { positiveIntegerOption } from './extract.js';
import { makeProgress, type Progress } from './progress.js';

/** Parsed flags of `nonadj train` (also what `<out>/command.json` stores for `--resume`). */
export interface TrainFlags {
  prior?: string;
  out?: string;
  val?: string;
  valSplit: number;
  semi?: string;
  init?: string;
  model: '2.5d' | '3d';
  k: number;
  axis: 0 | 1 | 2;
  filters?: number[];
  padTo?: [number, number];
  patch?: [number, number, number];
  epochs: number;
  steps: number;
  batchSize: number;
  lambda: number | 'auto';
  optimizer: 'sgd' | 'adam';
  lr?: number;
  momentum: number;
  weightDecay?: number;
  schedule?: 'poly' | 'constant';
  polyPower: number;
  classWeights: 'median-frequency' | 'uniform';
  intensity: 'image' | 'dataset';
  augment: number;
  emptySliceWeight: number;
  seed: number;
  imageName: string;
  labelName: string;
  backend?: EngineBackend;
  resume?: string;
  quiet?: boolean;
}

const number = (what: string, ok: (n: number) => boolean) => (value: string): number => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !ok(n)) throw new InvalidArgumentError(`expected ${what}`);
  return n;
};
const sizes = (count: number, what: string) => (value: string): number[] => {
  const parts = value.split(/[x×,]/).map(Number);
  if (parts.length !== count || !parts.every((n) => Number.isInteger(n) && n > 0)) throw new InvalidArgumentError(`expected ${what}`);
  return parts;
};

/** Parse `--lambda`: a number ≥ 0 or `auto`. */
export function lambdaOption(value: string): number | 'auto' {
  if (value === 'auto') return 'auto';
  return number('a number ≥ 0 or "auto"', (n) => n >= 0)(value);
}

/** `nonadj train <data> --prior graph.json --out run`: train or fine-tune a segmenter with NonAdjLoss. */
export function makeTrainCommand(): Command {
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
    .option('--val-split <n>', 'validation exams taken from <data>: a count, or a fraction in (0, 1); 0 = none', number('a count ≥ 0 or a fraction', (n) => n >= 0), 0.2)
    .option('--semi <folder>', 'unlabelled images (exam folders or .nii.gz files) for semi-supervised batches')
    .option('--init <model.json>', 'start from this tfjs layers model (softmax over the prior\'s classes)')
    .addOption(new Option('--model <kind>', 'network for a new model').choices(['2.5d', '3d']).default('2.5d'))
    .option('--k <n>', '2.5D: stacked slices (odd)', number('an odd positive integer', (n) => Number.isInteger(n) && n > 0 && n % 2 === 1), 7)
    .option('--axis <n>', '2.5D slicing axis: 0 sagittal, 1 coronal, 2 axial', number('0, 1 or 2', (n) => n === 0 || n === 1 || n === 2), 1)
    .option('--filters <list>', 'filters per level, e.g. 32,64,128,256 (2.5D default) or 8,16,32 (3D default)', (v) => {
      const parts = v.split(',').map(Number);
      if (!parts.every((n) => Number.isInteger(n) && n > 0)) throw new InvalidArgumentError('expected positive integers separated by commas');
      return parts;
    })
    .option('--pad-to <HxW>', '2.5D input size (default: the first exam\'s slice, rounded up)', sizes(2, 'HxW, e.g. 224x192'))
    .option('--patch <DxHxW>', '3D patch size (default 32x32x32)', sizes(3, 'DxHxW, e.g. 32x32x32'))
    .option('--epochs <n>', 'epochs', positiveIntegerOption, 50)
    .option('--steps <n>', 'optimisation steps per epoch', positiveIntegerOption, 100)
    .option('--batch-size <n>', 'labelled samples per step, b (the reference fine-tunes with 2)', positiveIntegerOption, 4)
    .option('--lambda <λ>', 'NonAdjLoss weight: a number ≥ 0, or auto', lambdaOption, 0)
    .addOption(new Option('--optimizer <kind>', 'sgd (momentum, poly decay: the reference) or adam').choices(['sgd', 'adam']).default('sgd'))
    .option('--lr <x>', 'learning rate (default 1e-2 sgd, 1e-3 adam; the reference fine-tunes with 1e-3)', number('a positive number', (n) => n > 0))
    .option('--momentum <x>', 'SGD momentum', number('a number in [0, 1)', (n) => n >= 0 && n < 1), 0.9)
    .option('--weight-decay <x>', 'L2 weight decay (default 1e-4 sgd, 0 adam)', number('a number ≥ 0', (n) => n >= 0))
    .addOption(new Option('--schedule <kind>', 'learning-rate schedule (default poly for sgd, constant for adam)').choices(['poly', 'constant']))
    .option('--poly-power <x>', 'exponent of the poly schedule', number('a positive number', (n) => n > 0), 0.9)
    .addOption(new Option('--class-weights <kind>', 'cross-entropy class weights').choices(['median-frequency', 'uniform']).default('median-frequency'))
    .addOption(new Option('--intensity <kind>', 'z-score each image (image) or with the training set\'s statistics (dataset)').choices(['image', 'dataset']).default('image'))
    .option('--augment <p>', '2.5D: probability of a 2D elastic deformation per sample; 0 = none', number('a probability in [0, 1]', (n) => n >= 0 && n <= 1), 0.6)
    .option('--empty-slice-weight <w>', 'sampling weight of slices without foreground', number('a number in [0, 1]', (n) => n >= 0 && n <= 1), 1)
    .option('--seed <n>', 'seed of initialisation, split and sampling', number('an integer', Number.isInteger), 1)
    .option('--image-name <name>', 'image file name in each exam folder', DEFAULT_IMAGE_NAME)
    .option('--label-name <name>', 'label-map file name in each exam folder', DEFAULT_LABEL_NAME)
    .addOption(new Option('--backend <name>', 'tfjs backend').choices(['wasm', 'cpu', 'tensorflow']))
    .option('--resume <run>', 'continue the interrupted run in this folder, with its original options')
    .option('-q, --quiet', 'no progress output')
    .action(async (data: string | undefined, flags: TrainFlags, command: Command) => {
      process.exitCode = await runTrain(data, flags, command);
    });
}

async function runTrain(dataArg: string | undefined, cliFlags: TrainFlags, command: Command): Promise<number> {
  let data = dataArg;
  let flags = cliFlags;
  if (cliFlags.resume) {
    const given = command.options
      .map((o) => o.attributeName())
      .filter((name) => command.getOptionValueSource(name) === 'cli' && !['resume', 'quiet', 'backend'].includes(name));
    if (dataArg !== undefined || given.length > 0) {
      throw new Error(`--resume takes the options of the original run (${path.join(cliFlags.resume, 'command.json')}); remove ${[dataArg, ...given.map((g) => `--${g}`)].filter(Boolean).join(', ')}`);
    }
    let saved: { data: string; flags: TrainFlags };
    try {
      saved = JSON.parse(await readFile(path.join(cliFlags.resume, 'command.json'), 'utf8'));
    } catch (error) {
      throw new Error(`cannot resume ${cliFlags.resume}: ${path.join(cliFlags.resume, 'command.json')} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    data = saved.data;
    flags = { ...saved.flags, resume: cliFlags.resume, quiet: cliFlags.quiet, backend: cliFlags.backend ?? saved.flags.backend, out: cliFlags.resume };
  }
  if (!data) throw new Error('missing <data>: nonadj train <data> --prior graph.json --out <run>');
  if (!flags.prior) throw new Error('missing --prior <graph.json>');
  if (!flags.out) throw new Error('missing --out <run folder>');
  const out = flags.out;

  const prior = await AdjacencyPrior.read(flags.prior);
  const names = { imageName: flags.imageName, labelName: flags.labelName };
  const exams = await findTrainingExams(data, names);
  let train = exams;
  let validation = flags.val ? await findTrainingExams(flags.val, names) : [];
  if (!flags.val && flags.valSplit > 0) {
    try {
      ({ train, validation } = splitExams(exams, { validation: flags.valSplit, seed: flags.seed }));
    } catch (error) {
      throw new Error(`${(error as Error).message.replace(/^splitExams: /, '')} (${data}); give --val <folder>, or --val-split 0 to train without validation`);
    }
  }
  const unlabelled = flags.semi ? await findTrainingExams(flags.semi, { ...names, requireLabels: false }) : undefined;

  // TensorFlow.js and the training code load only when training runs, so other commands start fast.
  const [{ initEngine }, { findCheckpoint }, { trainSegmenter }] = await Promise.all([
    import('../engine/initEngine.js'),
    import('../train/checkpoint.js'),
    import('../train/trainSegmenter.js'),
  ]);
  const info = await initEngine({ backend: flags.backend });
  // Taken before command.json is written (trainSegmenter takes it again, re-entrantly), so a concurrent run in the
  // same folder cannot overwrite this run's command.
  const lock = await acquireRunLock(out, { purpose: 'nonadj train' });
  if (!flags.resume) {
    if ((await findCheckpoint(path.join(out, 'checkpoint'))) !== null) {
      throw new Error(`${out} already holds a training run; continue it with --resume ${out}, or choose another --out`);
    }
    await mkdir(out, { recursive: true });
    await writeFileAtomic(path.join(out, 'command.json'), JSON.stringify({ data, flags: { ...flags, quiet: undefined } }, null, 2) + '\n');
  }

  const quiet = flags.quiet === true;
  const say = (line: string) => quiet || process.stderr.write(`${line}\n`);
  say(
    `train: ${train.length} training, ${validation.length} validation${unlabelled ? `, ${unlabelled.length} unlabelled` : ''} exams; ` +
      `${prior.numLabels} labels; λ ${flags.lambda}; ${flags.optimizer}; backend ${info.backend}`,
  );
  const controller = new AbortController();
  const onSigint = () => {
    controller.abort();
    process.stderr.write('\ninterrupting: a checkpoint is written after this step (Ctrl-C again to quit at once)\n');
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', onSigint);
  let progress: Progress | null = null;
  const options: TrainSegmenterOptions = {
    outDir: out,
    resume: flags.resume !== undefined,
    prior,
    train,
    validation,
    unlabelled,
    init: flags.init,
    architecture: { kind: flags.model, filters: flags.filters, k: flags.k, axis: flags.axis, padTo: flags.padTo, patch: flags.patch },
    epochs: flags.epochs,
    stepsPerEpoch: flags.steps,
    batchSize: flags.batchSize,
    lambda: flags.lambda,
    optimizer: { kind: flags.optimizer, learningRate: flags.lr, momentum: flags.momentum, weightDecay: flags.weightDecay, schedule: flags.schedule, polyPower: flags.polyPower },
    classWeights: flags.classWeights,
    intensity: flags.intensity,
    augmentation: flags.augment > 0 ? { probability: flags.augment, alpha: 4, sigma: 8 } : null,
    emptySliceWeight: flags.emptySliceWeight,
    seed: flags.seed,
    signal: controller.signal,
    onWarning: (message) => say(`warning: ${message}`),
    onStep: (s) => {
      if (quiet || !process.stderr.isTTY) return;
      progress ??= makeProgress('train', s.totalSteps);
      progress.tick(`epoch ${s.epoch + 1}/${s.epochs} loss ${fmt(s.total)} λ ${fmt(s.lambda)}`);
    },
    onEpoch: (e) => say(epochLine(e, flags.epochs)),
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
