import { Command, Option } from 'commander';
import { mkdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { EngineBackend } from '../engine/initEngine.js';
import type { SliceAxisIndex } from '../volume/sliceAxis.js';
import { readNiftiFile, writeNiftiFile } from '../volume/niftiFile.js';
import { isNiftiName } from '../volume/listNiftiFiles.js';
import { listImages } from './listImages.js';
import { VOLUME_EXTENSIONS_TEXT } from '../volume/volumeExtension.js';
import { axisOption, engineOption, inputOrderOption, intensityOption, numberOption, positiveIntegerOption } from './options.js';
import type { EngineChoice } from '../infer/makeInferenceEngine.js';
import { makeProgress, type Progress } from './progress.js';
import { sameFile } from './sameFile.js';
import type { StandardiseOptions } from '../data/standardise.js';
import { describeIntensity } from '../model/intensityMetadata.js';
import { modelIntensity } from '../model/modelIntensity.js';
import type { SegmentRun } from '../infer/segmentVolume.js';
import { makeWorkerFactory } from '../io/makeWorkerFactory.js';
import { runWorkerPool } from '../io/runWorkerPool.js';
import { assertBackendInstalled, SINGLE_THREAD_TENSORFLOW } from './assertBackendInstalled.js';
import { engineUsed, summariseEngines } from './engineUsed.js';

/** The flags of `nonadj segment`, as commander parses them (structured-cloneable: workers receive them whole). */
export interface SegmentFlags {
  /** Internal: false in every worker but the first, so that the engine and the intensity guess are reported once. */
  announce?: boolean;
  /** Internal: onnxruntime's intra-op threads (the cores shared out between the workers). */
  threads?: number;
  engine?: EngineChoice;
  probabilities?: string;
  axis?: SliceAxisIndex;
  batchSize?: number;
  overlap?: number;
  backend?: EngineBackend;
  quiet?: boolean;
  inPlace?: boolean;
  /** `--intensity`, parsed (`intensityOption('segment')`). */
  intensity?: StandardiseOptions;
  inputOrder?: 'zyx' | 'xyz';
  crop?: number | false;
  tensorMemory?: number;
  jobs?: number;
}

/** `nonadj segment <model.json> <image | folder> <output | folder>`: apply a trained model to new volumes. */
export function makeSegmentCommand(): Command {
  return new Command('segment')
    .summary('segment volumes with a trained model')
    .description(
      [
        'Segment a NIfTI image with a model from nonadj train (run/best/model.json) or any tfjs layers model whose output is',
        'the logits or a softmax over the classes, such as brainchop\'s MeshNet models (give them a T1 conformed to 256³,',
        '1 mm, LIA, as brainchop does). 2.5D models slide over every slice; fully convolutional 3D networks (MeshNet) run on',
        'the whole volume or the head\'s box, layer by layer in slabs that fit the tensor memory; other 3D models over',
        'overlapping patches (blended). A model without nonadj metadata gets brainchop\'s conventions unless told otherwise:',
        'intensities scaled by quantiles (5 % → 0, 95 % → 1), array axes x, y, z fed as D, H, W, head cropped with 8 voxels;',
        'one fine-tuned from it by nonadj train --init records them in its metadata and keeps them.',
        'The label map keeps the image\'s grid and affine and is marked as a label map (intent 1002); labels are the',
        'prior\'s codes recorded in the model. With a folder as <input>, every image in it (.nii, .nii.gz, .mgz, .mgh; label maps',
        'left out; a BIDS dataset\'s *_T1w) is segmented into <output>/<same name>, --jobs at a time.',
      ].join('\n'),
    )
    .argument('<model>', 'model.json, or the folder holding it')
    .argument('<input>', 'image (.nii, .nii.gz, .mgz, .mgh) or a folder of images')
    .argument('<output>', 'output label map (.nii.gz), or a folder in batch mode')
    .option('--probabilities <path>', 'also write the class probabilities as a 4D float32 volume (a folder in batch mode)')
    .option('--axis <n>', '2.5D slicing axis, for a model without nonadj metadata', axisOption)
    .option('--batch-size <n>', 'slices or patches per forward pass', positiveIntegerOption)
    .option('--overlap <f>', '3D: overlap of neighbouring patches, in [0, 1)', numberOption('a number in [0, 1)', (n) => n >= 0 && n < 1))
    .option(
      '--intensity <kind>',
      'intensity scaling, overriding the model\'s: zscore, minmax, quantile (5 %–95 % → 0–1), quantile:<lower>,<upper>, none ' +
        '(default: the model\'s metadata, else quantile)',
      intensityOption('segment'),
    )
    .addOption(inputOrderOption())
    .option('--crop <voxels>', '3D: segment only the head\'s bounding box grown by this margin (default: the margin the model records, else 8 for models without nonadj metadata)', numberOption('an integer ≥ 0', (n) => Number.isInteger(n) && n >= 0))
    .option('--no-crop', '3D: segment the whole grid')
    .option('--tensor-memory <MiB>', '3D layer-by-layer path: tensor memory one slab may use (default 1024)', positiveIntegerOption)
    .addOption(new Option('--backend <name>', 'tfjs backend').choices(['wasm', 'cpu', 'tensorflow']))
    .option('--jobs <n>', 'batch mode: images segmented in parallel, each worker thread with its own backend and copy of the model (default: number of cores)', positiveIntegerOption)
    .addOption(engineOption())
    .option('--in-place', 'allow <output> to be <input> (replace the images)')
    .option('-q, --quiet', 'no progress output')
    .action(async (modelPath: string, input: string, output: string, flags: SegmentFlags) => {
      await runSegment(modelPath, input, output, flags);
    });
}

async function runSegment(modelPath: string, input: string, output: string, flags: SegmentFlags): Promise<void> {
  assertBackendInstalled(flags.backend);
  const batch = await stat(input).then((s) => s.isDirectory(), () => false);
  const inputs = (await listImages([input], { tool: 'segment', quiet: flags.quiet })).map((i) => i.file);
  if (!batch && !isNiftiName(output)) throw new Error(`output ${output} must end in ${VOLUME_EXTENSIONS_TEXT} (or give folders for batch mode)`);
  if (flags.probabilities && !batch && !isNiftiName(flags.probabilities)) {
    throw new Error(`--probabilities ${flags.probabilities} must end in ${VOLUME_EXTENSIONS_TEXT}`);
  }
  // TensorFlow.js loads only when segmenting, so other commands start fast.
  for (const target of [output, flags.probabilities]) {
    if (target !== undefined && !flags.inPlace && (await sameFile(input, target))) {
      throw new Error(`output ${target} is the input${batch ? ' folder' : ''}; pass --in-place to replace ${batch ? 'its images' : 'it'}`);
    }
  }
  if (flags.backend === 'tensorflow' && (flags.jobs ?? 1) > 1) throw new Error(SINGLE_THREAD_TENSORFLOW.replace('{option}', '--jobs'));
  const jobs = batch && flags.backend !== 'tensorflow' ? Math.min(flags.jobs ?? os.availableParallelism(), inputs.length) : 1;
  // In batch mode on several workers, each loads its own engine and model; the calling thread loads neither.
  const segmenter = jobs > 1 ? undefined : await loadSegmenter(modelPath, flags);
  if (batch) {
    await mkdir(output, { recursive: true });
    if (flags.probabilities) await mkdir(flags.probabilities, { recursive: true });
  }
  const started = performance.now();
  const progress = makeProgress('segment', inputs.length, { enabled: !flags.quiet && batch });
  const targets = inputs.map((file) => {
    const name = path.basename(file);
    return {
      name,
      target: batch ? path.join(output, name) : output,
      probTarget: flags.probabilities ? (batch ? path.join(flags.probabilities, name) : flags.probabilities) : undefined,
    };
  });
  // Results by input index, so that the summary does not depend on which worker finished first.
  const results: SegmentedFile[] = new Array(inputs.length);
  // An image that onnxruntime was set up for but tfjs ran says so (the set-up's engine line named onnxruntime).
  const noteFallback = (r: SegmentedFile) => {
    if (r.note && !flags.quiet) process.stderr.write(`segment: ${r.note}\n`);
  };
  try {
    if (segmenter) {
      for (let index = 0; index < inputs.length; index++) {
        // Single image on a terminal: a bar over its slices (or patches).
        const showWithin = !batch && !flags.quiet && process.stderr.isTTY;
        let within: Progress | null = null;
        let last = 0;
        const onProgress = showWithin
          ? (done: number, total: number) => {
              within ??= makeProgress('segment', total);
              within.tick(undefined, done - last);
              last = done;
            }
          : undefined;
        results[index] = await segmenter.segmentFile(inputs[index], targets[index].target, targets[index].probTarget, onProgress);
        (within as Progress | null)?.stop();
        noteFallback(results[index]);
        progress.tick(targets[index].name);
      }
    } else {
      const start = makeWorkerFactory(import.meta.url, './segmentWorker');
      const workerData: SegmentWorkerData = { modelPath, flags: { ...flags, threads: Math.max(1, Math.floor(os.availableParallelism() / jobs)) } };
      let workers = 0;
      await runWorkerPool<SegmentedFile>({
        total: inputs.length,
        jobs,
        name: 'segment',
        start: () => start({ ...workerData, flags: { ...workerData.flags, announce: workers++ === 0 } }),
        message: (index) => ({ index, file: inputs[index], target: targets[index].target, probTarget: targets[index].probTarget }),
        onResult: (index, result) => {
          results[index] = result;
          noteFallback(result);
          progress.tick(targets[index].name);
        },
      });
    }
  } finally {
    progress.stop();
    await segmenter?.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  const written = results.flatMap((r) => r.written);
  const lastRun = results.at(-1)?.run;
  const model = results.at(-1)?.model ?? segmenter?.model;
  process.stdout.write(
    [
      `model:    ${modelPath}${model ? ` (${model.kind}, ${model.classes} classes)` : ''}`,
      `images:   ${inputs.length}`,
      `written:  ${written.length === 1 ? written[0] : `${written.length} files in ${output}${flags.probabilities && batch ? ` and ${flags.probabilities}` : ''}`}`,
      `time:     ${seconds.toFixed(2)} s`,
      ...(results.length > 0 ? [`engine:   ${summariseEngines(results.map((r) => r.engine))}`] : []),
      ...(lastRun ? [`run:      ${describeRun(lastRun)}`] : []),
      '',
    ].join('\n'),
  );
}

/** What a segment worker receives once: the model and the command's flags, passed whole so that every option travels. */
export interface SegmentWorkerData {
  modelPath: string;
  flags: SegmentFlags;
}

/** One image segmented: the files written, how it was run, and the model's kind and classes. */
export interface SegmentedFile {
  written: string[];
  run: SegmentRun;
  /** The engine that ran it (`engineUsed`), and the note to print when it is not the one set up. */
  engine: string;
  note?: string;
  model: { kind: string; classes: number };
}

/** The engine set up and the model loaded once, segmenting image files one after another. */
export interface Segmenter {
  model: { kind: string; classes: number };
  /**
   * Segment `file` into `target` (and its probabilities into `probTarget`).
   * @param onProgress - called with (done, total) slices or patches.
   */
  segmentFile(file: string, target: string, probTarget: string | undefined, onProgress?: (done: number, total: number) => void): Promise<SegmentedFile>;
  dispose(): Promise<void>;
}

/**
 * Set up the engine and load the model as the flags say, for `nonadj segment` on the calling thread or in a worker
 * (`segmentWorker`): every option reaches the segmentation from `flags`, so that an option added to the command
 * works in batch mode on several workers without more code.
 */
export async function loadSegmenter(modelPath: string, flags: SegmentFlags): Promise<Segmenter> {
  const intensity = flags.intensity;
  const [{ initEngine }, { loadModel }, { segmentVolume }, { makeInferenceEngine }] = await Promise.all([
    import('../engine/initEngine.js'),
    import('../model/modelFiles.js'),
    import('../infer/segmentVolume.js'),
    import('../infer/makeInferenceEngine.js'),
  ]);
  const { backend } = await initEngine({ backend: flags.backend });
  const { model, metadata } = await loadModel(modelPath);
  const engine = await makeInferenceEngine(model, { engine: flags.engine, threads: flags.threads });
  if (!flags.quiet && flags.announce !== false) process.stderr.write(`segment: engine ${engine.description}\n`);
  // segmentVolume applies the same rule; a model that records no scaling gets a guess, which the user should see (once:
  // from the calling thread, or from the first worker in batch mode).
  const choice = modelIntensity(metadata?.intensity, { explicit: intensity, modelName: modelPath });
  if (choice.source === 'foreign' && !flags.quiet && flags.announce !== false) process.stderr.write(`warning: ${choice.message}\n`);
  const described = {
    kind: metadata?.kind ?? (model.inputs[0].shape.length === 4 ? '2.5d' : '3d'),
    classes: model.outputs[0].shape.at(-1) as number,
  };
  return {
    model: described,
    async segmentFile(file, target, probTarget, onProgress) {
      const image = await readNiftiFile(file, { expect: '3d' });
      const result = await segmentVolume(model, image, {
        metadata,
        axis: flags.axis,
        batchSize: flags.batchSize,
        overlap: flags.overlap,
        output: probTarget ? 'labelsAndProbabilities' : 'labels',
        intensity,
        inputOrder: flags.inputOrder,
        crop: flags.crop,
        memoryBudgetBytes: flags.tensorMemory === undefined ? undefined : flags.tensorMemory * 2 ** 20,
        forward: engine.forward,
        onProgress,
      });
      // The image's integer type when the labels fit it; the qform/sform codes are the image's (segmentVolume keeps its header).
      await writeNiftiFile(target, result.labels, { kind: 'labels', description: 'nonadj segmentation', preferDatatype: image.header.datatype });
      const written = [target];
      if (probTarget && result.probabilities) {
        await writeNiftiFile(probTarget, result.probabilities, { kind: 'image', description: 'nonadj class probabilities' });
        written.push(probTarget);
      }
      return { written, run: result.run, model: described, ...engineUsed(result.run, engine, backend, path.basename(file)) };
    },
    async dispose() {
      await engine.dispose();
      model.dispose();
    },
  };
}

/** `layerwise, intensity quantile 0.05–0.95, input order xyz, crop 150×180×160 at (53, 30, 41)` (of the last image). */
function describeRun(run: SegmentRun): string {
  const parts = [run.path, `intensity ${describeIntensity(run.intensity)}`];
  if (run.inputOrder) parts.push(`input order ${run.inputOrder}`);
  if (run.crop) parts.push(`crop ${run.crop.size.join('×')} at (${run.crop.start.join(', ')})`);
  else if (run.path !== 'slices') parts.push('no crop');
  return parts.join(', ');
}
