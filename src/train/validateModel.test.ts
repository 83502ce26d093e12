import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { initEngine } from '../engine/initEngine.js';
import { checkSegmentation } from '../metric/checkSegmentation.js';
import { evaluateSegmentation } from '../metric/evaluateSegmentation.js';
import { makeVolume } from '../volume/Volume.js';
import { CROP_SIZE, makeAtlasCropDataset, type AtlasCropDataset } from '../../test/helpers/segmenterFixtures.js';
import { makeModSegNet } from '../model/makeModSegNet.js';
import { predictSlices } from '../infer/predictSlices.js';
import { standardise } from '../data/standardise.js';
import { makeUNet3d } from '../model/makeUNet3d.js';
import { swapXZ } from '../volume/swapXZ.js';
import { segmentVolume } from '../infer/segmentVolume.js';
import { predictPatches3d } from '../infer/predictPatches3d.js';
import { makeTinyMeshNet } from '../../test/helpers/makeTinyMeshNet.js';
import { validateModel } from './validateModel.js';

let ds: AtlasCropDataset;
before(async () => {
  await initEngine({ backend: 'wasm' });
  ds = await makeAtlasCropDataset([72, 80]);
});

test('validateModel: whole-volume Dice (the same number as evaluateSegmentation) and forbidden counts agree with predictSlices + the metric code', async () => {
  const model = makeModSegNet({ inputShape: [24, 24, 3], numClasses: 5, filters: [4], seed: 5 });
  const result = await validateModel(model, { prior: ds.prior, exams: ds.exams, kind: '2.5d', intensity: { mode: 'image' }, load: ds.load, samplesPerExam: 3 });
  assert.equal(result.exams.length, 2);
  for (const [i, exam] of ds.exams.entries()) {
    const image = ds.files.get(exam.image)!;
    const truth = ds.files.get(exam.label!)!;
    const data = standardise(image, { mode: 'image' });
    const p = await predictSlices(model, { dims: image.dims, data }, { axis: 1, classes: [...ds.prior.labels] } /* 24×24 slices fill the input: no padding */);
    const check = checkSegmentation(makeVolume(image.dims, p.labels), ds.prior);
    assert.equal(result.exams[i].forbiddenContacts, check.forbiddenContacts);
    assert.equal(result.exams[i].forbiddenPairs, check.forbiddenPairs);
    // One Dice: validation reports what `nonadj evaluate` (evaluateSegmentation) reports on the same pair of maps.
    const evaluated = evaluateSegmentation(makeVolume(image.dims, p.labels, { spacingMm: image.spacingMm, affine: image.affine }), truth);
    assert.equal(result.exams[i].dice, evaluated.meanDice);
  }
  assert.ok(result.nonAdjacency > 0 && Number.isFinite(result.nonAdjacency));
  model.dispose();
});

test('validateModel: a structure the model predicts but the truth lacks scores 0 and counts, as in evaluateSegmentation', async () => {
  // The truths without label 107 (Cerebelum_10_L): the model's 107 voxels are then a hallucinated structure.
  const files = new Map([...ds.files].map(([name, v]) => [name, name.endsWith('/label') ? makeVolume(v.dims, Int32Array.from(v.data, (c) => (c === 107 ? 0 : c)), { spacingMm: v.spacingMm, affine: v.affine }) : v]));
  const load = async (file: string) => files.get(file)!;
  const model = makeModSegNet({ inputShape: [24, 24, 3], numClasses: 5, filters: [4], seed: 5 });
  const result = await validateModel(model, { prior: ds.prior, exams: ds.exams, kind: '2.5d', intensity: { mode: 'image' }, load, samplesPerExam: 1 });
  let differs = false;
  for (const [i, exam] of ds.exams.entries()) {
    const image = files.get(exam.image)!;
    const truth = files.get(exam.label!)!;
    const p = await predictSlices(model, { dims: image.dims, data: standardise(image, { mode: 'image' }) }, { axis: 1, classes: [...ds.prior.labels] });
    const evaluated = evaluateSegmentation(makeVolume(image.dims, p.labels, { spacingMm: image.spacingMm, affine: image.affine }), truth);
    const hallucinated = evaluated.labels.find((l) => l.label === 107)!;
    assert.ok(hallucinated.predictionVoxels > 0 && hallucinated.truthVoxels === 0 && hallucinated.dice === 0);
    assert.equal(result.exams[i].dice, evaluated.meanDice);
    // The old validation convention (labels of the truth only) would have left 107 out and given a larger mean.
    const truthOnly = evaluated.labels.filter((l) => l.truthVoxels > 0);
    differs ||= truthOnly.reduce((a, l) => a + l.dice!, 0) / truthOnly.length !== evaluated.meanDice;
  }
  assert.ok(differs);
  model.dispose();
});

