import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as tfl from '@tensorflow/tfjs-layers';
import { initEngine } from '../../src/engine/initEngine.js';
import { makeModSegNet } from '../../src/model/makeModSegNet.js';
import { saveModel } from '../../src/model/modelFiles.js';
import { readNiftiFile, writeNiftiFile } from '../../src/volume/niftiFile.js';
import type { Volume } from '../../src/volume/Volume.js';
import { CROP_CODES, makeAtlasCropDataset } from '../helpers/segmenterFixtures.js';
import { runCli } from '../helpers/runCliSnapshot.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'nonadj-cli-segment-'));
const images = path.join(tmp, 'images');
const model = path.join(tmp, 'model');
const inputs: Volume[] = [];
const meshnet = path.join(tmp, 'meshnet');
/** The images beside label maps: named as such (`-labels`, `_dseg`), or not (atlas.nii.gz: NIfTI intent 1002). */
const mixed = path.join(tmp, 'mixed');

before(async () => {
  const ds = await makeAtlasCropDataset([72, 80]);
  mkdirSync(images);
  mkdirSync(mixed);
  for (const e of ds.exams) {
    const image = ds.files.get(e.image)!;
    inputs.push(image);
    await writeNiftiFile(path.join(images, `${e.id}.nii.gz`), image, { kind: 'image' });
    await writeNiftiFile(path.join(mixed, `${e.id}.nii.gz`), image, { kind: 'image' });
    await writeNiftiFile(path.join(mixed, `${e.id}-labels.nii.gz`), ds.files.get(e.label!)!, { kind: 'labels' });
  }
  await writeNiftiFile(path.join(mixed, 'sub-01_dseg.nii.gz'), ds.files.get(ds.exams[0].label!)!, { kind: 'labels' });
  await writeNiftiFile(path.join(mixed, 'atlas.nii.gz'), ds.files.get(ds.exams[0].label!)!, { kind: 'labels' });
  await initEngine({ backend: 'cpu' });
  const m = makeModSegNet({ inputShape: [24, 24, 3], numClasses: 5, filters: [4, 8], seed: 2 });
  await saveModel(m, model, { kind: '2.5d', classes: CROP_CODES, inputShape: [24, 24, 3], axis: 1, k: 3, intensity: { method: 'zscore-image', region: 'nonzero' } });
  m.dispose();
  // A brainchop-style MeshNet without nonadj metadata, declared input 16³ (the image is 24×12×24).
  const x = tfl.input({ shape: [16, 16, 16, 1] });
  let t = tfl.layers.conv3d({ filters: 3, kernelSize: 3, dilationRate: 2, padding: 'same', kernelInitializer: tfl.initializers.glorotNormal({ seed: 1 }) }).apply(x) as tfl.SymbolicTensor;
  t = tfl.layers.activation({ activation: 'elu' }).apply(t) as tfl.SymbolicTensor;
  t = tfl.layers.conv3d({ filters: 4, kernelSize: 1, kernelInitializer: tfl.initializers.glorotNormal({ seed: 2 }) }).apply(t) as tfl.SymbolicTensor;
  const mesh = tfl.model({ inputs: x, outputs: t });
  await saveModel(mesh, meshnet);
  mesh.dispose();
});
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('nonadj segment', () => {
  test('one image: a label map on its grid and affine, marked as labels, in the model\'s codes; --probabilities is 4D', async () => {
    const out = path.join(tmp, 'seg.nii.gz');
    const probs = path.join(tmp, 'probs.nii.gz');
    const r = runCli(['segment', path.join(model, 'model.json'), path.join(images, 'crop-y72.nii.gz'), out, '--probabilities', probs]);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, /model: {4}.*\(2\.5d, 5 classes\)\nimages: {3}1\n/);
    const seg = await readNiftiFile(out);
    assert.deepEqual(seg.dims, inputs[0].dims);
    assert.ok(Array.from(seg.affine).every((x, i) => Math.abs(x - inputs[0].affine[i]) < 1e-4));
    assert.equal(seg.header.intentCode, 1002);
    assert.ok(seg.data.every((l) => CROP_CODES.includes(l)));
    const p = await readNiftiFile(probs);
    assert.equal(p.frames, 5);
    const n = 24 * 12 * 24;
    const sum = [0, 1, 2, 3, 4].reduce((a, c) => a + p.data[c * n + 17], 0);
    assert.ok(Math.abs(sum - 1) < 1e-5);
  });

  test('batch mode over a folder writes one label map per image', async () => {
    const out = path.join(tmp, 'segs');
    const r = runCli(['segment', model, images, out, '--jobs', '1']);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, /images: {3}2\nwritten: {2}2 files in /);
    assert.match(r.stderr, /segment: 1\/2 crop-y72.nii.gz\nsegment: 2\/2 crop-y80.nii.gz/);
    for (const name of ['crop-y72.nii.gz', 'crop-y80.nii.gz']) assert.deepEqual((await readNiftiFile(path.join(out, name))).dims, [24, 12, 24]);
  });

  test('a folder of images and label maps: only the images are segmented, the skipped ones said in one line', async () => {
    const out = path.join(tmp, 'segs-mixed');
    const r = runCli(['segment', model, mixed, out]);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stderr, /^segment: 4 of 6 volumes skipped \(1 a label map by its header or voxels .*, 3 a label map or mask by its name .*\)$/m);
    assert.match(r.stdout, /images: {3}2\n/);
    assert.deepEqual(readdirSync(out).sort(), ['crop-y72.nii.gz', 'crop-y80.nii.gz']);
  });

  test('batch mode on 2 worker threads writes the same files and summary as on the calling thread', () => {
    const one = path.join(tmp, 'jobs-1');
    const two = path.join(tmp, 'jobs-2');
    const r1 = runCli(['segment', model, images, one, '--jobs', '1', '--probabilities', `${one}-p`]);
    const r2 = runCli(['segment', model, images, two, '--jobs', '2', '--probabilities', `${two}-p`]);
    assert.equal(r2.exitCode, 0, r2.stderr);
    // The engine line differs only by onnxruntime's threads (the cores shared out between the workers).
    const summary = (r: { stdout: string }, out: string) => r.stdout.replaceAll(out, 'OUT').replace(/time: .*\n/, '').replace(/, \d+ threads?\n/, '\n');
    assert.equal(summary(r2, two), summary(r1, one));
    // Progress in completion order: each image once.
    const lines = r2.stderr.trim().split('\n');
    // The engine is announced once (by the first worker), then one progress line per image.
    assert.equal(lines.filter((l) => l.startsWith('segment: engine ')).length, 1, r2.stderr);
    assert.deepEqual(lines.filter((l) => !l.startsWith('segment: engine ')).map((l) => l.replace(/^segment: \d\/2 /, '')).sort(), ['crop-y72.nii.gz', 'crop-y80.nii.gz']);
    for (const name of ['crop-y72.nii.gz', 'crop-y80.nii.gz']) {
      assert.deepEqual(readFileSync(path.join(two, name)), readFileSync(path.join(one, name)), name);
      assert.deepEqual(readFileSync(path.join(`${two}-p`, name)), readFileSync(path.join(`${one}-p`, name)), name);
    }
  });

  test('batch mode on workers: an image that cannot be read stops the run with its message, as on one thread', () => {
    const bad = path.join(tmp, 'bad-images');
    mkdirSync(bad);
    copyFileSync(path.join(images, 'crop-y72.nii.gz'), path.join(bad, 'a.nii.gz'));
    writeFileSync(path.join(bad, 'b.nii.gz'), 'not a volume');
    copyFileSync(path.join(images, 'crop-y80.nii.gz'), path.join(bad, 'c.nii.gz'));
    const runs = ['1', '2'].map((jobs) => runCli(['segment', model, bad, path.join(tmp, `bad-out-${jobs}`), '--jobs', jobs, '-q']));
    for (const r of runs) {
      assert.equal(r.exitCode, 2, r.stderr);
      assert.match(r.stderr, /^nonadj segment: .*b\.nii\.gz/);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
    assert.equal(runs[1].stderr, runs[0].stderr);
  });

  test('a model that cannot be loaded, on workers: one line, exit 2, as on one thread', () => {
    const runs = ['1', '2'].map((jobs) => runCli(['segment', path.join(tmp, 'nope'), images, path.join(tmp, `nope-${jobs}`), '--jobs', jobs]));
    for (const r of runs) {
      assert.equal(r.exitCode, 2, r.stderr);
      assert.match(r.stderr, /^nonadj segment: loadModel: .*nope does not exist[^\n]*\n$/);
    }
  });

  test('a foreign MeshNet: layer by layer with brainchop\'s conventions unless told otherwise', async () => {
    const out = path.join(tmp, 'mesh.nii.gz');
    const r = runCli(['segment', meshnet, path.join(images, 'crop-y72.nii.gz'), out]);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, /\(3d, 4 classes\)/);
    assert.match(r.stdout, /run: {6}layerwise, intensity quantile 0\.05–0\.95, input order xyz, crop \d+×\d+×\d+ at \(\d+, \d+, \d+\)\n/);
    // auto: onnxruntime-node (installed as a dev dependency) ran the box in one pass, as the engine line said.
    assert.match(r.stdout, /\nengine: {3}onnxruntime-node \d+\.\d+\.\d+, \d+ threads?\n/);
    assert.match(r.stderr, /^segment: engine onnxruntime-node /m);
    assert.doesNotMatch(r.stderr, /ran on tfjs/);
    assert.match(r.stderr, /^warning: .*meshnet records no intensity scaling .*quantile 0\.05–0\.95/m);
    assert.deepEqual((await readNiftiFile(out)).dims, [24, 12, 24]);
    const r2 = runCli(['segment', meshnet, path.join(images, 'crop-y72.nii.gz'), out, '--intensity', 'quantile:0.02,0.98', '--input-order', 'zyx', '--no-crop', '--engine', 'tfjs']);
    assert.equal(r2.exitCode, 0, r2.stderr);
    assert.match(r2.stdout, /\nengine: {3}tfjs wasm\n/);
    assert.match(r2.stdout, /run: {6}layerwise, intensity quantile 0\.02–0\.98, input order zyx, no crop\n/);
    assert.doesNotMatch(r2.stderr, /intensity/);
  });

  test('bad input: one line, exit 2', () => {
    const cases: Array<[string[], RegExp]> = [
      [['segment', model, path.join(images, 'crop-y72.nii.gz'), path.join(tmp, 'out.txt')], /must end in .nii, .nii.gz, .mgz or .mgh/],
      [['segment', path.join(tmp, 'nope'), path.join(images, 'crop-y72.nii.gz'), path.join(tmp, 'o.nii.gz')], /loadModel: .*nope does not exist/],
      [['segment', model, path.join(tmp, 'missing.nii.gz'), path.join(tmp, 'o.nii.gz')], /cannot read .*missing.nii.gz/],
      [['segment', model, path.join(images, 'crop-y72.nii.gz'), path.join(tmp, 'o.nii.gz'), '--intensity', 'zz'], /--intensity <kind>' argument 'zz' is invalid\. expected zscore, minmax, quantile\[:lower,upper\], none/],
      [['segment', model, path.join(images, 'crop-y72.nii.gz'), path.join(tmp, 'o.nii.gz'), '--intensity', 'dataset'], /^nonadj segment: --intensity dataset needs a training set; segment takes zscore, minmax, quantile\[:lower,upper\] or none \(a model trained with dataset statistics stores them\)\n$/],
      [['segment', model, path.join(images, 'crop-y72.nii.gz'), path.join(tmp, 'o.nii.gz'), '--input-order', 'yxz'], /--input-order <order>' argument 'yxz' is invalid/],
    ];
    for (const [args, expected] of cases) {
      const r = runCli(args);
      assert.equal(r.exitCode, 2, r.stderr);
      assert.match(r.stderr, expected);
      assert.match(r.stderr, /^nonadj segment: /);
    }
  });
});
