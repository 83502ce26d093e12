import { Command, Option } from 'commander';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { EngineBackend } from '../engine/initEngine.js';
import type { SliceAxisIndex } from '../volume/sliceAxis.js';
import { readNiftiFile, writeNiftiFile } from '../volume/niftiFile.js';
import { isNiftiName, listNiftiFiles } from '../volume/listNiftiFiles.js';
import { VOLUME_EXTENSIONS_TEXT } from '../volume/volumeExtension.js';
import { axisOption, engineOption, intensityOption, numberOption, positiveIntegerOption } from './options.js';
import type { EngineChoice } from '../infer/makeInferenceEngine.js';
import { makeProgress, type Progress } from './progress.js';
import { sameFile } from './sameFile.js';
import { parseIntensity } from '../data/parseIntensity.js';
import { describeIntensity } from '../model/intensityMetadata.js';
import type { SegmentRun } from '../infer/segmentVolume.js';

interface SegmentFlags {
  probabilities?: string;
  axis?: SliceAxisIndex;
  batchSize?: number;
  overlap?: number;
  backend?: EngineBackend;
  quiet?: boolean;
  inPlace?: boolean;
  intensity?: string;
  inputOrder?: 'zyx' | 'xyz';
  crop?: number | false;
  tensorMemory?: number;
  engine: EngineChoice;
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
        'intensities scaled by quantiles (5 % → 0, 95 % → 1), array axes x, y, z fed as D, H, W, head cropped with 8 voxels.',
        'The label map keeps the image\'s grid and affine and is marked as a label map (intent 1002); labels are the',
        'prior\'s codes recorded in the model. With a folder as <input>, every .nii, .nii.gz, .mgz, .mgh in it is segmented into',
        '<output>/<same name>.',
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
      intensityOption,
    )
    .addOption(
      new Option('--input-order <order>', '3D: array axes fed to the network\'s D, H, W (default: zyx for nonadj models, xyz = brainchop\'s otherwise)').choices(['zyx', 'xyz']),
    )
    .option('--crop <voxels>', '3D: segment only the head\'s bounding box grown by this margin (default 8 for models without nonadj metadata)', numberOption('an integer ≥ 0', (n) => Number.isInteger(n) && n >= 0))
    .option('--no-crop', '3D: segment the whole grid')
    .option('--tensor-memory <MiB>', '3D layer-by-layer path: tensor memory one slab may use (default 1024)', positiveIntegerOption)
    .addOption(new Option('--backend <name>', 'tfjs backend').choices(['wasm', 'cpu', 'tensorflow']))
    .addOption(engineOption())
    .option('--in-place', 'allow <output> to be <input> (replace the images)')
    .option('-q, --quiet', 'no progress output')
    .action(async (modelPath: string, input: string, output: string, flags: SegmentFlags) => {
      await runSegment(modelPath, input, output, flags);
    });
}

async function runSegment(modelPath: string, input: string, output: string, flags: SegmentFlags): Promise<void> {
  const batch = await stat(input).then((s) => s.isDirectory(), () => false);
  const inputs = await listNiftiFiles([input]);
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
  const intensityChoice = flags.intensity === undefined ? undefined : parseIntensity(flags.intensity);
  if (intensityChoice === 'dataset') {
    throw new Error('--intensity dataset needs a training set; segment takes zscore, minmax, quantile[:lower,upper] or none (a model trained with dataset statistics stores them)');
  }
  const [{ initEngine }, { loadModel }, { segmentVolume }, { makeInferenceEngine }] = await Promise.all([
    import('../engine/initEngine.js'),
    import('../model/modelFiles.js'),
    import('../infer/segmentVolume.js'),
    import('../infer/makeInferenceEngine.js'),
  ]);
  await initEngine({ backend: flags.backend });
  const { model, metadata } = await loadModel(modelPath);
  const engine = await makeInferenceEngine(model, { engine: flags.engine });
  if (!flags.quiet) process.stderr.write(`segment: engine ${engine.description}\n`);
  if (batch) {
    await mkdir(output, { recursive: true });
    if (flags.probabilities) await mkdir(flags.probabilities, { recursive: true });
  }
  const started = performance.now();
  const progress = makeProgress('segment', inputs.length, { enabled: !flags.quiet && batch });
  const written: string[] = [];
  let lastRun: SegmentRun | undefined;
  try {
    for (const file of inputs) {
      const image = await readNiftiFile(file, { expect: '3d' });
      // Single image on a terminal: a bar over its slices (or patches).
      const showWithin = !batch && !flags.quiet && process.stderr.isTTY;
      let within: Progress | null = null;
      let last = 0;
      const result = await segmentVolume(model, image, {
        metadata,
        axis: flags.axis,
        batchSize: flags.batchSize,
        overlap: flags.overlap,
        output: flags.probabilities ? 'labelsAndProbabilities' : 'labels',
        intensity: intensityChoice,
        inputOrder: flags.inputOrder,
        crop: flags.crop,
        memoryBudgetBytes: flags.tensorMemory === undefined ? undefined : flags.tensorMemory * 2 ** 20,
        forward: engine.forward,
        onProgress: showWithin
          ? (done, total) => {
              within ??= makeProgress('segment', total);
              within.tick(undefined, done - last);
              last = done;
            }
          : undefined,
      });
      (within as Progress | null)?.stop();
      lastRun = result.run;
      const name = path.basename(file);
      const target = batch ? path.join(output, name) : output;
      // The image's integer type when the labels fit it; the qform/sform codes are the image's (segmentVolume keeps its header).
      await writeNiftiFile(target, result.labels, { kind: 'labels', description: 'nonadj segmentation', preferDatatype: image.header.datatype });
      written.push(target);
      if (flags.probabilities && result.probabilities) {
        const probTarget = batch ? path.join(flags.probabilities, name) : flags.probabilities;
        await writeNiftiFile(probTarget, result.probabilities, { kind: 'image', description: 'nonadj class probabilities' });
        written.push(probTarget);
      }
      progress.tick(name);
    }
  } finally {
    progress.stop();
    await engine.dispose();
    model.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    [
      `model:    ${modelPath} (${metadata?.kind ?? (model.inputs[0].shape.length === 4 ? '2.5d' : '3d')}, ${model.outputs[0].shape.at(-1)} classes)`,
      `images:   ${inputs.length}`,
      `written:  ${written.length === 1 ? written[0] : `${written.length} files in ${output}${flags.probabilities && batch ? ` and ${flags.probabilities}` : ''}`}`,
      `time:     ${seconds.toFixed(2)} s`,
      ...(lastRun ? [`run:      ${describeRun(lastRun)}`] : []),
      '',
    ].join('\n'),
  );
}

/** `layerwise, intensity quantile 0.05–0.95, input order xyz, crop 150×180×160 at (53, 30, 41)` (of the last image). */
function describeRun(run: SegmentRun): string {
  const parts = [run.path, `intensity ${describeIntensity(run.intensity)}`];
  if (run.inputOrder) parts.push(`input order ${run.inputOrder}`);
  if (run.crop) parts.push(`crop ${run.crop.size.join('×')} at (${run.crop.start.join(', ')})`);
  else if (run.path !== 'slices') parts.push('no crop');
  return parts.join(', ');
}
