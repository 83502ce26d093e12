import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as ort from 'onnxruntime-node';
import { initEngine } from '../engine/initEngine.js';
import { makeModSegNet } from './makeModSegNet.js';
import { toOnnxTraining } from './toOnnxTraining.js';

/** A seeded uniform generator (mulberry32; model/ does not import numeric/): `uniform(lo, hi)` as seededRandom's. */
function seededRandom(seed: number): { uniform(lo: number, hi: number): number } {
  let a = seed >>> 0;
  return {
    uniform(lo, hi) {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = Math.imul(a ^ (a >>> 15), a | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
    },
  };
}

/** The training graphs run by onnxruntime (1 thread): logits of `x`, and the weights' gradients of Σ logits·r. */
async function onnxPasses(model: tfl.LayersModel, x: tf.Tensor, r: Float32Array): Promise<{ logits: Float32Array; grads: Float32Array[] }> {
  const g = toOnnxTraining(model);
  const [forward, backward] = await Promise.all([ort.InferenceSession.create(g.forward, { intraOpNumThreads: 1 }), ort.InferenceSession.create(g.backward, { intraOpNumThreads: 1 })]);
  try {
    const weights: Record<string, ort.Tensor> = {};
    model.trainableWeights.forEach((w, i) => (weights[g.weights[i]] = new ort.Tensor('float32', w.read().dataSync() as Float32Array, w.shape as number[])));
    const out = await forward.run({ input: new ort.Tensor('float32', x.dataSync() as Float32Array, x.shape), ...weights });
    const feeds: Record<string, ort.Tensor> = { dlogits: new ort.Tensor('float32', r, out.logits.dims), ...weights };
    for (const name of g.saved) feeds[name] = out[name];
    const back = await backward.run(feeds);
    return { logits: out.logits.data as Float32Array, grads: g.grads.map((name) => back[name].data as Float32Array) };
  } finally {
    await Promise.all([forward.release(), backward.release()]);
  }
}

/** tfjs' own gradients of the same linear loss Σ logits·r (its tape: the independent implementation). */
function tfjsGrads(model: tfl.LayersModel, x: tf.Tensor, r: Float32Array): Float32Array[] {
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(() => {
    const logits = model.apply(x, { training: true }) as tf.Tensor;
    return tf.sum(tf.mul(logits, tf.tensor(r, logits.shape))) as tf.Scalar;
  }, variables);
  const list = variables.map((v) => Float32Array.from(grads[v.name].dataSync() as Float32Array));
  tf.dispose([value, ...Object.values(grads)]);
  return list;
}

/** Largest |a − b| over the largest |b| (1 at least): float32 rounding of sums over thousands of terms stays below 1e-4. */
function relativeError(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

function randomTensor(shape: number[], seed: number): tf.Tensor {
  const random = seededRandom(seed);
  return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => random.uniform(-1, 1)), shape);
}

