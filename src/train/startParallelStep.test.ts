import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { initEngine } from '../engine/initEngine.js';
import { makeSegmentationLoss } from '../loss/makeSegmentationLoss.js';
import { makeModSegNet } from '../model/makeModSegNet.js';
import { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import { seededRandom } from '../numeric/seededRandom.js';
import type { StepBatch } from './makeBatchSource.js';
import { makeOptimizer } from './optimizer.js';
import { makeGradientEngine } from './makeGradientEngine.js';
import { runStep, type StepResult } from './runStep.js';
import { startParallelStep, type ParallelStep } from './startParallelStep.js';

// 4 labels on a chain 0–1–2–3 (and the background 0 touching all): 1–3 is forbidden, so the NonAdjLoss is not 0.
const C = 4;
const counts = [
  [9, 3, 3, 3],
  [3, 9, 3, 0],
  [3, 3, 9, 3],
  [3, 0, 3, 9],
];
const prior = AdjacencyPrior.fromCounts(counts);
const classWeights = [0.5, 1, 2, 1.5];
const diceWeight = 5;
const size = 16;
const k = 3;

/** A seeded batch of `labelled` + `unlabelled` 16×16×3 samples; `badLabel` puts label 99 into the last item. */
function makeBatch(seed: number, labelled: number, unlabelled: number, badLabel = false): StepBatch {
  const random = seededRandom(seed);
  const per = size * size * k;
  const labels = Int32Array.from({ length: labelled * size * size }, () => Math.floor(random.next() * C));
  if (badLabel) labels[labels.length - 1] = 99;
  return {
    labelled: Float32Array.from({ length: labelled * per }, () => 2 * random.next() - 1),
    labels,
    unlabelled: unlabelled > 0 ? Float32Array.from({ length: unlabelled * per }, () => 2 * random.next() - 1) : null,
    labelledCount: labelled,
    unlabelledCount: unlabelled,
    sampleShape: [size, size, k],
    labelShape: [size, size],
  };
}

const model = (): LayersModel => makeModSegNet({ inputShape: [size, size, k], numClasses: C, filters: [4, 8], seed: 5 });
const variablesOf = (m: LayersModel) => m.trainableWeights.map((w) => w.read() as tf.Variable);
/** Largest |a − b| over every value of two models' variables, pairwise. */
function largestDifference(a: readonly tf.Variable[], b: readonly tf.Variable[]): number {
  let worst = 0;
  a.forEach((v, i) => {
    const x = v.dataSync();
    const y = b[i].dataSync();
    for (let j = 0; j < x.length; j++) worst = Math.max(worst, Math.abs(x[j] - y[j]));
  });
  return worst;
}

describe('startParallelStep (2 worker threads, wasm)', () => {
  let parallel: ParallelStep | null = null;
  before(async () => {
    await initEngine({ backend: 'wasm' });
  });
  after(async () => {
    await parallel?.close();
  });

  test('a few steps with 2 workers give the 1-worker weights and loss values, within float summation tolerance', async () => {
    const one = model();
    const two = model();
    const oneVars = variablesOf(one);
    const twoVars = variablesOf(two);
    const loss = makeSegmentationLoss({ prior, classWeights, diceWeight, nanCheck: 'off' });
    const options = { kind: 'sgd' as const, learningRate: 0.05 };
    const oneOpt = makeOptimizer(oneVars, options);
    const twoOpt = makeOptimizer(twoVars, options);
    parallel = await startParallelStep(two, { workers: 2, prior, classWeights, diceWeight });
    const oneEngine = await makeGradientEngine(one, { engine: 'tfjs' });
    const results: Array<[StepResult, StepResult]> = [];
    let tensorsBefore = 0;
    // Semi-supervised batches (4 labelled + 6 unlabelled, λ 1): every term of the loss reaches the gradient, and the
    // shares are uneven in neither part but each worker gets labelled and unlabelled items.
    for (let s = 0; s < 4; s++) {
      const batch = makeBatch(100 + s, 4, 6);
      const a = await runStep(oneEngine, loss, oneOpt, oneVars, batch, 1, 0.05);
      const b = await parallel.run(twoOpt, twoVars, batch, 1, 0.05);
      results.push([a, b]);
      // The optimisers make their slots at the first update.
      if (s === 0) tensorsBefore = tf.memory().numTensors;
    }
    assert.equal(tf.memory().numTensors, tensorsBefore, 'no tensor leaked by the parallel steps');
    for (const [a, b] of results) {
      assert.equal(b.finite, true);
      for (const key of ['total', 'crossEntropy', 'dice', 'nonAdjacency'] as const) {
        assert.ok(Math.abs(a[key] - b[key]) <= 1e-5 * Math.max(1, Math.abs(a[key])), `${key}: 1 worker ${a[key]}, 2 workers ${b[key]}`);
      }
      // The arg-max is taken on logits equal up to rounding; a tie broken the other way would move it, not seen here.
      assert.equal(b.diceCoefficient, a.diceCoefficient);
    }
    // Tolerance: the two runs differ only in the order of float32 sums (the weight gradients sum over the batch's
    // pixels per item in one order or another, the shares' gradients are added afterwards): relative differences of
    // ~1e-7 per gradient, carried through 4 SGD steps of lr 0.05 to weights of size ~0.1–1. Measured: 3e-8 at most
    // (one float32 ulp of such weights); 1e-6 leaves a margin of 30 and is far below a real error (weighting a share's
    // NonAdjLoss wrongly moves the loss by 1 % and the weights by ~1e-3).
    const worst = largestDifference(oneVars, twoVars);
    assert.ok(worst <= 1e-6, `largest weight difference ${worst}`);
    oneOpt.dispose();
    twoOpt.dispose();
    one.dispose();
    two.dispose();
    await parallel.close();
    parallel = null;
  });

  test('on onnxruntime (training graphs in each worker), 2 workers give the 1-worker weights after 3 Adam steps', async () => {
    const one = model();
    const two = model();
    const oneVars = variablesOf(one);
    const twoVars = variablesOf(two);
    const loss = makeSegmentationLoss({ prior, classWeights, diceWeight, nanCheck: 'off' });
    const oneOpt = makeOptimizer(oneVars, { kind: 'adam', learningRate: 0.01 });
    const twoOpt = makeOptimizer(twoVars, { kind: 'adam', learningRate: 0.01 });
    const oneEngine = await makeGradientEngine(one, { engine: 'onnx' });
    parallel = await startParallelStep(two, { workers: 2, prior, classWeights, diceWeight, engine: 'onnx' });
    assert.match(parallel.engine, /^onnxruntime-node .* \(training graphs\), 1 thread$/);
    for (let s = 0; s < 3; s++) {
      const batch = makeBatch(300 + s, 4, 4);
      const a = await runStep(oneEngine, loss, oneOpt, oneVars, batch, 1, 0.01);
      const b = await parallel.run(twoOpt, twoVars, batch, 1, 0.01);
      assert.ok(Math.abs(a.total - b.total) <= 1e-5 * Math.max(1, Math.abs(a.total)), `step ${s}: total ${a.total} vs ${b.total}`);
    }
    // Adam's first steps move each weight by ~lr whatever the gradient's size, so summation-order differences of
    // the gradients (~1e-7 relative) change the weights by far less than 1e-4 (a wrong share weighting: ~1e-2).
    const worst = largestDifference(oneVars, twoVars);
    assert.ok(worst <= 1e-4, `largest weight difference ${worst}`);
    await oneEngine.dispose();
    await parallel.close();
    parallel = null;
    oneOpt.dispose();
    twoOpt.dispose();
    one.dispose();
    two.dispose();
  });

  test('the same steps twice with 3 workers give the same weights, bit for bit (the all-reduce sums in a fixed order)', async () => {
    const runTwice: Float32Array[][] = [];
    for (let run = 0; run < 2; run++) {
      const m = model();
      const vars = variablesOf(m);
      const opt = makeOptimizer(vars, { kind: 'adam', learningRate: 0.01 });
      parallel = await startParallelStep(m, { workers: 3, prior, classWeights, diceWeight });
      // 5 labelled + 4 unlabelled: uneven shares (1, 2, 2 and 1, 1, 2 items), and the parameters split in 3 uneven parts.
      for (let s = 0; s < 3; s++) await parallel.run(opt, vars, makeBatch(200 + s, 5, 4), 1, 0.01);
      await parallel.close();
      parallel = null;
      runTwice.push(vars.map((v) => Float32Array.from(v.dataSync())));
      opt.dispose();
      m.dispose();
    }
    const [a, b] = runTwice;
    a.forEach((w, i) => assert.deepEqual(new Uint32Array(w.buffer), new Uint32Array(b[i].buffer), `variable ${i}`));
  });

  test("a worker's failure is reported as one error naming it, and the other worker is freed", async () => {
    const m = model();
    const vars = variablesOf(m);
    const opt = makeOptimizer(vars, { kind: 'sgd' });
    parallel = await startParallelStep(m, { workers: 2, prior, classWeights, diceWeight });
    const before = vars.map((v) => Float32Array.from(v.dataSync()));
    // Label 99 lies in the second share only: worker 2 throws in its loss, worker 1 is waiting for its sums.
    await assert.rejects(parallel.run(opt, vars, makeBatch(7, 4, 0, true), 1, 0.01), /^Error: trainSegmenter: worker 2 of 2 failed: .*labels lie outside \[0, 4\)/);
    vars.forEach((v, i) => assert.deepEqual(v.dataSync(), before[i], 'no update after a failure'));
    await assert.rejects(parallel.run(opt, vars, makeBatch(8, 4, 0), 1, 0.01), /worker 2 of 2 failed/);
    await parallel.close();
    parallel = null;
    opt.dispose();
    m.dispose();
  });
});
