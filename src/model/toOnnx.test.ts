import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as ort from 'onnxruntime-node';
import { initEngine } from '../engine/initEngine.js';
import { readNiftiFile } from '../volume/niftiFile.js';
import { makeModSegNet } from './makeModSegNet.js';
import { makeUNet3d } from './makeUNet3d.js';
import { MaxUnpooling2D } from './MaxUnpooling2D.js';
import { loadModel } from './modelFiles.js';
import { withInputShape } from './withInputShape.js';
import { toOnnx } from './toOnnx.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BRAINCHOP = process.env.NONADJ_MESHNET_MODEL ?? '/work/shared/models/brainchop-model30chan50cls/model.json';

/** The exported model run by onnxruntime (1 thread) on `x`, and tfjs' predict of the same input. */
async function both(model: tfl.LayersModel, x: tf.Tensor): Promise<{ onnx: Float32Array; tfjs: Float32Array }> {
  const session = await ort.InferenceSession.create(toOnnx(model), { intraOpNumThreads: 1 });
  try {
    const out = await session.run({ input: new ort.Tensor('float32', x.dataSync() as Float32Array, x.shape) });
    const tfjs = tf.tidy(() => model.predict(x) as tf.Tensor).dataSync() as Float32Array;
    return { onnx: out.output.data as Float32Array, tfjs };
  } finally {
    await session.release();
  }
}

/** Max |softmax difference| over the last axis of two logit arrays with C channels, and the voxels whose argmax differs. */
function compare(a: Float32Array, b: Float32Array, C: number): { maxDiff: number; argmaxDiffers: number } {
  assert.equal(a.length, b.length);
  let maxDiff = 0;
  let argmaxDiffers = 0;
  const soft = (v: Float32Array, o: number): number[] => {
    const m = Math.max(...v.subarray(o, o + C));
    const e = Array.from(v.subarray(o, o + C), (z) => Math.exp(z - m));
    const s = e.reduce((p, q) => p + q, 0);
    return e.map((z) => z / s);
  };
  const argmax = (p: number[]): number => p.indexOf(Math.max(...p));
  for (let o = 0; o < a.length; o += C) {
    const pa = soft(a, o);
    const pb = soft(b, o);
    for (let c = 0; c < C; c++) maxDiff = Math.max(maxDiff, Math.abs(pa[c] - pb[c]));
    if (argmax(pa) !== argmax(pb)) argmaxDiffers++;
  }
  return { maxDiff, argmaxDiffers };
}

/** Every weight set to seeded random values (biases too, so that a zero input region gives positive tied windows). */
function randomiseWeights(model: tfl.LayersModel, seed: number): void {
  let next = seed;
  for (const layer of model.layers) {
    for (const w of layer.weights) {
      const shape = w.shape as number[];
      const name = w.originalName;
      const fanIn = shape.length > 1 ? shape.slice(0, -1).reduce((a, b) => a * b, 1) : 1;
      const values = tf.tidy(() => {
        if (name.endsWith('moving_variance') || name.endsWith('gamma')) return tf.randomUniform(shape, 0.5, 1.5, 'float32', next++);
        if (name.endsWith('bias') || name.endsWith('beta') || name.endsWith('moving_mean')) return tf.randomNormal(shape, 0.05, 0.2, 'float32', next++);
        return tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', next++);
      });
      w.write(values);
    }
  }
}

