import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initEngine } from '../engine/initEngine.js';
import { makeTinyMeshNet } from '../../test/helpers/makeTinyMeshNet.js';
import { withInputShape } from './withInputShape.js';

describe('withInputShape', () => {
  before(async () => {
    await initEngine({ backend: 'cpu' });
  });

  it('frees the input shape of a fully convolutional net; same outputs, names and weight names', async () => {
    const net = makeTinyMeshNet({ inputShape: [8, 8, 8, 1], numClasses: 4 });
    const free = await withInputShape(net, [null, null, null, 1]);
    assert.deepEqual(free.inputs[0].shape, [null, null, null, null, 1]);
    assert.deepEqual(free.outputs[0].shape, [null, null, null, null, 4]);
    assert.equal(free.name, net.name);
    assert.deepEqual(free.layers.map((l) => l.name), net.layers.map((l) => l.name));
    assert.deepEqual(free.weights.map((w) => w.originalName), net.weights.map((w) => w.originalName));
    const x = tf.randomNormal([1, 8, 8, 8, 1], 0, 1, 'float32', 3);
    const gap = tf.tidy(() => tf.max(tf.abs(tf.sub(net.predict(x) as tf.Tensor, free.predict(x) as tf.Tensor))).dataSync()[0]);
    assert.equal(gap, 0);
    // Any size now: a 12×10×6 block, which the original refuses.
    const y = free.predict(tf.zeros([1, 12, 10, 6, 1])) as tf.Tensor;
    assert.deepEqual(y.shape, [1, 12, 10, 6, 4]);
    assert.throws(() => net.predict(tf.zeros([1, 12, 10, 6, 1])), /expected input to have shape/);
    tf.dispose([x, y]);
  });

  it('leaves frozen layers frozen unless asked; trainable: true unfreezes them all', async () => {
    const net = makeTinyMeshNet({ inputShape: [8, 8, 8, 1], numClasses: 4 });
    assert.equal(net.trainableWeights.length, 0);
    assert.equal((await withInputShape(net, [6, 6, 6, 1])).trainableWeights.length, 0);
    const open = await withInputShape(net, [6, 6, 6, 1], { trainable: true });
    assert.equal(open.trainableWeights.length, net.weights.length);
    assert.deepEqual(open.inputs[0].shape, [null, 6, 6, 6, 1]);
  });

  it('refuses a network with a layer that needs a fixed size, naming it', async () => {
    const input = tfl.input({ shape: [4, 4, 4, 1] });
    const conv = tfl.layers.conv3d({ filters: 2, kernelSize: 3, padding: 'same' }).apply(input) as tfl.SymbolicTensor;
    const flat = tfl.layers.flatten({ name: 'flat' }).apply(conv) as tfl.SymbolicTensor;
    const dense = tfl.layers.dense({ units: 3 }).apply(flat) as tfl.SymbolicTensor;
    const net = tfl.model({ inputs: input, outputs: dense, name: 'classifier' });
    await assert.rejects(withInputShape(net, [null, null, null, 1]), /model classifier has layer flat \(Flatten\), which needs a fixed input size/);
  });

  it('refuses a shape of another rank', async () => {
    const net = makeTinyMeshNet({ inputShape: [8, 8, 8, 1], numClasses: 4 });
    await assert.rejects(withInputShape(net, [8, 8, 1]), /takes rank 4 samples \(\[8, 8, 8, 1\]\), but the new shape is \[8, 8, 1\]/);
  });
});
