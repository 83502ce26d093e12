import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initEngine } from '../../src/engine/initEngine.js';
import { checkSegmentation } from '../../src/metric/checkSegmentation.js';
import { saveModel } from '../../src/model/modelFiles.js';
import { AdjacencyPrior } from '../../src/prior/AdjacencyPrior.js';
import { readNiftiFile, writeNiftiFile } from '../../src/volume/niftiFile.js';
import { discInRing, discInRingPrior } from '../helpers/discInRing.js';
import { runCli } from '../helpers/runCliSnapshot.js';

/**
 * The toy problem of `src/train/adaptModel.test.ts` through the built command: a disc in a ring on a background,
 * a 1×1-convolution "model" that labels the ring like the disc (so the disc's label touches the background, which
 * the prior forbids), two tiny scans. `nonadj adapt` must remove the forbidden contacts and keep every label.
 */
const tmp = mkdtempSync(path.join(os.tmpdir(), 'nonadj-cli-adapt-'));
const scans = path.join(tmp, 'scans');
const model = path.join(tmp, 'model');
const model3d = path.join(tmp, 'model3d');
const priorFile = path.join(tmp, 'graph.json');
const wrongPrior = path.join(tmp, 'four.json');
const model4 = path.join(tmp, 'model4');
const prior4File = path.join(tmp, 'prior4.json');
const blank = path.join(tmp, 'blank.nii.gz');
const prior = discInRingPrior;
const N = 16;