test("validateModel, 3D 'xyz': the numbers of 'zyx' on the x↔z-swapped volumes (as training feeds the model)", async () => {
  // A non-cubic patch: D runs along the grid's x with 'xyz'.
  const model = makeUNet3d({ inputShape: [8, 4, 12, 1], numClasses: 5, filters: [3], seed: 4 });
  const swapped = new Map(
    [...ds.files].map(([name, v]) => {
      const data = v.data instanceof Int32Array ? swapXZ(v.data, v.dims).data : swapXZ(Float32Array.from(v.data), v.dims).data;
      return [name, makeVolume([v.dims[2], v.dims[1], v.dims[0]], data, { spacingMm: [v.spacingMm[2], v.spacingMm[1], v.spacingMm[0]] })];
    }),
  );
  const common = { prior: ds.prior, exams: ds.exams, kind: '3d' as const, intensity: { mode: 'image' as const }, samplesPerExam: 3 };
  const xyz = await validateModel(model, { ...common, load: ds.load, inputOrder: 'xyz' });
  const onSwapped = await validateModel(model, { ...common, load: async (f) => swapped.get(f)!, inputOrder: 'zyx' });
  const zyx = await validateModel(model, { ...common, load: ds.load });
  assert.deepEqual(xyz, onSwapped);
  assert.notEqual(xyz.nonAdjacency, zyx.nonAdjacency, 'the order changes what the model sees');
  model.dispose();
});

test('validateModel, 3D: the labels segmentVolume (nonadj segment) gives, voxel for voxel: a MeshNet whole, not in tiles narrower than its receptive field; a U-Net in patches', async () => {
  // Receptive field of the dilations 1, 2, 4: 1 + 2·(1 + 2 + 4) = 15 voxels, wider than the 8³ training patch.
  const meshNet = makeTinyMeshNet({ inputShape: [8, 8, 8, 1], numClasses: 5, dilations: [1, 2, 4], filters: 4, seed: 1 });
  const unet = makeUNet3d({ inputShape: [8, 8, 8, 1], numClasses: 5, filters: [2, 4], seed: 2 });
  const classes = [...ds.prior.labels];
  const intensity = { mode: 'quantile' as const, lower: 0.05, upper: 0.95 };
  // A fine-tuned brainchop model's conventions (x, y, z fed as D, H, W; head box grown by 2 voxels), and nonadj's.
  for (const [model, inputOrder, crop] of [[meshNet, 'xyz', 2], [unet, 'zyx', false]] as const) {
    const segmented = new Map<string, Int32Array>();
    let tilesDiffer = 0;
    for (const exam of ds.exams) {
      const image = ds.files.get(exam.image)!;
      const seg = await segmentVolume(model, image, { metadata: null, classes, intensity, inputOrder, crop });
      assert.equal(seg.run.path, model === meshNet ? 'layerwise' : 'patches');
      segmented.set(exam.label!, seg.labels.data);
      // The former validation: 8³ tiles over the (swapped) grid.
      const data = standardise(image, intensity);
      const grid = inputOrder === 'xyz' ? swapXZ(data, image.dims) : { dims: image.dims, data };
      let tiles = (await predictPatches3d(model, grid, { classes })).labels;
      if (inputOrder === 'xyz') tiles = swapXZ(tiles, grid.dims).data;
      for (let v = 0; v < tiles.length; v++) if (tiles[v] !== seg.labels.data[v]) tilesDiffer++;
    }
    // Truth = segment's labels: a mean Dice of exactly 1 means every label's voxels agree, i.e. equal label maps
    // (two maps that differ at a voxel differ in a foreground label there, whose Dice is then below 1).
    const load = async (file: string) => {
      const v = ds.files.get(file)!;
      const labels = segmented.get(file);
      return labels ? makeVolume(v.dims, labels, { spacingMm: v.spacingMm, affine: v.affine }) : v;
    };
    const result = await validateModel(model, { prior: ds.prior, exams: ds.exams, kind: '3d', inputOrder, crop, intensity, load, samplesPerExam: 2 });
    for (const [i, exam] of ds.exams.entries()) {
      assert.equal(result.exams[i].dice, 1, `${model.name} ${exam.id}`);
      const check = checkSegmentation(makeVolume(CROP_SIZE, segmented.get(exam.label!)!), ds.prior);
      assert.equal(result.exams[i].forbiddenContacts, check.forbiddenContacts);
    }
    if (model === meshNet) assert.ok(tilesDiffer > 0, 'tiles narrower than the receptive field label some voxels differently');
    else assert.equal(tilesDiffer, 0, 'a U-Net is validated in its patches, as segment runs it');
  }
  meshNet.dispose();
  unet.dispose();
});
