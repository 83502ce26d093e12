/**
 * Does `train --init` validate brainchop's MeshNet as `segment` runs it? A real check on small data, dev-only (it needs
 * the model folder and onnxruntime-node); its output is quoted in the README (*Bring your own model*).
 *
 * 1. Colin27 (`data/ch2.nii.gz`) conformed to 256³ LIA (`conformVolume`, as `nonadj conform`), two 48³ blocks of it
 *    written as exams `a` and `b` of a training folder.
 * 2. Their labels: the network's own arg-max on each block (`segmentVolume`, brainchop's conventions, onnxruntime),
 *    so that the 50 classes of the committed Colin27 prior (`docs/adapt/colin27/prior-A/graph.json`) apply.
 * 3. The built CLI: `nonadj train <work>/exams --prior … --init <model>/model.json --patch 32x32x32 --batch-size 1
 *    --epochs 1 --steps 1 --val-split 1 --optimizer adam --lr 1e-5` (one step; validation on one exam).
 * 4. The validation Dice the run logged, against the Dice of `segmentVolume` (what `nonadj segment` runs) with
 *    `best/` on the validation exam, and against the former validation's: `predictPatches3d` in 32³ tiles.
 * 5. The same block with onnxruntime set up and a one-pass budget below the estimate: tfjs' slabs, and `SegmentRun`
 *    says so; the labels against a tfjs-only run.
 *
 * `nice -n 19 node --import tsx bench/brainchop/validateAsSegment.ts <brainchop model folder> <work folder>`
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initEngine } from '../../src/engine/initEngine.js';
import { makeInferenceEngine } from '../../src/infer/makeInferenceEngine.js';
import { predictPatches3d } from '../../src/infer/predictPatches3d.js';
import { segmentVolume } from '../../src/infer/segmentVolume.js';
import { diceScore } from '../../src/metric/diceScore.js';
import { intensityFromMetadata } from '../../src/model/intensityMetadata.js';
import { loadModel } from '../../src/model/modelFiles.js';
import { standardise } from '../../src/data/standardise.js';
import { cropGrid } from '../../src/volume/cropGrid.js';
import { conformVolume } from '../../src/volume/conformVolume.js';
import { readNiftiFile, writeNiftiFile } from '../../src/volume/niftiFile.js';
import { swapXZ } from '../../src/volume/swapXZ.js';
import { makeVolume, type Volume } from '../../src/volume/Volume.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const [modelDir, work] = process.argv.slice(2);
if (!modelDir || !work) throw new Error('usage: validateAsSegment.ts <brainchop model folder> <work folder>');
const priorFile = path.join(ROOT, 'docs/adapt/colin27/prior-A/graph.json');
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

await initEngine({ backend: 'wasm' });
const original = await loadModel(modelDir);
const engine = await makeInferenceEngine(original.model, { engine: 'onnx' });

// 1–2. Two 48³ blocks of the conformed Colin27 (around the thalamus, and 40 voxels further along the second axis), labelled by the network.
const conformed = conformVolume(await readNiftiFile(path.join(ROOT, 'data', 'ch2.nii.gz'))).volume;
const size: [number, number, number] = [48, 48, 48];
const blocks: Record<string, Volume> = {};
for (const [name, start] of [['a', [104, 100, 104]], ['b', [104, 140, 104]]] as const) {
  const affine = Float64Array.from(conformed.affine);
  for (let r = 0; r < 3; r++) affine[r * 4 + 3] += conformed.affine[r * 4] * start[0] + conformed.affine[r * 4 + 1] * start[1] + conformed.affine[r * 4 + 2] * start[2];
  const image = makeVolume(size, cropGrid(Float32Array.from(conformed.data), conformed.dims, { start: [...start], size }), { spacingMm: conformed.spacingMm, affine });
  blocks[name] = image;
  const labels = await segmentVolume(original.model, image, { metadata: null, forward: engine.forward });
  mkdirSync(path.join(work, 'exams', name), { recursive: true });
  await writeNiftiFile(path.join(work, 'exams', name, 'prepro_im_mni_bc.nii.gz'), image, { kind: 'image' });
  await writeNiftiFile(path.join(work, 'exams', name, 'prepro_seg_mni.nii.gz'), labels.labels, { kind: 'labels' });
  console.log(`exam ${name}: 48³ block at (${start.join(', ')}) of the conformed Colin27, ${new Set(labels.labels.data).size} of 50 labels (${labels.run.engine === 'forward' ? engine.description : 'tfjs'})`);
}

// 3. train --init through the built CLI, one step.
const run = path.join(work, 'run');
const t = spawnSync(
  process.execPath,
  [path.join(ROOT, 'bin', 'nonadj.js'), 'train', path.join(work, 'exams'), '--prior', priorFile, '--out', run, '--init', path.join(modelDir, 'model.json'),
    '--patch', '32x32x32', '--batch-size', '1', '--epochs', '1', '--steps', '1', '--val-split', '1', '--optimizer', 'adam', '--lr', '1e-5', '-q'],
  { encoding: 'utf8' },
);
if (t.status !== 0) throw new Error(`train exited ${t.status}: ${t.stderr}`);
const summary = JSON.parse(readFileSync(path.join(run, 'summary.json'), 'utf8')) as { best: { validation: { meanDice: number; forbiddenPairs: number; forbiddenContacts: number } } };
const log = JSON.parse(readFileSync(path.join(run, 'log.jsonl'), 'utf8').trim().split('\n')[0]) as { validation: { exams: Array<{ id: string }> } };
const valId = log.validation.exams[0].id;
const v = summary.best.validation;
console.log(`train --init, 1 step on 32³ patches: validation (exam ${valId}) Dice ${v.meanDice.toFixed(4)}, forbidden pairs ${v.forbiddenPairs}, contacts ${v.forbiddenContacts}`);

// 4. The trained model as segment runs it, and in the former validation's 32³ tiles.
const tuned = await loadModel(path.join(run, 'best'));
const tunedEngine = await makeInferenceEngine(tuned.model, { engine: 'onnx' });
const image = blocks[valId];
const truth = (await readNiftiFile(path.join(work, 'exams', valId, 'prepro_seg_mni.nii.gz'))).data;
const segmented = await segmentVolume(tuned.model, image, { metadata: tuned.metadata, forward: tunedEngine.forward });
const dice = (labels: ArrayLike<number>) => diceScore(labels, truth, { backgroundLabel: 0 }).meanDice!;
console.log(`segmentVolume with best/ (as nonadj segment): Dice ${dice(segmented.labels.data).toFixed(4)} (${segmented.run.path}, input order ${segmented.run.inputOrder}, crop ${segmented.run.crop?.size.join('×')})`);
const intensity = intensityFromMetadata(tuned.metadata!.intensity!);
const swapped = swapXZ(standardise(image, intensity), image.dims);
const tiles = await predictPatches3d(tuned.model, swapped, { classes: tuned.metadata!.classes, forward: tunedEngine.forward });
console.log(`the former validation, ${tuned.metadata!.inputShape.slice(0, 3).join('×')} tiles: Dice ${dice(swapXZ(tiles.labels, swapped.dims).data).toFixed(4)}`);
await tunedEngine.dispose();

// 5. A forced fallback from onnxruntime's one pass to tfjs' slabs.
const runs: Record<string, Int32Array> = {};
for (const [name, options] of [
  ['tfjs only', {}],
  ['onnxruntime, default budget', { forward: engine.forward }],
  ['onnxruntime, budget 40 MB', { forward: engine.forward, onePassBudgetBytes: 40e6 }],
] as const) {
  const c0 = cpu();
  const r = await segmentVolume(original.model, blocks.a, { metadata: null, ...options });
  runs[name] = r.labels.data;
  console.log(`exam a, ${name}: engine ${r.run.engine}${r.run.fallback ? ` (${r.run.fallback})` : ''}, ${(cpu() - c0).toFixed(1)} s CPU`);
}
const differ = (a: Int32Array, b: Int32Array) => a.reduce((n, x, i) => n + (x !== b[i] ? 1 : 0), 0);
console.log(
  `labels differing from tfjs only: one pass ${differ(runs['onnxruntime, default budget'], runs['tfjs only'])}, ` +
    `fallback ${differ(runs['onnxruntime, budget 40 MB'], runs['tfjs only'])} of ${blocks.a.data.length} voxels`,
);
await engine.dispose();
