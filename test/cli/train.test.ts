import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { initEngine } from '../../src/engine/initEngine.js';
import { makeModSegNet } from '../../src/model/makeModSegNet.js';
import { saveModel } from '../../src/model/modelFiles.js';
import { makeAtlasCropDataset } from '../helpers/segmenterFixtures.js';
import { makeTinyMeshNet } from '../helpers/makeTinyMeshNet.js';
import { ROOT, runCli } from '../helpers/runCliSnapshot.js';
import { writeExamFolders } from '../helpers/trainingDataFixtures.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'nonadj-cli-train-'));
const data = path.join(tmp, 'data');
const prior = path.join(tmp, 'graph.json');
const broken = path.join(tmp, 'broken');
const wrongModel = path.join(tmp, 'wrong');
const foreignModel = path.join(tmp, 'foreign');
const foreignMeshNet = path.join(tmp, 'foreign-meshnet');
/** Tiny settings shared by the runs: 24×24 coronal slices, k = 3, filters 4,8, 4 training crops + 1 validation. */
const tiny = ['--prior', prior, '--filters', '4,8', '--k', '3', '--batch-size', '2', '--optimizer', 'adam', '--val-split', '1', '--augment', '0', '--seed', '3'];

before(async () => {
  const ds = await makeAtlasCropDataset();
  await writeExamFolders(data, ds.exams.map((e) => ({ id: e.id, image: ds.files.get(e.image)!, label: ds.files.get(e.label!)! })));
  writeFileSync(prior, JSON.stringify(ds.prior.toJson()));
  await writeExamFolders(broken, ds.exams.slice(0, 2).map((e, i) => ({ id: e.id, image: ds.files.get(e.image)!, label: i === 1 ? null : ds.files.get(e.label!)! })));
  await initEngine({ backend: 'cpu' });
  const model = makeModSegNet({ inputShape: [24, 24, 3], numClasses: 4, filters: [4], seed: 1 });
  await saveModel(model, wrongModel, { kind: '2.5d', classes: [0, 1, 2, 3], inputShape: [24, 24, 3], axis: 1, k: 3 });
  model.dispose();
  // A model from another tool: the prior's 5 classes, no nonadj metadata.
  const foreign = makeModSegNet({ inputShape: [24, 24, 3], numClasses: 5, filters: [4], seed: 2 });
  await saveModel(foreign, foreignModel);
  foreign.dispose();
  // A brainchop-like 3D model (MeshNet, declared for 16³, frozen, no nonadj metadata).
  const mesh = makeTinyMeshNet({ inputShape: [16, 16, 16, 1], numClasses: 5 });
  await saveModel(mesh, foreignMeshNet);
  mesh.dispose();
});
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Run the CLI asynchronously and send SIGINT once stderr shows `trigger`. */
function runAndInterrupt(args: string[], trigger: RegExp): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'nonadj.js'), ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (!sent && trigger.test(stderr)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('nonadj train', () => {
  test('trains a baseline, writes the run folder, and fine-tunes it with --lambda auto and --semi', () => {
    const run = path.join(tmp, 'baseline');
    const r = runCli(['train', data, '--out', run, '--epochs', '2', '--steps', '2', ...tiny]);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, /status: {3}completed, 2 epochs, 4 steps/);
    assert.match(r.stderr, /train: 4 training, 1 validation exams; 5 labels; λ 0; adam; backend wasm/);
    assert.match(r.stderr, /epoch 2\/2: loss .* \| val Dice \d\.\d{4}, forbidden pairs \d+, contacts \d+/);
    // --engine auto: validation on onnxruntime-node (a dev dependency here), said once for the run.
    assert.match(r.stderr, /train: validation engine onnxruntime-node \d+\.\d+\.\d+, \d+ threads? \(export \+ session \d+\.\d+ s\)\n/);
    assert.equal(r.stderr.match(/validation engine/g)?.length, 1);
    for (const f of ['best/model.json', 'best/weights.bin', 'checkpoint/state.json', 'log.jsonl', 'summary.json', 'command.json']) {
      assert.ok(existsSync(path.join(run, f)), f);
    }
    assert.equal(readFileSync(path.join(run, 'log.jsonl'), 'utf8').trim().split('\n').length, 2);

    const ft = path.join(tmp, 'finetuned');
    // The dataset's own images stand in for unlabelled ones (their labels are not read).
    const tuned = runCli(['train', data, '--out', ft, '--init', path.join(run, 'best', 'model.json'), '--lambda', 'auto', '--semi', data, '--epochs', '2', '--steps', '2', '--intensity', 'quantile:0.02,0.98', ...tiny]);
    assert.equal(tuned.exitCode, 0, tuned.stderr);
    // The intensity scaling is stored with the model, and segment reads it back.
    const stored = JSON.parse(readFileSync(path.join(ft, 'best', 'model.json'), 'utf8')).userDefinedMetadata.nonadj.intensity;
    assert.deepEqual(stored, { method: 'quantile', lower: 0.02, upper: 0.98 });
    const seg = runCli(['segment', path.join(ft, 'best'), path.join(data, readdirSync(data)[0], 'prepro_im_mni_bc.nii.gz'), path.join(tmp, 'ft-seg.nii.gz')]);
    assert.equal(seg.exitCode, 0, seg.stderr);
    assert.match(seg.stdout, /run: {6}slices, intensity quantile 0\.02–0\.98\n/);
    assert.match(tuned.stderr, /5 unlabelled exams/);
    assert.match(tuned.stderr, /epoch 1\/2: .* λ 0 .*warm-up done: D₀ = /);
    const log = readFileSync(path.join(ft, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(log[1].lambda > 0);
  });

  test('--init a foreign model: its intensity defaults to brainchop\'s quantile scaling, said on stderr; --intensity wins', () => {
    const one = ['--epochs', '1', '--steps', '1', '--val-split', '0', '--prior', prior, '--batch-size', '1', '--augment', '0'];
    const stored = (run: string) => JSON.parse(readFileSync(path.join(run, 'best', 'model.json'), 'utf8')).userDefinedMetadata.nonadj.intensity;
    const byDefault = path.join(tmp, 'foreign-default');
    const r = runCli(['train', data, '--out', byDefault, '--init', foreignModel, ...one]);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stderr, /^warning: --init .*foreign records no intensity scaling \(no nonadj metadata.*\), so quantile 0\.05–0\.95 as brainchop's models expect; --intensity chooses another$/m);
    assert.deepEqual(stored(byDefault), { method: 'quantile', lower: 0.05, upper: 0.95 });
    const chosen = path.join(tmp, 'foreign-zscore');
    const z = runCli(['train', data, '--out', chosen, '--init', foreignModel, '--intensity', 'zscore', ...one]);
    assert.equal(z.exitCode, 0, z.stderr);
    assert.doesNotMatch(z.stderr, /intensity/);
    assert.deepEqual(stored(chosen), { method: 'zscore-image', region: 'nonzero' });
  });

  test("--init a foreign 3D model: trained and saved in brainchop's xyz order with its crop, which segment then uses", () => {
    // A non-cubic patch: fed as (x, y, z) = (8, 6, 12) voxels.
    const one = ['--epochs', '1', '--steps', '1', '--val-split', '1', '--prior', prior, '--batch-size', '1', '--patch', '8x6x12', '--optimizer', 'adam', '--lr', '1e-3'];
    const stored = (run: string) => JSON.parse(readFileSync(path.join(run, 'best', 'model.json'), 'utf8')).userDefinedMetadata.nonadj;
    const run = path.join(tmp, 'meshnet-xyz');
    const r = runCli(['train', data, '--out', run, '--init', foreignMeshNet, ...one]);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stderr, /epoch 1\/1: .*\| val Dice \d\.\d{4}/);
    const meta = stored(run);
    assert.equal(meta.inputOrder, 'xyz');
    assert.equal(meta.crop, 8);
    assert.deepEqual(meta.inputShape, [8, 6, 12, 1]);
    assert.deepEqual(meta.publishedInputShape, [16, 16, 16, 1]);
    const image = path.join(data, readdirSync(data)[0], 'prepro_im_mni_bc.nii.gz');
    const seg = runCli(['segment', path.join(run, 'best'), image, path.join(tmp, 'meshnet-xyz.nii.gz')]);
    assert.equal(seg.exitCode, 0, seg.stderr);
    assert.match(seg.stdout, /run: {6}layerwise, intensity quantile 0\.05–0\.95, input order xyz, crop \d+×\d+×\d+ at \(\d+, \d+, \d+\)\n/);

    // --input-order zyx is recorded as asked, and segment follows it.
    const zyxRun = path.join(tmp, 'meshnet-zyx');
    const z = runCli(['train', data, '--out', zyxRun, '--init', foreignMeshNet, '--input-order', 'zyx', ...one]);
    assert.equal(z.exitCode, 0, z.stderr);
    assert.equal(stored(zyxRun).inputOrder, 'zyx');
    const zseg = runCli(['segment', path.join(zyxRun, 'best'), image, path.join(tmp, 'meshnet-zyx.nii.gz')]);
    assert.equal(zseg.exitCode, 0, zseg.stderr);
    assert.match(zseg.stdout, /input order zyx, crop /);
  });

  test('Ctrl-C writes a checkpoint and exits 130; --resume continues to the end', async () => {
    const run = path.join(tmp, 'interrupted');
    const first = await runAndInterrupt(['train', data, '--out', run, '--epochs', '6', '--steps', '2', ...tiny], /epoch 1\/6/);
    assert.equal(first.code, 130, first.stderr);
    assert.match(first.stderr, /interrupting: a checkpoint is written after this step/);
    assert.match(first.stdout, /status: {3}interrupted/);
    assert.match(first.stdout, new RegExp(`resume: {3}nonadj train --resume ${run}`));
    const done = JSON.parse(readFileSync(path.join(run, 'summary.json'), 'utf8'));
    assert.equal(done.status, 'interrupted');
    const resumed = runCli(['train', '--resume', run, '-q']);
    assert.equal(resumed.exitCode, 0, resumed.stderr);
    assert.match(resumed.stdout, /status: {3}completed, 6 epochs, 12 steps/);
    const epochs = readFileSync(path.join(run, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).epoch);
    assert.deepEqual(epochs, [0, 1, 2, 3, 4, 5]);
  });

  test('bad input: one line, exit 2', () => {
    const run = path.join(tmp, 'used');
    mkdirSync(path.join(run, 'checkpoint'), { recursive: true });
    writeFileSync(path.join(run, 'checkpoint', 'state.json'), '{}');
    const one = path.join(tmp, 'one');
    const cases: Array<[string[], RegExp]> = [
      [['train', data, '--out', run, ...tiny], /already holds a training run; continue it with --resume/],
      [['train', '--resume', run, '--epochs', '3'], /--resume takes the options of the original run .*remove --epochs/],
      [['train', one, '--out', path.join(tmp, 'x1'), ...tiny], /dataset folder .*one does not exist/],
      [['train', data, '--out', path.join(tmp, 'x2'), ...tiny, '--val-split', '5'], /the dataset has 5 exams, expected at least 6 .*--val-split 0 to train without validation/],
      [['train', data, '--out', path.join(tmp, 'x3'), ...tiny, '--lambda', 'big'], /option '--lambda <λ>' argument 'big' is invalid/],
      [['train', broken, '--out', path.join(tmp, 'x4'), ...tiny], /1 exam folder in .*broken lacks a file: crop-y76 \(no prepro_seg_mni.nii.gz\)/],
      [['train', data, '--out', path.join(tmp, 'x5'), ...tiny, '--init', wrongModel], /--init .*outputs 4 classes but the prior has 5 labels/],
      [['train', data, '--out', path.join(tmp, 'x6'), ...tiny, '--input-order', 'xyz'], /the input order \(xyz\) is for 3D models; this run trains a 2\.5D one/],
      [['train', data, '--out', path.join(tmp, 'x7'), ...tiny, '--input-order', 'yxz'], /option '--input-order <order>' argument 'yxz' is invalid/],
    ];
    for (const [args, expected] of cases) {
      const r = runCli(args);
      assert.equal(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, expected);
      assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('nonadj train: ')).length, 1, r.stderr);
    }
  });
});
