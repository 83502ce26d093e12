import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../engine/initEngine.js';
import { makeSegmentationLoss } from '../loss/makeSegmentationLoss.js';
import { makeAtlasCropDataset, type AtlasCropDataset } from '../../test/helpers/segmenterFixtures.js';
import { readCheckpoint } from './checkpoint.js';
import { makeModSegNet } from '../model/makeModSegNet.js';
import { loadModel } from '../model/modelFiles.js';
import { trainSegmenter, type EpochRecord, type TrainSegmenterOptions, type TrainStepInfo } from './trainSegmenter.js';

let ds: AtlasCropDataset;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'nonadj-train-'));
let runs = 0;
const runDir = () => path.join(tmp, `run${runs++}`);

before(async () => {
  await initEngine({ backend: 'wasm' });
  ds = await makeAtlasCropDataset();
});
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Tiny settings: 24×24 coronal slices, k = 3, filters [4, 8], 4 training crops and 1 validation crop. */
function options(extra: Partial<TrainSegmenterOptions> = {}): TrainSegmenterOptions {
  return {
    outDir: runDir(),
    prior: ds.prior,
    train: ds.exams.slice(0, 4),
    validation: ds.exams.slice(4),
    load: ds.load,
    architecture: { filters: [4, 8], k: 3 },
    epochs: 2,
    stepsPerEpoch: 3,
    batchSize: 2,
    lambda: 0,
    optimizer: { kind: 'adam', learningRate: 1e-2 },
    augmentation: null,
    validationSamples: 4,
    seed: 7,
    ...extra,
  };
}

async function weightsOf(dir: string): Promise<Float32Array[]> {
  const { model } = await loadModel(dir);
  const values = model.getWeights().map((w) => w.dataSync() as Float32Array);
  model.dispose();
  return values;
}