describe('toOnnxTraining', () => {
  before(async () => {
    await initEngine({ backend: 'cpu' });
  });

  it("ModSegNet's weight gradients equal tfjs' tape's, and its logits tfjs' predict", async () => {
    // Two levels: convolutions with ReLU, max-pooling, max-unpooling with the encoder's argmax, concatenation, 1×1 classifier.
    const model = makeModSegNet({ inputShape: [16, 16, 3], numClasses: 4, filters: [4, 8], seed: 3 });
    const x = randomTensor([2, 16, 16, 3], 5);
    const random = seededRandom(7);
    const r = Float32Array.from({ length: 2 * 16 * 16 * 4 }, () => random.uniform(-1, 1));
    const onnx = await onnxPasses(model, x, r);
    const logits = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
    assert.ok(relativeError(onnx.logits, logits) < 1e-5, `logits ${relativeError(onnx.logits, logits)}`);
    const expected = tfjsGrads(model, x, r);
    assert.equal(onnx.grads.length, model.trainableWeights.length);
    expected.forEach((g, i) => {
      const e = relativeError(onnx.grads[i], g);
      assert.ok(e < 1e-4, `${model.trainableWeights[i].name}: relative error ${e}`);
    });
    // Not vacuous: every gradient has non-zero entries.
    onnx.grads.forEach((g, i) => assert.ok(g.some((v) => v !== 0), `${model.trainableWeights[i].name} is all zero`));
    model.dispose();
    x.dispose();
  });

  it('3D: dilated and valid convolutions, Add, ReLU and ELU layers and a bias-free convolution agree with tfjs too', async () => {
    const input = tfl.input({ shape: [10, 10, 10, 2] });
    const a = tfl.layers.conv3d({ filters: 3, kernelSize: 3, dilationRate: 2, padding: 'same', activation: 'relu', name: 'dilated' }).apply(input) as tfl.SymbolicTensor;
    const b = tfl.layers.conv3d({ filters: 3, kernelSize: 1, useBias: false, name: 'pointwise' }).apply(input) as tfl.SymbolicTensor;
    const sum = tfl.layers.add({ name: 'sum' }).apply([a, b]) as tfl.SymbolicTensor;
    const relu = tfl.layers.reLU({ name: 'relu' }).apply(sum) as tfl.SymbolicTensor;
    // MeshNet's pattern: a linear dilated convolution, then an ELU layer.
    const meshnet = tfl.layers.conv3d({ filters: 3, kernelSize: 3, dilationRate: [1, 2, 1], padding: 'same', name: 'mesh' }).apply(relu) as tfl.SymbolicTensor;
    const elu = tfl.layers.activation({ activation: 'elu', name: 'elu' }).apply(meshnet) as tfl.SymbolicTensor;
    const pooled = tfl.layers.maxPooling3d({ poolSize: 2, name: 'pool' }).apply(elu) as tfl.SymbolicTensor;
    const out = tfl.layers.conv3d({ filters: 2, kernelSize: [3, 2, 3], padding: 'valid', name: 'valid' }).apply(pooled) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: out });
    const x = randomTensor([2, 10, 10, 10, 2], 11);
    const random = seededRandom(13);
    const r = Float32Array.from({ length: 2 * 3 * 4 * 3 * 2 }, () => random.uniform(-1, 1));
    const onnx = await onnxPasses(model, x, r);
    tfjsGrads(model, x, r).forEach((g, i) => {
      const e = relativeError(onnx.grads[i], g);
      assert.ok(e < 1e-4, `${model.trainableWeights[i].name}: relative error ${e}`);
    });
    model.dispose();
    x.dispose();
  });

  it('a central finite difference of the loss matches the gradient of a few weights (float64 sums of the float32 logits)', async () => {
    const model = makeModSegNet({ inputShape: [8, 8, 1], numClasses: 3, filters: [3], seed: 9 });
    const x = randomTensor([1, 8, 8, 1], 17);
    const random = seededRandom(19);
    const r = Float32Array.from({ length: 8 * 8 * 3 }, () => random.uniform(-1, 1));
    const { grads } = await onnxPasses(model, x, r);
    const lossAt = (): number => {
      const logits = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
      let s = 0;
      for (let i = 0; i < r.length; i++) s += logits[i] * r[i];
      return s;
    };
    const h = 1e-3;
    // The first conv's kernel and bias, and the classifier's kernel: one weight of each.
    for (const [wi, j] of [[0, 4], [1, 1], [model.trainableWeights.length - 2, 2]] as const) {
      const v = model.trainableWeights[wi].read() as tf.Variable;
      const values = Float32Array.from(v.dataSync() as Float32Array);
      const at = (delta: number): number => {
        const changed = Float32Array.from(values);
        changed[j] += delta;
        v.assign(tf.tensor(changed, v.shape));
        return lossAt();
      };
      const numeric = (at(h) - at(-h)) / (2 * h);
      v.assign(tf.tensor(values, v.shape));
      // ReLU nets are piecewise linear: away from a kink the difference is exact up to float32 rounding of the logits.
      assert.ok(Math.abs(numeric - grads[wi][j]) <= 2e-3 * Math.max(1, Math.abs(numeric)), `weight ${wi}[${j}]: numeric ${numeric}, graph ${grads[wi][j]}`);
    }
    model.dispose();
    x.dispose();
  });

  it('refuses, naming the layer, what it does not cover (batch normalisation, dropout, strides)', () => {
    const input = tfl.input({ shape: [8, 8, 1] });
    const conv = tfl.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same' }).apply(input) as tfl.SymbolicTensor;
    const bn = tfl.model({ inputs: input, outputs: tfl.layers.batchNormalization({ name: 'bn' }).apply(conv) as tfl.SymbolicTensor, name: 'm' });
    assert.throws(() => toOnnxTraining(bn), /^Error: toOnnxTraining: layer bn \(BatchNormalization\) of model m: layer class BatchNormalization is not covered/);
    const drop = tfl.model({ inputs: input, outputs: tfl.layers.dropout({ rate: 0.5, name: 'drop' }).apply(conv) as tfl.SymbolicTensor, name: 'd' });
    assert.throws(() => toOnnxTraining(drop), /layer drop \(Dropout\).*not covered/);
    const strided = tfl.model({ inputs: input, outputs: tfl.layers.conv2d({ filters: 2, kernelSize: 3, strides: 2, name: 's' }).apply(input) as tfl.SymbolicTensor, name: 's' });
    assert.throws(() => toOnnxTraining(strided), /layer s \(Conv2D\).*strides 2×2 are not covered/);
  });
});