before(async () => {
  mkdirSync(scans);
  for (const [name, cx] of [['a.nii.gz', 7.5], ['b.nii.gz', 8]] as const) {
    await writeNiftiFile(path.join(scans, name), discInRing(N, 2, cx), { kind: 'image' });
  }
  writeFileSync(priorFile, JSON.stringify(prior.toJson()));
  writeFileSync(wrongPrior, JSON.stringify(AdjacencyPrior.fromCounts([[1, 1, 0, 0], [1, 1, 1, 0], [0, 1, 1, 1], [0, 0, 1, 1]]).toJson()));
  await initEngine({ backend: 'cpu' });
  const m = tfl.sequential({ layers: [tfl.layers.conv2d({ inputShape: [N, N, 1], filters: 3, kernelSize: 1, name: 'toy' })] });
  m.layers[0].setWeights([tf.tensor4d([0, 2, 3], [1, 1, 1, 3]), tf.tensor1d([0, -1, -1.9])]);
  await saveModel(m, model, { kind: '2.5d', classes: [0, 1, 2], inputShape: [N, N, 1], axis: 2, k: 1, intensity: { method: 'zscore-dataset', mean: 0, std: 1 } });
  m.dispose();
  // The same toy in 3D for --layers last: a trunk (feature = intensity) and a pointwise last layer with the same logits.
  const m3 = tfl.sequential({
    layers: [
      tfl.layers.conv3d({ inputShape: [2, N, N, 1], filters: 1, kernelSize: 1, name: 'trunk' }),
      tfl.layers.conv3d({ filters: 3, kernelSize: 1, name: 'last' }),
    ],
  });
  m3.getLayer('trunk').setWeights([tf.ones([1, 1, 1, 1, 1]), tf.zeros([1])]);
  m3.getLayer('last').setWeights([tf.tensor5d([0, 2, 3], [1, 1, 1, 1, 3]), tf.tensor1d([0, -1, -1.9])]);
  await saveModel(m3, model3d, { kind: '3d', classes: [0, 1, 2], inputShape: [2, N, N, 1], intensity: { method: 'zscore-dataset', mean: 0, std: 1 } });
  m3.dispose();
  // --pairs made: the 3D toy with a fourth class that never wins, and a prior that also forbids every pair with it
  // (never made) and 1–2 (made: the disc touches the ring), beside 0–2 (made by the toy's mistake).
  const m4 = tfl.sequential({
    layers: [
      tfl.layers.conv3d({ inputShape: [2, N, N, 1], filters: 1, kernelSize: 1, name: 'trunk' }),
      tfl.layers.conv3d({ filters: 4, kernelSize: 1, name: 'last' }),
    ],
  });
  m4.getLayer('trunk').setWeights([tf.ones([1, 1, 1, 1, 1]), tf.zeros([1])]);
  m4.getLayer('last').setWeights([tf.tensor5d([0, 2, 3, 0], [1, 1, 1, 1, 4]), tf.tensor1d([0, -1, -1.9, -50])]);
  await saveModel(m4, model4, { kind: '3d', classes: [0, 1, 2, 3], inputShape: [2, N, N, 1], intensity: { method: 'zscore-dataset', mean: 0, std: 1 } });
  m4.dispose();
  writeFileSync(prior4File, JSON.stringify(AdjacencyPrior.fromCounts([[9, 5, 0, 0], [5, 9, 5, 0], [0, 5, 9, 0], [0, 0, 0, 9]]).toJson()));
  await writeNiftiFile(blank, discInRing(N, 2, -100), { kind: 'image' });
});
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('nonadj adapt', () => {
  test('adapts the toy model on a folder of scans: fewer forbidden contacts, every label kept, the adapted model saved', async () => {
    const original = path.join(tmp, 'original');
    assert.equal(runCli(['segment', model, scans, original, '--backend', 'cpu']).exitCode, 0);
    const before = checkSegmentation(await readNiftiFile(path.join(original, 'a.nii.gz')), prior).forbiddenContacts;
    assert.ok(before > 0);

    const out = path.join(tmp, 'adapted');
    const r = runCli(['adapt', model, scans, '--prior', priorFile, '--out', out, '--steps', '50', '--lambda', '1', '--lr', '1e-2', '--batch-size', '2', '--seed', '3', '--backend', 'cpu']);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, /scans: {5}2\n/);
    assert.match(r.stdout, /adapted: {3}50 steps of 2, λ 1, lr 0\.01/);
    assert.match(r.stderr, /adapt: 50\/50 fidelity/);
    // The engine the scans were segmented on (auto: onnxruntime-node, a dev dependency), as the set-up line said.
    assert.match(r.stdout, /\nengine: {4}onnxruntime-node \d+\.\d+\.\d+, \d+ threads?\n/);
    assert.match(r.stderr, /^adapt: engine onnxruntime-node /m);
    for (const name of ['a.nii.gz', 'b.nii.gz']) {
      const seg = await readNiftiFile(path.join(out, 'segmentations', name));
      assert.equal(seg.header.intentCode, 1002);
      assert.ok(checkSegmentation(seg, prior).forbiddenContacts < before);
      assert.deepEqual([...new Set(seg.data)].sort(), [0, 1, 2]);
    }
    const summary = JSON.parse(readFileSync(path.join(out, 'adapt.json'), 'utf8')) as { settings: { steps: number; lambda: number }; history: unknown[]; scans: Array<{ engine: string }> };
    assert.ok(summary.scans.every((s) => /^onnxruntime-node /.test(s.engine)), JSON.stringify(summary.scans));
    assert.equal(summary.settings.lambda, 1);
    assert.equal(summary.history.length, 50);
    assert.equal(summary.scans.length, 2);
    // The adapted model segments as the command did.
    const again = path.join(tmp, 'again.nii.gz');
    assert.equal(runCli(['segment', path.join(out, 'model'), path.join(scans, 'a.nii.gz'), again, '--backend', 'cpu']).exitCode, 0);
    assert.deepEqual((await readNiftiFile(again)).data, (await readNiftiFile(path.join(out, 'segmentations', 'a.nii.gz'))).data);
  });

  test('--time-limit: adapting stops when it is reached and the scans are segmented with the weights so far', () => {
    const out = path.join(tmp, 'limited');
    const r = runCli(['adapt', model, path.join(scans, 'a.nii.gz'), '--prior', priorFile, '--out', out, '--steps', '50', '--time-limit', '0', '--backend', 'cpu']);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, /adapted: {3}0 steps \(of 50: --time-limit 0 s reached\)/);
    const summary = JSON.parse(readFileSync(path.join(out, 'adapt.json'), 'utf8')) as { stepsDone: number; scans: unknown[] };
    assert.equal(summary.stepsDone, 0);
    assert.equal(summary.scans.length, 1);
  });

  test('--check-every with --check-dice 1: the first check that changes a label fails, and the original weights are kept', async () => {
    const a = path.join(scans, 'a.nii.gz');
    const out = path.join(tmp, 'guarded');
    const r = runCli(['adapt', model, a, '--prior', priorFile, '--out', out, '--steps', '50', '--lambda', '1', '--lr', '1e-2', '--batch-size', '2', '--seed', '3',
      '--check-every', '5', '--check-dice', '1', '--backend', 'cpu']);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stderr, /^adapt: check at step 0: \d+ forbidden contacts \(1 pairs\), the reference: passed/m);
    assert.match(r.stderr, /^adapt: check at step \d+: .*worst label label \d Dice 0\.\d{3} to the original: failed \(< 1\), stopping/m);
    assert.match(r.stderr, /^adapt: keeping the weights of step 0 \(\d+ forbidden contacts\)$/m);
    const summary = JSON.parse(readFileSync(path.join(out, 'adapt.json'), 'utf8')) as {
      stepsDone: number; guard: { minDice: number; every: number; bestStep: number; stoppedAtStep: number; checks: Array<{ step: number; passed: boolean; forbiddenContacts: number }> };
    };
    const g = summary.guard;
    assert.deepEqual([g.minDice, g.every, g.bestStep], [1, 5, 0]);
    assert.equal(g.stoppedAtStep, summary.stepsDone);
    assert.deepEqual(g.checks.map((c) => c.step), Array.from({ length: g.stoppedAtStep / 5 + 1 }, (_, i) => 5 * i));
    assert.deepEqual(g.checks.map((c) => c.passed), g.checks.map((c) => c.step < g.stoppedAtStep));
    assert.match(r.stdout, new RegExp(`adapted: {3}${g.stoppedAtStep} steps \\(of 50: a check failed --check-dice 1\\) of 2, .*; the weights of step 0 kept \\(guard\\)\n`));
    // The scan is segmented with the original weights: the original's segmentation, its contacts those of check 0.
    const original = await readNiftiFile(path.join(tmp, 'original', 'a.nii.gz'));
    const seg = await readNiftiFile(path.join(out, 'segmentations', 'a.nii.gz'));
    assert.deepEqual(seg.data, original.data);
    assert.equal(checkSegmentation(seg, prior).forbiddenContacts, g.checks[0].forbiddenContacts);
  });

  test('--layers last: the last layer adapted on the whole scans, deterministic, every check recorded', async () => {
    const run = (out: string, ...extra: string[]) =>
      runCli(['adapt', model3d, scans, '--prior', priorFile, '--out', out, '--layers', 'last', '--steps', '50', '--lambda', '1', '--lr', '1e-2', '--check-every', '10', '--check-dice', '0', '--backend', 'cpu', ...extra]);
    const out = path.join(tmp, 'last');
    const r = run(out, '--save-checks');
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stderr, /^adapt: features of .*a\.nii\.gz \(1 channels on 16×16×2\) in \d+ s, /m);
    assert.match(r.stdout, /adapted: {3}50 steps of the last layer \(full passes\), λ 1, lr 0\.01 .*; the weights of step \d+ kept \(guard\)\n/);
    const summary = JSON.parse(readFileSync(path.join(out, 'adapt.json'), 'utf8')) as {
      settings: { layers: string; tile: number }; guard: { bestStep: number; checks: Array<{ step: number; forbiddenContacts: number }> }; scans: Array<{ forbiddenContacts: number }>;
    };
    assert.deepEqual([summary.settings.layers, summary.settings.tile], ['last', 64]);
    assert.deepEqual(summary.guard.checks.map((c) => c.step), [0, 10, 20, 30, 40, 50]);
    // The segmentations written are those of the kept check, through segment's own path.
    const kept = summary.guard.checks.find((c) => c.step === summary.guard.bestStep)!;
    assert.ok(summary.guard.bestStep > 0 && kept.forbiddenContacts < summary.guard.checks[0].forbiddenContacts);
    assert.equal(summary.scans.reduce((a, s) => a + s.forbiddenContacts, 0), kept.forbiddenContacts);
    for (const name of ['a.nii.gz', 'b.nii.gz']) assert.deepEqual([...new Set((await readNiftiFile(path.join(out, 'segmentations', name))).data)].sort(), [0, 1, 2]);
    // --save-checks: every check's segmentations, each scoring as its check; the kept one's are those written.
    for (const c of summary.guard.checks) {
      const seg = await Promise.all(['a.nii.gz', 'b.nii.gz'].map((name) => readNiftiFile(path.join(out, 'checks', `step-${c.step}`, name))));
      assert.equal(seg.reduce((a, v) => a + checkSegmentation(v, prior).forbiddenContacts, 0), c.forbiddenContacts, `step ${c.step}`);
    }
    for (const name of ['a.nii.gz', 'b.nii.gz']) {
      const [kept, written] = await Promise.all([path.join('checks', `step-${summary.guard.bestStep}`, name), path.join('segmentations', name)].map((f) => readNiftiFile(path.join(out, f))));
      assert.deepEqual(kept.data, written.data);
    }
    // No patch, no seed: a second run gives the same model, byte for byte.
    const again = path.join(tmp, 'last-again');
    assert.equal(run(again).exitCode, 0);
    assert.deepEqual(readFileSync(path.join(again, 'model', 'weights.bin')), readFileSync(path.join(out, 'model', 'weights.bin')));
  });

  test('--pairs made: the loss and the guard see only the forbidden pairs the original makes, each with its weight', async () => {
    const out = path.join(tmp, 'made');
    const r = runCli(['adapt', model4, path.join(scans, 'a.nii.gz'), '--prior', prior4File, '--out', out, '--pairs', 'made', '--layers', 'last',
      '--steps', '50', '--lambda', '4', '--lr', '1e-2', '--check-every', '10', '--check-dice', '0', '--backend', 'cpu']);
    assert.equal(r.exitCode, 0, r.stderr);
    // Forbidden: 0–2, 0–3, 1–3, 2–3 (8 ordered pairs); the toy makes 0–2 only, so λ 4 × 2 / 8 = 1.
    assert.match(r.stderr, /^adapt: --pairs made: the original makes 1 of the 4 forbidden pairs; λ 4 → 1 \(the same weight per pair\)$/m);
    const summary = JSON.parse(readFileSync(path.join(out, 'adapt.json'), 'utf8')) as {
      pairs: { mode: string; forbiddenOrderedPairs: number; of: number; lambdaGiven: number; file: string };
      settings: { lambda: number }; guard: { checks: Array<{ forbiddenContacts: number }> }; scans: Array<{ forbiddenContacts: number }>;
    };
    assert.deepEqual(summary.pairs, { mode: 'made', file: path.join(out, 'prior-made.json'), forbiddenOrderedPairs: 2, of: 8, lambdaGiven: 4 });
    assert.equal(summary.settings.lambda, 1);
    const made = await AdjacencyPrior.read(path.join(out, 'prior-made.json'));
    assert.deepEqual(made.forbiddenMask().join(''), '0010000010000000');
    // The contacts the guard counts (against the restricted prior) go, and so do those against the full prior.
    const full = checkSegmentation(await readNiftiFile(path.join(out, 'segmentations', 'a.nii.gz')), await AdjacencyPrior.read(prior4File));
    assert.ok(summary.guard.checks[0].forbiddenContacts > 0);
    assert.equal(summary.scans[0].forbiddenContacts, full.forbiddenContacts);
    assert.ok(full.forbiddenContacts < summary.guard.checks[0].forbiddenContacts, `${full.forbiddenContacts} contacts left`);
    // A scan whose segmentation makes no forbidden contact: nothing to adapt, said in one line.
    const none = runCli(['adapt', model4, blank, '--prior', prior4File, '--out', path.join(tmp, 'made-none'), '--pairs', 'made', '--layers', 'last', '--backend', 'cpu']);
    assert.equal(none.exitCode, 2);
    assert.match(none.stderr, /--pairs made: the original model's segmentations of the scan make no contact that .*prior4\.json forbids: nothing to adapt/);
  });

  test('bad input: one line, exit 2', () => {
    const a = path.join(scans, 'a.nii.gz');
    const out = path.join(tmp, 'bad');
    const cases: Array<[string[], RegExp]> = [
      [['adapt', model, a, '--out', out], /--prior <graph.json> is required/],
      [['adapt', model, a, '--prior', priorFile], /--out <folder> is required/],
      [['adapt', path.join(tmp, 'nope'), a, '--prior', priorFile, '--out', out], /loadModel: .*nope does not exist/],
      [['adapt', model, path.join(tmp, 'missing.nii.gz'), '--prior', priorFile, '--out', out], /cannot read .*missing.nii.gz/],
      [['adapt', model, a, '--prior', wrongPrior, '--out', out], /adaptModel: model .*4/],
      [['adapt', model, a, '--prior', priorFile, '--out', out, '--lambda', '-1'], /--lambda.*expected a number ≥ 0/],
      [['adapt', model, a, '--prior', priorFile, '--out', out, '--check-dice', '1.5'], /--check-dice.*expected a number in \[0, 1\]/],
      [['adapt', model, a, '--prior', priorFile, '--out', out, '--check-every', '0'], /--check-every.*expected a positive integer/],
      [['adapt', model, a, '--prior', priorFile, '--out', out, '--save-checks'], /--save-checks .*give --check-every/],
      [['adapt', model, a, '--prior', priorFile, '--out', out, '--pairs', 'some'], /--pairs.*some.*(all, made|Allowed choices)/],
      [['adapt', model3d, a, '--prior', priorFile, '--out', out, '--layers', 'some'], /--layers.*some.*(all, last|all|last)/],
      [['adapt', model, a, path.join(tmp, 'original', 'a.nii.gz'), '--prior', priorFile, '--out', out], /would both be written as segmentations\/a.nii.gz/],
      [['adapt', model, a, '--prior', priorFile, '--out', out, '--intensity', 'dataset'], /^nonadj adapt: --intensity dataset needs a training set; adapt takes zscore, minmax, quantile\[:lower,upper\] or none \(a model trained with dataset statistics stores them\)\n$/],
    ];
    for (const [args, expected] of cases) {
      const r = runCli([...args, '--backend', 'cpu']);
      assert.equal(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, expected);
      assert.match(r.stderr, /^nonadj adapt: /);
      assert.equal(r.stderr.trim().split('\n').length <= 2, true, r.stderr);
    }
  });
});