describe('trainSegmenter', () => {
  test('a tiny ModSegNet trained on atlas crops lowers its loss; log, best model and summary are written', async () => {
    const steps: TrainStepInfo[] = [];
    const result = await trainSegmenter(options({ epochs: 4, stepsPerEpoch: 4, onStep: (s) => steps.push(s) }));
    assert.equal(result.status, 'completed');
    const losses = result.history.map((h) => h.train.total);
    assert.ok(losses[3] < losses[0], `epoch losses ${losses.join(', ')} should fall`);
    assert.equal(steps.length, 16);
    assert.deepEqual([steps[0].labelled, steps[0].unlabelled], [2, 0]);
    const log = readFileSync(result.files.log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as EpochRecord);
    assert.deepEqual(log.map((l) => l.epoch), [0, 1, 2, 3]);
    for (const l of log) {
      assert.ok(l.validation && l.validation.meanDice >= 0 && l.validation.meanDice <= 1);
      assert.ok(Number.isInteger(l.validation.exams[0].forbiddenContacts));
    }
    // Fixed λ with validation: best = highest validation Dice.
    const bestDice = Math.max(...log.map((l) => l.validation!.meanDice));
    assert.equal(log[result.bestEpoch!].validation!.meanDice, bestDice);
    const summary = JSON.parse(readFileSync(result.files.summary, 'utf8'));
    assert.equal(summary.status, 'completed');
    assert.equal(summary.bestEpoch, result.bestEpoch);
    const best = await loadModel(result.bestDir);
    assert.deepEqual(best.metadata?.classes, [0, 97, 103, 105, 107]);
    assert.deepEqual(best.metadata?.inputShape, [24, 24, 3]);
    assert.equal(best.metadata?.axis, 1);
    best.model.dispose();
  });

  test('no tensor leaks: the live tensor count is the same after every step', async () => {
    const counts: number[] = [];
    await trainSegmenter(options({ unlabelled: ds.exams.slice(4), onStep: () => counts.push(tf.memory().numTensors) }));
    assert.equal(new Set(counts.slice(0, 3)).size, 1, `tensors after each step of epoch 0: ${counts.join(', ')}`);
    assert.equal(new Set(counts.slice(3)).size, 1, `tensors after each step of epoch 1: ${counts.join(', ')}`);
  });

  test('with a fixed large λ the NonAdjLoss falls', async () => {
    const result = await trainSegmenter(options({ lambda: 200, epochs: 3, stepsPerEpoch: 4 }));
    const nonAdj = result.history.map((h) => h.train.nonAdjacency);
    assert.ok(nonAdj[2] < 0.5 * nonAdj[0], `NonAdjLoss per epoch ${nonAdj.join(', ')}`);
    assert.ok(result.history.every((h) => h.lambda === 200));
  });

  test('on the same seed, λ > 0 ends with fewer forbidden contacts than λ = 0 (hard labels, validation volumes)', async () => {
    // The toy version of the demo's comparison: the same start, the same batches, only the loss differs.
    const contacts = async (lambda: number) => {
      const r = await trainSegmenter(options({ lambda, epochs: 2, stepsPerEpoch: 6 }));
      return r.history.at(-1)!.validation!.forbiddenContacts;
    };
    const [control, constrained] = [await contacts(0), await contacts(500)];
    assert.ok(control > 0, `the control has forbidden contacts to remove (${control})`);
    assert.ok(constrained < control, `λ = 500: ${constrained} forbidden contacts, λ = 0: ${control}`);
  });

  test('λ auto: a warm-up epoch without NonAdjLoss, then λ = 0.3 × training Dice coefficient / NonAdjLoss, and the reference selection', async () => {
    const steps: TrainStepInfo[] = [];
    const result = await trainSegmenter(options({ lambda: 'auto', epochs: 3, onStep: (s) => steps.push(s) }));
    const [warm, second, third] = result.history;
    assert.ok(steps.filter((s) => s.epoch === 0).every((s) => s.lambda === 0));
    assert.equal(warm.lambda, 0);
    // λ set after the warm-up epoch from that epoch's means (the controller's formula).
    assert.ok(warm.train.diceCoefficient! > 0 && warm.train.diceCoefficient! <= 1);
    assert.ok(Math.abs(second.lambda - (0.3 * warm.train.diceCoefficient!) / warm.train.nonAdjacency) <= 1e-9 * second.lambda);
    assert.ok(steps.filter((s) => s.epoch === 1).every((s) => s.lambda === second.lambda));
    assert.match(warm.events.join(' '), /warm-up done: D₀ = /);
    assert.equal(third.lambda, second.lambda); // no change before 5 good epochs
    // Selection: the smallest validation NonAdjLoss among epochs ≥ 1 with Dice ≥ D₀ − 0.005, else epoch 0.
    const d0 = warm.validation!.meanDice;
    const eligible = result.history.slice(1).filter((h) => h.validation!.meanDice >= d0 - 0.005);
    const expected = eligible.length === 0 ? 0 : eligible.reduce((a, b) => (b.validation!.nonAdjacency <= a.validation!.nonAdjacency ? b : a)).epoch;
    assert.equal(result.bestEpoch, expected);
    const best = await loadModel(result.bestDir);
    assert.equal((best.metadata?.extra as { epoch: number }).epoch, expected);
    best.model.dispose();
  });

  test('λ auto needs validation exams and two epochs', async () => {
    await assert.rejects(trainSegmenter(options({ lambda: 'auto', validation: [] })), /lambda 'auto' needs validation exams/);
    await assert.rejects(trainSegmenter(options({ lambda: 'auto', epochs: 1 })), /at least 2 epochs/);
  });

  test('resume after an interruption gives bit-identical weights to an uninterrupted run (tfjs, and onnxruntime\'s training graphs)', async () => {
    for (const [kind, engine] of [['sgd', 'tfjs'], ['adam', 'tfjs'], ['adam', 'onnx']] as const) {
      const base = { optimizer: { kind, learningRate: 1e-2 }, engine, unlabelled: ds.exams.slice(4), augmentation: { probability: 0.6, alpha: 2, sigma: 3 } };
      const whole = await trainSegmenter(options({ ...base, outDir: runDir() }));
      const dir = runDir();
      const controller = new AbortController();
      // Interrupt mid-epoch 1 (after 4 of 6 steps).
      const first = await trainSegmenter(options({ ...base, outDir: dir, signal: controller.signal, onStep: (s) => s.globalStep === 4 && controller.abort() }));
      assert.equal(first.status, 'interrupted');
      assert.equal(first.globalStep, 4);
      const saved = await readCheckpoint<{ epoch: number; stepInEpoch: number }>(path.join(dir, 'checkpoint'));
      assert.deepEqual([saved.state.epoch, saved.state.stepInEpoch, saved.optimizer.step], [1, 1, 4]);
      saved.model.dispose();
      const resumed = await trainSegmenter(options({ ...base, outDir: dir, resume: true }));
      assert.equal(resumed.status, 'completed');
      const [a, b] = await Promise.all([weightsOf(path.join(whole.files.checkpoint)), weightsOf(path.join(dir, 'checkpoint'))]);
      assert.equal(a.length, b.length);
      a.forEach((w, i) => assert.deepEqual(Buffer.from(w.buffer), Buffer.from(b[i].buffer), `${kind} on ${engine}: weight ${i} differs`));
      const strip = (l: EpochRecord) => ({ ...l, seconds: 0, time: '' });
      assert.deepEqual(resumed.history.map(strip), whole.history.map(strip));
      assert.equal(readFileSync(resumed.files.log, 'utf8').trim().split('\n').length, 2);
    }
  });

  test('a resume with other options, or a new run in a used folder, is refused', async () => {
    const dir = runDir();
    await trainSegmenter(options({ outDir: dir, epochs: 1 }));
    await assert.rejects(trainSegmenter(options({ outDir: dir, epochs: 1 })), /already holds a training run/);
    await assert.rejects(trainSegmenter(options({ outDir: dir, epochs: 1, batchSize: 3, resume: true })), /cannot resume .* batchSize was 2, now 3/);
    await assert.rejects(trainSegmenter(options({ outDir: runDir(), resume: true })), /nothing to resume/);
  });

  test('--init: a pre-trained model is fine-tuned; a model with the wrong class count is refused', async () => {
    const first = await trainSegmenter(options({ epochs: 1 }));
    const tuned = await trainSegmenter(options({ init: path.join(first.bestDir, 'model.json'), lambda: 50, epochs: 1, architecture: undefined }));
    assert.deepEqual(tuned.metadata.inputShape, [24, 24, 3]);
    const wrong = makeModSegNet({ inputShape: [24, 24, 3], numClasses: 4, filters: [4, 8], seed: 1 });
    await assert.rejects(trainSegmenter(options({ init: wrong })), /outputs 4 classes but the prior has 5 labels/);
  });

  test('a non-finite loss with a fixed λ stops with a clear message and keeps the checkpoint', async () => {
    const dir = runDir();
    await assert.rejects(
      trainSegmenter(options({ outDir: dir, optimizer: { kind: 'sgd', learningRate: 1e12, momentum: 0.9 } })),
      /the loss is not finite .* training stopped, the last checkpoint .* is kept/,
    );
    const saved = await readCheckpoint<{ epoch: number }>(path.join(dir, 'checkpoint'));
    assert.equal(saved.state.epoch, 0);
    saved.model.dispose();
  });

  test('λ auto and a non-finite loss: λ × 0.9 per NaN epoch, the third reloads the last good checkpoint', async () => {
    // An absurd initial ratio makes λ ≈ 1e35 after the warm-up: the squared gradient overflows float32, so every
    // later step is non-finite and skipped.
    const result = await trainSegmenter(options({ lambda: 'auto', epochs: 5, stepsPerEpoch: 2, lambdaController: { initialRatio: 1e35 } }));
    const [warm, e1, e2, e3, e4] = result.history;
    assert.equal(warm.nanSteps, 0);
    for (const e of [e1, e2, e3]) assert.equal(e.nanSteps, 2);
    assert.ok(Math.abs(e2.lambda / e1.lambda - 0.9) < 1e-12 && Math.abs(e3.lambda / e2.lambda - 0.9) < 1e-12);
    assert.match(e3.events.join(' | '), /third NaN epoch: reload epoch 0 .*reloaded the checkpoint of epoch 0/);
    assert.equal(e4.lambda, e3.lambda * 0.9);
    assert.equal(result.bestEpoch, 0);
  });

  test('exams whose image and label grids differ are named', async () => {
    const bad = { id: 'mismatched', image: ds.exams[0].image, label: 'mem:/mismatched/label' };
    const small = ds.files.get(ds.exams[1].label as string)!;
    ds.files.set(bad.label, { ...small, dims: [24, 12, 23], data: small.data.subarray(0, 24 * 12 * 23) });
    await assert.rejects(trainSegmenter(options({ train: [bad], classWeights: 'uniform' })), /exam mismatched: image .* is 24×12×24 but label map .* is 24×12×23/);
  });

  test('3D: a tiny U-Net trains on patches and validates on whole volumes', async () => {
    const result = await trainSegmenter(options({ architecture: { kind: '3d', filters: [2, 4], patch: [8, 8, 8] }, epochs: 1, stepsPerEpoch: 2, validationSamples: 2 }));
    assert.equal(result.metadata.kind, '3d');
    assert.deepEqual(result.metadata.inputShape, [8, 8, 8, 1]);
    assert.ok(Number.isFinite(result.history[0].train.total));
    assert.ok(result.history[0].validation!.meanDice >= 0);
  });
});

