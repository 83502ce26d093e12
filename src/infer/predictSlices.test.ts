import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initEngine } from '../engine/initEngine.js';
import { predictSlices } from './predictSlices.js';

/**
 * A 2-class model that looks at one input channel only: logits (v, −v) of channel `channel` (the model outputs logits).
 * So class 0 wins where that channel's voxel is > 0, and p0 = 1 / (1 + e^(−2v)).
 */
function channelModel(height: number, width: number, k: number, channel: number): tfl.LayersModel {
  const x = tfl.input({ shape: [height, width, k] });
  const conv = tfl.layers.conv2d({ filters: 2, kernelSize: 1, useBias: false, name: 'pick' });
  const model = tfl.model({ inputs: x, outputs: conv.apply(x) as tfl.SymbolicTensor });
  const w = new Float32Array(k * 2);
  w[channel * 2] = 1;
  w[channel * 2 + 1] = -1;
  conv.setWeights([tf.tensor4d(w, [1, 1, k, 2])]);
  return model;
}

const dims: [number, number, number] = [5, 4, 3];
const data = Float32Array.from({ length: 60 }, (_, i) => Math.sin(i * 2.3 + 0.4) * 3);

/** Independent oracle: neighbour slice along `axis` with numpy-reflect mirroring of small offsets. */
function valueAt(i: number, j: number, k: number, axis: number, offset: number): number {
  const c = [i, j, k];
  const n = dims[axis];
  let s = c[axis] + offset;
  if (s < 0) s = -s;
  if (s >= n) s = 2 * (n - 1) - s;
  c[axis] = s;
  return data[c[0] + c[1] * dims[0] + c[2] * dims[0] * dims[1]];
}

describe('predictSlices', () => {
  before(async () => {
    await initEngine({ backend: 'cpu' });
  });

  for (const axis of [0, 1, 2] as const) {
    for (const channel of [0, 1, 2]) {
      it(`stacks k = 3 reflected slices and writes each slice back in place (axis ${axis}, channel ${channel})`, async () => {
        // 8×7 model input: every slice (≤ 4×5) is zero-padded around, with odd extra padding.
        const model = channelModel(8, 7, 3, channel);
        const before = tf.memory().numTensors;
        const progress: Array<[number, number]> = [];
        const result = await predictSlices(
          model,
          { dims, data },
          { axis, batchSize: 2, classes: [10, 20], output: 'labelsAndProbabilities', onProgress: (d, t) => progress.push([d, t]) },
        );
        assert.equal(tf.memory().numTensors, before, 'no tensor leaked');
        assert.equal(result.numClasses, 2);
        const depth = dims[axis];
        assert.deepEqual(progress.at(-1), [depth, depth]);
        for (let k = 0; k < dims[2]; k++)
          for (let j = 0; j < dims[1]; j++)
            for (let i = 0; i < dims[0]; i++) {
              const v = i + j * dims[0] + k * dims[0] * dims[1];
              const x = valueAt(i, j, k, axis, channel - 1);
              assert.equal(result.labels[v], x > 0 ? 10 : 20, `voxel ${i},${j},${k}`);
              const p0 = 1 / (1 + Math.exp(-2 * x));
              assert.ok(Math.abs(result.probabilities![2 * v] - p0) < 1e-5);
              assert.ok(Math.abs(result.probabilities![2 * v + 1] - (1 - p0)) < 1e-5);
            }
      });
    }
  }

  it('labelsAndLogits: the model\'s raw outputs, without softmax, in place of probabilities', async () => {
    // channelModel's logits are (x, −x) at the voxel's value x (the probabilities above are their softmax).
    const result = await predictSlices(channelModel(4, 5, 1, 0), { dims, data }, { axis: 2, output: 'labelsAndLogits' });
    assert.equal(result.probabilities, undefined);
    assert.deepEqual(Array.from(result.logits!), Array.from(data).flatMap((x) => [Math.fround(x), Math.fround(-x)]));
  });

  it('keeps only labels by default', async () => {
    const result = await predictSlices(channelModel(4, 5, 1, 0), { dims, data }, { axis: 2 });
    assert.equal(result.probabilities, undefined);
    assert.deepEqual(Array.from(result.labels), Array.from(data, (x) => (x > 0 ? 0 : 1)));
  });

  it('rejects slices larger than the model input, a wrong k and a wrong class list', async () => {
    await assert.rejects(predictSlices(channelModel(2, 8, 3, 0), { dims, data }, { axis: 1 }), /slices along axis 1 are 3×5, larger than the model's input 2×8/);
    await assert.rejects(predictSlices(channelModel(8, 8, 3, 0), { dims, data }, { axis: 1, k: 5 }), /k is 5, but model .* takes 3 channels/);
    await assert.rejects(predictSlices(channelModel(8, 8, 3, 0), { dims, data }, { axis: 1, classes: [1, 2, 3] }), /classes lists 3 label codes, expected 2/);
  });
});
