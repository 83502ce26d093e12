import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initEngine } from '../engine/initEngine.js';
import { makeSegmentationLoss } from '../loss/makeSegmentationLoss.js';
import { makeModSegNet } from '../model/makeModSegNet.js';
import { seededRandom } from '../numeric/seededRandom.js';
import { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import { makeGradientEngine } from './makeGradientEngine.js';

const notInstalled = async (): Promise<never> => {
  throw new Error("Cannot find package 'onnxruntime-node'");
};

describe('makeGradientEngine', () => {
  before(async () => {
    await initEngine({ backend: 'cpu' });
  });

  it('onnx and tfjs give the same loss terms, arg-max and gradients on a semi-supervised batch, and leak no tensor', async () => {
    const C = 4;
    const model = makeModSegNet({ inputShape: [16, 16, 2], numClasses: C, filters: [4, 8], seed: 5 });
    // Classes 1 and 3 may not touch: NonAdjLoss reaches the gradient on every item, the labelled ones and the rest.
    const prior = AdjacencyPrior.fromCounts(new Float64Array([9, 1, 1, 1, 1, 9, 1, 0, 1, 1, 9, 1, 1, 0, 1, 9]));
    const loss = makeSegmentationLoss({ prior, classWeights: [1, 1, 1, 1], diceWeight: 5, nanCheck: 'off' });
    const random = seededRandom(21);
    const x = tf.tensor(Float32Array.from({ length: 5 * 16 * 16 * 2 }, () => random.normal()), [5, 16, 16, 2]);
    const y = tf.tensor(Int32Array.from({ length: 2 * 16 * 16 }, (_, i) => Math.floor((i % 16) / 4)), [2, 16, 16], 'int32');
    const lossOf = (logits: tf.Tensor) => loss(logits, y, { lambda: 2 });
    const weights = () => model.trainableWeights.map((w) => w.read().dataSync() as Float32Array);
    const onnx = await makeGradientEngine(model, { engine: 'onnx' });
    const tfjs = await makeGradientEngine(model, { engine: 'tfjs' });
    assert.equal(onnx.kind, 'onnx');
    assert.match(onnx.description, /^onnxruntime-node \d+\.\d+\.\d+ \(training graphs\), 1 thread$/);
    assert.equal(tfjs.kind, 'tfjs');
    const tensors = tf.memory().numTensors;
    const a = await onnx.compute(x, 2, lossOf, weights);
    const b = await tfjs.compute(x, 2, lossOf, weights);
    for (const key of ['total', 'crossEntropy', 'dice', 'nonAdjacency'] as const) {
      const [u, v] = [a.terms[key].dataSync()[0], b.terms[key].dataSync()[0]];
      assert.ok(Math.abs(u - v) <= 1e-5 * Math.max(1, Math.abs(v)), `${key}: onnx ${u}, tfjs ${v}`);
    }
    assert.ok(b.terms.nonAdjacency.dataSync()[0] > 0, 'the batch has forbidden contacts to penalise');
    assert.deepEqual(a.predicted.shape, [2, 16, 16]);
    assert.deepEqual(a.predicted.dataSync(), b.predicted.dataSync());
    a.grads.forEach((g, i) => {
      const [u, v] = [g.dataSync(), b.grads[i].dataSync()];
      let diff = 0;
      let scale = 1e-3;
      for (let j = 0; j < u.length; j++) {
        diff = Math.max(diff, Math.abs(u[j] - v[j]));
        scale = Math.max(scale, Math.abs(v[j]));
      }
      assert.ok(diff / scale < 1e-4, `${model.trainableWeights[i].name}: relative difference ${diff / scale}`);
    });
    a.dispose();
    b.dispose();
    assert.equal(tf.memory().numTensors, tensors, 'compute leaves no tensor once its result is disposed');
    await onnx.dispose();
    await tfjs.dispose();
    tf.dispose([x, y]);
    model.dispose();
  });

  it("auto says why it trains on tfjs: onnxruntime-node missing, or a layer the graphs do not cover; onnx then refuses", async () => {
    const model = makeModSegNet({ inputShape: [8, 8, 1], numClasses: 2, filters: [2], seed: 1 });
    const missing = await makeGradientEngine(model, { loadRuntime: notInstalled });
    assert.equal(missing.description, 'tfjs cpu (onnxruntime-node not installed)');
    await assert.rejects(makeGradientEngine(model, { engine: 'onnx', loadRuntime: notInstalled }), /^Error: onnxruntime-node is not installed: npm install onnxruntime-node/);
    const input = tfl.input({ shape: [8, 8, 1] });
    const conv = tfl.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', name: 'c' }).apply(input) as tfl.SymbolicTensor;
    const bn = tfl.model({ inputs: input, outputs: tfl.layers.batchNormalization({ name: 'bn' }).apply(conv) as tfl.SymbolicTensor, name: 'withbn' });
    const uncovered = await makeGradientEngine(bn);
    assert.equal(uncovered.kind, 'tfjs');
    assert.match(uncovered.description, /^tfjs cpu \(not covered by the training graphs: layer bn \(BatchNormalization\) of model withbn/);
    await assert.rejects(makeGradientEngine(bn, { engine: 'onnx' }), /^Error: toOnnxTraining: layer bn/);
    await assert.rejects(makeGradientEngine(model, { threads: 0 }), /^RangeError: makeGradientEngine: threads 0/);
    model.dispose();
    bn.dispose();
  });
});