describe('semi-supervised batch composition (METHOD.md §5)', () => {
  test('cross-entropy and Dice see only the labelled items, NonAdjLoss sees all', async () => {
    // The step's loss on a batch of b = 1 labelled + 3 unlabelled items: gradients w.r.t. each input item.
    const model = makeModSegNet({ inputShape: [8, 8, 3], numClasses: 5, filters: [2], seed: 2 });
    const loss = makeSegmentationLoss({ prior: ds.prior });
    const x = tf.randomNormal([4, 8, 8, 3], 0, 1, 'float32', 3);
    const y = tf.tensor(Int32Array.from({ length: 64 }, (_, i) => i % 5), [1, 8, 8], 'int32');
    const term = (name: 'crossEntropy' | 'dice' | 'nonAdjacency') =>
      tf.tidy(() => {
        const g = tf.grad((input: tf.Tensor) => {
          const p = model.apply(input, { training: true }) as tf.Tensor;
          return loss(tf.log(tf.maximum(p, 1e-7)), y, { lambda: 1 })[name];
        })(x);
        return Array.from(tf.sum(tf.abs(g), [1, 2, 3]).dataSync());
      });
    const ce = term('crossEntropy');
    const dice = term('dice');
    const nonAdj = term('nonAdjacency');
    assert.ok(ce[0] > 0 && dice[0] > 0 && nonAdj[0] > 0);
    assert.deepEqual(ce.slice(1), [0, 0, 0]);
    assert.deepEqual(dice.slice(1), [0, 0, 0]);
    assert.ok(nonAdj.slice(1).every((g) => g > 0), `NonAdjLoss gradient per unlabelled item: ${nonAdj.join(', ')}`);
    tf.dispose([x, y]);
    model.dispose();
  });

  test('each training step holds b labelled and 3b unlabelled samples', async () => {
    const steps: TrainStepInfo[] = [];
    await trainSegmenter(options({ unlabelled: ds.exams.slice(4), epochs: 1, stepsPerEpoch: 2, onStep: (s) => steps.push(s) }));
    assert.deepEqual(steps.map((s) => [s.labelled, s.unlabelled]), [[2, 6], [2, 6]]);
  });
});

