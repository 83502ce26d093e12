import os from 'node:os';
import { Command, Option } from 'commander';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { EngineBackend } from '../engine/initEngine.js';
import { assertBackendInstalled } from './assertBackendInstalled.js';
import { ADAPT_DEFAULTS, type AdaptCheck } from '../train/adaptModel.js';
import { GUARD_MIN_DICE } from '../train/checkAgainstOriginal.js';
import type { SliceAxisIndex } from '../volume/sliceAxis.js';
import type { Volume } from '../volume/Volume.js';
import type { StandardiseOptions } from '../data/standardise.js';
import { readNiftiFile, writeNiftiFile } from '../volume/niftiFile.js';
import { restrictPrior } from '../prior/restrictPrior.js';
import { writeFileAtomic } from '../io/writeFileAtomic.js';
import { listImages } from './listImages.js';
import { loadPrior } from './loadPrior.js';
import { axisOption, engineOption, inputOrderOption, intensityOption, numberOption, positiveIntegerOption } from './options.js';
import type { EngineChoice } from '../infer/makeInferenceEngine.js';
import { intensityMetadata } from '../model/intensityMetadata.js';
import { modelIntensity } from '../model/modelIntensity.js';
import { makeProgress } from './progress.js';
import { engineUsed, summariseEngines } from './engineUsed.js';

interface AdaptFlags {
  prior?: string;
  out?: string;
  steps: number;
  batchSize: number;
  lambda: number;
  lr: number;
  seed: number;
  axis?: SliceAxisIndex;
  patch?: number;
  layers: 'all' | 'last';
  pairs: 'all' | 'made';
  /** `--intensity`, parsed (`intensityOption('adapt')`). */
  intensity?: StandardiseOptions;
  inputOrder?: 'zyx' | 'xyz';
  crop?: number | false;
  tensorMemory?: number;
  timeLimit?: number;
  checkEvery?: number;
  checkDice: number;
  saveChecks?: boolean;
  scansInMemory: number;
  backend?: EngineBackend;
  engine: EngineChoice;
  quiet?: boolean;
}

const D = ADAPT_DEFAULTS;

/**
 * `nonadj adapt <model> <scan | folder>… --prior graph.json --out <folder>`: test-time adaptation (issue 13) —
 * fine-tune the model on the unlabelled scans with NonAdjLoss + fidelity to its own original predictions
 * (`adaptModel`), then segment them with the adapted model.
 */