describe('toOnnx', () => {
  it('MaxUnpooling2D: ties go to the first maximum in row-major order, as the layer puts them (golden 4×4)', async () => {
    await initEngine({ backend: 'cpu' });
    const x = tfl.input({ shape: [4, 4, 1], name: 'x' });
    const pooled = tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, name: 'pool' }).apply(x) as tfl.SymbolicTensor;
    const unpooled = new MaxUnpooling2D({ name: 'unpool' }).apply([x, pooled]) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: x, outputs: unpooled });
    // Windows: all tied (→ top-left), top-right/bottom-left tied (→ top-right), bottom row tied (→ bottom-left), unique max.
    const input = tf.tensor4d([2, 2, 0, 3, 2, 2, 3, 1, 0, 0, 1, 0, 5, 5, 0, 9], [1, 4, 4, 1]);
    const { onnx, tfjs } = await both(model, input);
    const expected = [2, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 9];
    assert.deepEqual(Array.from(tfjs), expected);
    assert.deepEqual(Array.from(onnx), expected);
  });

  it('ModSegNet (2D, unpooling with ties from a zeroed quadrant): ORT softmax within 1e-4 of tfjs, same argmax', async () => {
    await initEngine({ backend: 'cpu' });
    const model = makeModSegNet({ inputShape: [32, 32, 3], numClasses: 6, filters: [4, 8, 8], seed: 2 });
    randomiseWeights(model, 3);
    // ReLU'd noise with an all-zero quadrant: every 2×2 window of the first convolutions there is tied.
    const x = tf.tidy(() => {
      const noise = tf.relu(tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 4));
      const mask = tf.tensor4d(Array.from({ length: 32 * 32 }, (_, i) => (i % 32 < 16 && i < 16 * 32 ? 0 : 1)), [1, 32, 32, 1]);
      return tf.mul(noise, mask);
    });
    const { onnx, tfjs } = await both(model, x);
    const r = compare(onnx, tfjs, 6);
    assert.ok(r.maxDiff < 1e-4, `max softmax difference ${r.maxDiff}`);
    assert.equal(r.argmaxDiffers, 0);
  });

  it('UNet3d (pool, UpSampling3D, reshaped concatenation): ORT within 1e-4 of tfjs, same argmax', async () => {
    await initEngine({ backend: 'cpu' });
    const model = makeUNet3d({ inputShape: [8, 8, 8, 1], numClasses: 4, filters: [2, 4, 4], seed: 5 });
    randomiseWeights(model, 6);
    const x = tf.randomNormal([2, 8, 8, 8, 1], 0, 1, 'float32', 7);
    const r = compare(...Object.values(await both(model, x)) as [Float32Array, Float32Array], 4);
    assert.ok(r.maxDiff < 1e-4, `max softmax difference ${r.maxDiff}`);
    assert.equal(r.argmaxDiffers, 0);
  });

  it('a MeshNet-like dilated 3D net with BatchNormalization (non-trivial statistics) and ReLU: within 1e-4, same argmax', async () => {
    await initEngine({ backend: 'cpu' });
    const input = tfl.input({ shape: [12, 12, 12, 1], name: 'input' });
    let h: tfl.SymbolicTensor = input;
    for (const [i, d] of [1, 2, 4, 2].entries()) {
      h = tfl.layers.conv3d({ filters: 5, kernelSize: 3, dilationRate: d, padding: 'same', name: `conv3d_${i}` }).apply(h) as tfl.SymbolicTensor;
      h = tfl.layers.batchNormalization({ name: `bn_${i}` }).apply(h) as tfl.SymbolicTensor;
      h = tfl.layers.reLU({ name: `relu_${i}` }).apply(h) as tfl.SymbolicTensor;
    }
    h = tfl.layers.dropout({ rate: 0.2, name: 'dropout' }).apply(h) as tfl.SymbolicTensor;
    const out = tfl.layers.conv3d({ filters: 3, kernelSize: 1, name: 'output' }).apply(h) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: out });
    randomiseWeights(model, 8);
    const x = tf.randomUniform([1, 12, 12, 12, 1], 0, 1, 'float32', 9);
    const session = await ort.InferenceSession.create(toOnnx(model), { intraOpNumThreads: 1 });
    const onnx = (await session.run({ input: new ort.Tensor('float32', x.dataSync() as Float32Array, x.shape) })).output.data as Float32Array;
    await session.release();
    // tfjs-layers 4.22 has no rank-5 BatchNormalization: the chain is run eagerly, BN by its inference formula.
    const tfjs = tf.tidy(() => {
      let t = x;
      for (const layer of model.layers.slice(1)) {
        if (layer.getClassName() !== 'BatchNormalization') {
          t = layer.apply(t) as tf.Tensor;
          continue;
        }
        const [gamma, beta, mean, variance] = layer.getWeights();
        t = tf.add(tf.mul(tf.div(tf.sub(t, mean), tf.sqrt(tf.add(variance, 1e-3))), gamma), beta);
      }
      return t;
    }).dataSync() as Float32Array;
    const r = compare(onnx, tfjs, 3);
    assert.ok(r.maxDiff < 1e-4, `max softmax difference ${r.maxDiff}`);
    assert.equal(r.argmaxDiffers, 0);
  });

  it('brainchop model30chan50cls on a 32³ crop of Colin27 (intensities in [0, 1]): the same labels as tfjs', { skip: !existsSync(BRAINCHOP) && `no model at ${BRAINCHOP}` }, async () => {
    await initEngine({ backend: 'wasm' });
    const { model: full } = await loadModel(BRAINCHOP);
    const model = await withInputShape(full, [32, 32, 32, 1]);
    const image = await readNiftiFile(path.join(root, 'data/ch2.nii.gz'), { expect: '3d' });
    const [nx, ny] = image.dims;
    const crop = new Float32Array(32 ** 3);
    const start = image.dims.map((n) => Math.floor(n / 2) - 16);
    for (let z = 0; z < 32; z++) {
      for (let y = 0; y < 32; y++) {
        for (let x = 0; x < 32; x++) crop[(z * 32 + y) * 32 + x] = Number(image.data[((start[2] + z) * ny + start[1] + y) * nx + start[0] + x]);
      }
    }
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of crop) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    for (let i = 0; i < crop.length; i++) crop[i] = (crop[i] - lo) / (hi - lo);
    const x = tf.tensor5d(crop, [1, 32, 32, 32, 1]);
    const { onnx, tfjs } = await both(model, x);
    const r = compare(onnx, tfjs, 50);
    assert.equal(r.argmaxDiffers, 0);
    assert.ok(r.maxDiff < 1e-4, `max softmax difference ${r.maxDiff}`);
  });

  it('refuses a layer it cannot export with an Error naming its class and name', async () => {
    await initEngine({ backend: 'cpu' });
    const input = tfl.input({ shape: [8, 8, 2] });
    const h = tfl.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', name: 'c' }).apply(input) as tfl.SymbolicTensor;
    const out = tfl.layers.layerNormalization({ name: 'norm_1' }).apply(h) as tfl.SymbolicTensor;
    assert.throws(() => toOnnx(tfl.model({ inputs: input, outputs: out, name: 'm' })), /layer norm_1 \(LayerNormalization\) of model m: layer class LayerNormalization is not supported/);
    const up = tfl.layers.upSampling2d({ size: [2, 2], interpolation: 'bilinear', name: 'up' }).apply(input) as tfl.SymbolicTensor;
    assert.throws(() => toOnnx(tfl.model({ inputs: input, outputs: up })), /layer up \(UpSampling2D\).*bilinear/);
  });
});