describe('trainSegmenter with worker threads (--workers)', () => {
  test('2 workers: the 1-worker run up to float summation order, and an interrupted 2-worker run resumes with 1 worker', async () => {
    // SGD (its update is linear in the gradient; Adam's first steps would turn rounding-level gradients into ±lr moves),
    // λ 1 and unlabelled items, so every term of the loss and both parts of the batch are split between the workers.
    const base: Partial<TrainSegmenterOptions> = { lambda: 1, optimizer: { kind: 'sgd', learningRate: 1e-2 }, unlabelled: ds.exams.slice(0, 2), unlabelledPerLabelled: 1 };
    const one = await trainSegmenter(options(base));
    const two = await trainSegmenter(options({ ...base, workers: 2 }));
    const controller = new AbortController();
    const interrupted = options({ ...base, workers: 2, signal: controller.signal, onStep: (s) => s.globalStep === 4 && controller.abort() });
    assert.equal((await trainSegmenter(interrupted)).status, 'interrupted');
    const resumed = await trainSegmenter({ ...interrupted, resume: true, workers: 1, signal: undefined, onStep: undefined });
    for (const r of [two, resumed]) {
      assert.equal(r.status, 'completed');
      r.history.forEach((h, e) => {
        for (const key of ['total', 'crossEntropy', 'dice', 'nonAdjacency', 'diceCoefficient'] as const) {
          const [a, b] = [one.history[e].train[key] as number, h.train[key] as number];
          assert.ok(Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(a)), `epoch ${e} ${key}: 1 worker ${a}, 2 workers ${b}`);
        }
      });
      // Weights: ~1e-8 apart in practice (float32 summation order, see startParallelStep.test.ts); 1e-6 bounds it.
      const [wa, wb] = [one.model.getWeights(), r.model.getWeights()];
      let worst = 0;
      wa.forEach((w, i) => {
        const [x, y] = [w.dataSync(), wb[i].dataSync()];
        for (let j = 0; j < x.length; j++) worst = Math.max(worst, Math.abs(x[j] - y[j]));
      });
      assert.ok(worst <= 1e-6, `largest weight difference ${worst}`);
    }
    for (const r of [one, two, resumed]) r.model.dispose();
  });
});