export function makeAdaptCommand(): Command {
  return new Command('adapt')
    .summary('fine-tune a model on unlabelled scans with NonAdjLoss (test-time adaptation), then segment them')
    .description(
      [
        'Adapt a trained model to new scans without labels: fine-tune it on the scans themselves with NonAdjLoss (fewer',
        'forbidden contacts) plus a fidelity term, the KL divergence from the original model\'s own predictions, which keeps',
        'the adapted model where the original was sure (so "one label everywhere" is never the answer). Then segment every',
        'scan with the adapted model. Writes <out>/segmentations/<scan> (a folder input keeps its sub-folders),',
        '<out>/model/ (the adapted model, tfjs layers format, loadable by nonadj segment) and <out>/adapt.json (settings',
        'and the loss of every step). The defaults were chosen on the demo\'s unseen-scanner validation subjects (README).',
      ].join('\n'),
    )
    .argument('<model>', 'model.json, or the folder holding it (from nonadj train, or a tfjs layers model over the prior\'s classes)')
    .argument('<scans...>', 'images (.nii / .nii.gz) or folders of images')
    .option('--prior <file>', 'adjacency prior: graph.json or graph.png.csv (from nonadj extract)')
    .option('--out <dir>', 'output folder (created)')
    .option('--steps <n>', 'optimisation steps', numberOption('an integer ≥ 0', (n) => Number.isInteger(n) && n >= 0), D.steps)
    .option('--batch-size <n>', 'slices (2.5D) or patches (3D) per step', positiveIntegerOption, D.batchSize)
    .option('--lambda <λ>', 'NonAdjLoss weight, the fidelity term\'s being 1', numberOption('a number ≥ 0', (n) => n >= 0), D.lambda)
    .option('--lr <x>', 'Adam learning rate', numberOption('a positive number', (n) => n > 0), D.learningRate)
    .option('--seed <n>', 'seed of the scan order and the slices drawn', numberOption('an integer', Number.isInteger), D.seed)
    .option('--axis <n>', '2.5D slicing axis, for a model without nonadj metadata', axisOption)
    .addOption(
      new Option(
        '--layers <which>',
        'all: fine-tune every layer on patches (--patch, --batch-size, --seed); last: only the last layer (a pointwise Conv3D, as brainchop\'s ' +
          'MeshNet), on the features the other layers compute once on the whole scans, each step a full pass over them in --patch³ tiles ' +
          '(default 64): deterministic, and a --check-every check costs no segmentation',
      ).choices(['all', 'last']).default('all'),
    )
    .addOption(
      new Option(
        '--pairs <which>',
        'all: NonAdjLoss over every pair the prior forbids; made: only over the forbidden pairs the original model\'s segmentations of the scans ' +
          'make (one extra segmentation per scan first), λ scaled by their share of the forbidden pairs so that each keeps its weight, and the ' +
          'guard counting those pairs (<out>/prior-made.json)',
      ).choices(['all', 'made']).default('all'),
    )
    .option('--patch <n>', '3D: adapt on n³ patches, the network rebuilt for them (a fully convolutional one such as brainchop\'s MeshNet, declared 256³)', positiveIntegerOption)
    .option(
      '--intensity <kind>',
      'intensity scaling, overriding the model\'s: zscore, minmax, quantile (5 %–95 % → 0–1), quantile:<lower>,<upper>, none ' +
        '(default: the model\'s metadata, else quantile), as segment',
      intensityOption('adapt'),
    )
    .addOption(
      inputOrderOption(', as segment'),
    )
    .option('--crop <voxels>', '3D: patches drawn in, and the segmentation made on, the head\'s bounding box grown by this margin (default: the margin the model records, else 8 for models without nonadj metadata), as segment', numberOption('an integer ≥ 0', (n) => Number.isInteger(n) && n >= 0))
    .option('--no-crop', '3D: patches and segmentation over the whole grid')
    .option('--tensor-memory <MiB>', '3D layer-by-layer segmentation: tensor memory one slab may use (default 1024), as segment', positiveIntegerOption)
    .option('--time-limit <s>', 'stop adapting after the step running at this many seconds, then segment with the weights reached (adapt.json records the steps done)', numberOption('a number ≥ 0', (n) => n >= 0))
    .option(
      '--check-every <n>',
      'guard: segment the whole scans with the adapted weights before the first step and every n steps, compare with the original\'s ' +
        'segmentations (per-label Dice, forbidden contacts), keep the weights of the passing check with the fewest forbidden contacts, ' +
        'and stop at the first check where a label falls below --check-dice (each check costs one segmentation per scan)',
      positiveIntegerOption,
    )
    .option('--check-dice <d>', 'guard: the lowest Dice to the original\'s segmentation any label it segments may keep', numberOption('a number in [0, 1]', (n) => n >= 0 && n <= 1), GUARD_MIN_DICE)
    .option('--save-checks', 'guard: also write each check\'s segmentations, <out>/checks/step-<n>/<scan> (step 0: the original\'s), to see what every step changed')
    .option('--scans-in-memory <n>', 'scans held decoded at once', positiveIntegerOption, D.scansInMemory)
    .addOption(new Option('--backend <name>', 'tfjs backend').choices(['wasm', 'cpu', 'tensorflow']))
    .addOption(engineOption())
    .option('-q, --quiet', 'no progress output')
    .action(async (modelPath: string, inputs: string[], flags: AdaptFlags) => {
      await runAdapt(modelPath, inputs, flags);
    });
}

async function runAdapt(modelPath: string, inputs: string[], flags: AdaptFlags): Promise<void> {
  if (!flags.prior) throw new Error('--prior <graph.json> is required (the adjacency prior the model segments with)');
  if (!flags.out) throw new Error('--out <folder> is required');
  if (flags.saveChecks && flags.checkEvery === undefined) throw new Error('--save-checks writes the guard\'s checks: give --check-every <n> too');
  assertBackendInstalled(flags.backend);
  const out = flags.out;
  const scans = await listScans(inputs, flags.quiet);
  const { prior } = await loadPrior(flags.prior);
  // TensorFlow.js loads only here, so bad arguments are refused fast.
  const [{ initEngine }, { loadModel, saveModel }, { segmentVolume }, { adaptModel }, { adaptLastLayer }, { checkSegmentation }, { makeInferenceEngine }] = await Promise.all([
    import('../engine/initEngine.js'),
    import('../model/modelFiles.js'),
    import('../infer/segmentVolume.js'),
    import('../train/adaptModel.js'),
    import('../train/adaptLastLayer.js'),
    import('../metric/checkSegmentation.js'),
    import('../infer/makeInferenceEngine.js'),
  ]);
  const { backend } = await initEngine({ backend: flags.backend });
  const { model, metadata } = await loadModel(modelPath);
  const intensity = modelIntensity(metadata?.intensity, { explicit: flags.intensity, modelName: modelPath });
  if (intensity.source === 'foreign' && !flags.quiet) process.stderr.write(`warning: ${intensity.message}\n`);
  const started = performance.now();
  const rows: Array<{ scan: string; output: string; engine: string; forbiddenPairs: number; forbiddenContacts: number }> = [];
  try {
    const adaptProgress = makeProgress('adapt', flags.steps, { enabled: !flags.quiet });
    // --time-limit: checked after every step (a timer could fire before or after the first one), so 0 means none.
    const stop = new AbortController();
    if (flags.timeLimit === 0) stop.abort();
    const adaptStart = performance.now();
    let trainingEngine: { student: string; original: string } | null = null;
    // The segmentations of --pairs made and of the guard's checks take the same path as the final one below (and
    // `segment`).
    const segmentOptions = (m: typeof metadata) => ({
      metadata: m,
      classes: metadata?.classes ?? [...prior.labels],
      axis: flags.axis,
      batchSize: flags.batchSize,
      intensity: intensity.intensity,
      inputOrder: flags.inputOrder,
      crop: flags.crop,
      memoryBudgetBytes: flags.tensorMemory === undefined ? undefined : flags.tensorMemory * 2 ** 20,
    });
    /** Every scan segmented by `current` (its weights of the moment, exported anew to the engine). */
    const segmentScans = async (current: typeof model): Promise<Volume[]> => {
      const engine = await makeInferenceEngine(current, { engine: flags.engine });
      try {
        const labels = [];
        for (const scan of scans) {
          const image = await readNiftiFile(scan.file, { expect: '3d' });
          labels.push((await segmentVolume(current, image, { ...segmentOptions(metadata), forward: engine.forward })).labels);
        }
        return labels;
      } finally {
        await engine.dispose();
      }
    };
    // --pairs made: the loss and the guard see only the forbidden pairs the original's segmentations make; each keeps
    // the weight per pair it has under the full prior (NonAdjLoss is divided by the forbidden pairs, METHOD.md §3).
    let lossPrior = prior;
    let lambda = flags.lambda;
    let pairs: { mode: 'made'; file: string; forbiddenOrderedPairs: number; of: number; lambdaGiven: number } | undefined;
    if (flags.pairs === 'made') {
      const made = new Map<string, readonly [number, number]>();
      for (const labels of await segmentScans(model)) {
        for (const p of checkSegmentation(labels, prior).pairs) made.set(p.labels.join(), p.labels);
      }
      lossPrior = restrictPrior(prior, made.values());
      if (lossPrior.forbiddenOrderedPairs === 0) {
        throw new Error(`--pairs made: the original model's segmentations of the ${scans.length === 1 ? 'scan' : `${scans.length} scans`} make no contact that ${flags.prior} forbids: nothing to adapt`);
      }
      lambda = (flags.lambda * lossPrior.forbiddenOrderedPairs) / prior.forbiddenOrderedPairs;
      await mkdir(out, { recursive: true });
      const file = path.join(out, 'prior-made.json');
      await writeFileAtomic(file, JSON.stringify(lossPrior.toJson()) + '\n');
      pairs = { mode: 'made', file, forbiddenOrderedPairs: lossPrior.forbiddenOrderedPairs, of: prior.forbiddenOrderedPairs, lambdaGiven: flags.lambda };
      if (!flags.quiet) {
        process.stderr.write(`adapt: --pairs made: the original makes ${lossPrior.forbiddenUnorderedPairs} of the ${prior.forbiddenUnorderedPairs} forbidden pairs; λ ${flags.lambda} → ${Number(lambda.toPrecision(6))} (the same weight per pair)\n`);
      }
    }
    const guard = flags.checkEvery === undefined ? undefined : {
      every: flags.checkEvery,
      minDice: flags.checkDice,
      segment: segmentScans,
      onCheck: async (c: AdaptCheck, segmentations: readonly Volume[]) => {
        if (flags.saveChecks) {
          for (const [i, labels] of segmentations.entries()) {
            const target = path.join(out, 'checks', `step-${c.step}`, scans[i].rel);
            await mkdir(path.dirname(target), { recursive: true });
            await writeNiftiFile(target, labels, { kind: 'labels', description: `nonadj adapt check, step ${c.step}` });
          }
        }
        if (flags.quiet) return;
        const worst = c.worst === null ? 'the reference' : `worst label ${prior.nameOf(prior.indexOfLabel(c.worst.label))} Dice ${c.worst.dice.toFixed(3)} to the original${scans.length > 1 ? ` (${scans[c.worst.scan].rel})` : ''}`;
        process.stderr.write(`adapt: check at step ${c.step}: ${c.forbiddenContacts} forbidden contacts (${c.forbiddenPairs} pairs), ${worst}: ${c.passed ? 'passed' : `failed (< ${flags.checkDice}), stopping`} (${c.seconds.toFixed(0)} s)\n`);
      },
    };
    const onStep = (s: { fidelity: number; nonAdjacency: number }) => {
      adaptProgress.tick(`fidelity ${s.fidelity.toExponential(2)}, λ·NonAdjLoss ${s.nonAdjacency.toExponential(2)}`);
      if (flags.timeLimit !== undefined && performance.now() - adaptStart >= flags.timeLimit * 1000) stop.abort();
    };
    const result = flags.layers === 'last' ? await adaptLastLayer(model, {
      prior: lossPrior,
      scans: scans.map((s) => s.file),
      metadata,
      axis: flags.axis,
      inputOrder: flags.inputOrder,
      crop: flags.crop,
      tile: flags.patch,
      steps: flags.steps,
      lambda,
      learningRate: flags.lr,
      intensity: intensity.intensity,
      engine: flags.engine,
      threads: os.availableParallelism(),
      memoryBudgetBytes: flags.tensorMemory === undefined ? undefined : flags.tensorMemory * 2 ** 20,
      onFeatures: (f) => {
        if (!flags.quiet) process.stderr.write(`adapt: features of ${f.scan} (${f.channels} channels on ${f.dims.join('×')}) in ${f.seconds.toFixed(0)} s, ${f.engine}\n`);
        trainingEngine = { student: 'tfjs (the last layer, on the stored features)', original: f.engine };
      },
      signal: stop.signal,
      guard: guard && { every: guard.every, minDice: guard.minDice, onCheck: guard.onCheck },
      onStep,
    }) : await adaptModel(model, {
      prior: lossPrior,
      scans: scans.map((s) => s.file),
      metadata,
      axis: flags.axis,
      inputOrder: flags.inputOrder,
      patch: flags.patch === undefined ? undefined : [flags.patch, flags.patch, flags.patch],
      crop: flags.crop,
      steps: flags.steps,
      batchSize: flags.batchSize,
      lambda,
      learningRate: flags.lr,
      seed: flags.seed,
      intensity: intensity.intensity,
      scansInMemory: flags.scansInMemory,
      // The steps' passes and the original's predictions: onnxruntime when installed (as the final segmentation), on
      // every core, since adapt runs one step at a time.
      engine: flags.engine,
      threads: os.availableParallelism(),
      onEngine: (e) => {
        if (!flags.quiet) process.stderr.write(`adapt: training engine ${e.student}; original's predictions ${e.original}\n`);
        trainingEngine = e;
      },
      signal: stop.signal,
      guard,
      onStep,
    });
    adaptProgress.stop();
    if (result.guard !== undefined && !flags.quiet) {
      const g = result.guard;
      process.stderr.write(`adapt: keeping the weights of step ${g.bestStep} (${g.checks.find((c) => c.step === g.bestStep)?.forbiddenContacts} forbidden contacts)\n`);
    }

    const inputShape = model.inputs[0].shape.slice(1) as number[];
    const kind = metadata?.kind ?? (inputShape.length === 3 ? '2.5d' : '3d');
    const adaptedMetadata = {
      kind,
      classes: metadata?.classes ?? [...prior.labels],
      inputShape,
      ...metadata,
      ...(kind === '2.5d' ? { axis: flags.axis ?? metadata?.axis, k: metadata?.k ?? inputShape[2] } : {}),
      // What the adaptation fed the model, so that segment (below, and later) scales the same way.
      intensity: intensityMetadata(intensity.intensity),
      prior: { numLabels: prior.numLabels, forbiddenOrderedPairs: prior.forbiddenOrderedPairs, connectivity: prior.connectivity, radius: prior.radius, file: flags.prior },
      extra: { ...metadata?.extra, adaptation: { from: modelPath, ...result.settings } },
    };
    await mkdir(out, { recursive: true });
    // A model from another tool (brainchop's) goes back as it came, without nonadj's metadata and with its declared
    // input shape, so that brainchop loads it and `nonadj segment` gives it the same conventions as the original
    // (intensity, input order, crop); the adaptation is recorded in adapt.json.
    await saveModel(model, path.join(out, 'model'), metadata ? adaptedMetadata : undefined);

    // The adapted weights are exported here, after the fine-tuning (which runs on tfjs).
    const engine = await makeInferenceEngine(model, { engine: flags.engine });
    if (!flags.quiet) process.stderr.write(`adapt: engine ${engine.description}\n`);
    const segmentProgress = makeProgress('segment', scans.length, { enabled: !flags.quiet });
    for (const scan of scans) {
      const image = await readNiftiFile(scan.file, { expect: '3d' });
      const { labels, run } = await segmentVolume(model, image, { ...segmentOptions(metadata ? adaptedMetadata : null), forward: engine.forward });
      const target = path.join(out, 'segmentations', scan.rel);
      await mkdir(path.dirname(target), { recursive: true });
      await writeNiftiFile(target, labels, { kind: 'labels', description: 'nonadj adapt segmentation', preferDatatype: image.header.datatype });
      const check = checkSegmentation(labels, prior);
      // The engine line above names the one set up; a scan that tfjs ran instead says so, and adapt.json records it.
      const used = engineUsed(run, engine, backend, scan.rel);
      if (used.note && !flags.quiet) process.stderr.write(`adapt: ${used.note}\n`);
      rows.push({ scan: scan.file, output: target, engine: used.engine, forbiddenPairs: check.forbiddenPairs, forbiddenContacts: check.forbiddenContacts });
      segmentProgress.tick(scan.rel);
    }
    segmentProgress.stop();
    await engine.dispose();
    const last = result.history.slice(-10);
    const meanOf = (k: 'fidelity' | 'nonAdjacency') => (last.length ? last.reduce((a, h) => a + h[k], 0) / last.length : NaN);
    await writeFileAtomic(
      path.join(out, 'adapt.json'),
      JSON.stringify({ format: 'nonadj-adapt', version: 1, model: modelPath, prior: flags.prior, ...(pairs ? { pairs } : {}), settings: result.settings, trainingEngine, stepsDone: result.steps, seconds: result.seconds, ...(result.guard ? { guard: result.guard } : {}), scans: rows, history: result.history }, null, 1) + '\n',
    );
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(
      [
        `model:     ${modelPath} → ${path.join(out, 'model', 'model.json')}`,
        `scans:     ${scans.length}`,
        `adapted:   ${result.steps} steps${result.steps < flags.steps ? ` (of ${flags.steps}: ${result.guard?.stoppedAtStep === result.steps ? `a check failed --check-dice ${flags.checkDice}` : `--time-limit ${flags.timeLimit} s reached`})` : ''} ${flags.layers === 'last' ? 'of the last layer (full passes)' : `of ${flags.batchSize}`}, λ ${Number(lambda.toPrecision(6))}${pairs ? ' (--pairs made)' : ''}, lr ${flags.lr} (last ${last.length} steps: fidelity ${meanOf('fidelity').toExponential(2)}, λ·NonAdjLoss ${meanOf('nonAdjacency').toExponential(2)})${result.guard ? `; the weights of step ${result.guard.bestStep} kept (guard)` : ''}`,
        `forbidden: ${rows.map((r) => r.forbiddenContacts).reduce((a, b) => a + b, 0)} contacts in ${rows.filter((r) => r.forbiddenContacts > 0).length} of ${rows.length} segmentations`,
        `written:   ${rows.length === 1 ? rows[0].output : `${rows.length} segmentations in ${path.join(out, 'segmentations')}`}`,
        `engine:    ${summariseEngines(rows.map((r) => r.engine))}`,
        `time:      ${seconds.toFixed(2)} s`,
        '',
      ].join('\n'),
    );
  } finally {
    model.dispose();
  }
}

/**
 * The scans of the inputs (`listImages`: a folder's label maps are left out), each with its output name: a file's
 * base name, or its path below the folder given.
 */
async function listScans(inputs: readonly string[], quiet?: boolean): Promise<Array<{ file: string; rel: string }>> {
  const scans: Array<{ file: string; rel: string }> = [];
  for (const { file, input } of await listImages(inputs, { tool: 'adapt', quiet })) {
    scans.push({ file, rel: file === input ? path.basename(file) : path.relative(input, file) });
  }
  const seen = new Map<string, string>();
  for (const s of scans) {
    const other = seen.get(s.rel);
    if (other !== undefined) throw new Error(`${other} and ${s.file} would both be written as segmentations/${s.rel}; give them from one folder, or rename one`);
    seen.set(s.rel, s.file);
  }
  return scans;
}
