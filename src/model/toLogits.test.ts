import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initEngine } from '../engine/initEngine.js';
import { makeModSegNet } from './makeModSegNet.js';
import { outputActivation } from './outputActivation.js';
import { toLogits } from './toLogits.js';

function convNet(activation: 'softmax' | 'linear' | 'sigmoid'): tfl.LayersModel {
  const x = tfl.input({ shape: [8, 8, 3] });
  const y = tfl.layers.conv2d({ filters: 4, kernelSize: 1, activation, name: 'head' }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: x, outputs: y, name: 'net' });
}

/** max |softmax(logitsModel(x)) − probsModel(x)| on a seeded input. */
function softmaxGap(probsModel: tfl.LayersModel, logitsModel: tfl.LayersModel, shape: number[]): number {
  return tf.tidy(() => {
    const x = tf.randomNormal(shape, 0, 1, 'float32', 7);
    const a = tf.softmax(logitsModel.predict(x) as tf.Tensor);
    const b = probsModel.predict(x) as tf.Tensor;
    return tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
  });
}

describe('toLogits', () => {
  before(async () => {
    await initEngine({ backend: 'cpu' });
  });

  it('returns a logits model unchanged', async () => {
    const logits = convNet('linear');
    assert.equal(await toLogits(logits), logits);
  });

  it('removes a softmax fused into the last conv, keeping the weights', async () => {
    const soft = convNet('softmax');
    const logits = await toLogits(soft);
    assert.equal(outputActivation(logits), 'linear');
    assert.equal(outputActivation(soft), 'softmax', 'the original model is untouched');
    assert.ok(softmaxGap(soft, logits, [2, 8, 8, 3]) < 1e-6);
  });

  it('removes a separate Softmax or Activation layer, sharing the layers', async () => {
    const x = tfl.input({ shape: [8, 8, 3] });
    const z = tfl.layers.conv2d({ filters: 4, kernelSize: 1, name: 'head' }).apply(x) as tfl.SymbolicTensor;
    for (const layer of [tfl.layers.softmax({ axis: -1 }), tfl.layers.activation({ activation: 'softmax' })]) {
      const soft = tfl.model({ inputs: x, outputs: layer.apply(z) as tfl.SymbolicTensor });
      const logits = await toLogits(soft);
      assert.equal(logits.getLayer('head'), soft.getLayer('head'));
      assert.ok(softmaxGap(soft, logits, [1, 8, 8, 3]) < 1e-6);
    }
  });

  it('rebuilds a model with custom layers (ModSegNet with a softmax head) exactly', async () => {
    const net = makeModSegNet({ inputShape: [16, 16, 3], numClasses: 5, filters: [2, 2], seed: 3 });
    // nonadj's builders output logits; put a softmax on top the way older models had it fused.
    const json = net.toJSON(null, false) as { config: { layers: Array<{ name: string; config: Record<string, unknown> }> } };
    json.config.layers.find((l) => l.name === 'classifier')!.config.activation = 'softmax';
    const soft = await tfl.models.modelFromJSON({ modelTopology: json } as unknown as Parameters<typeof tfl.models.modelFromJSON>[0]);
    soft.setWeights(net.getWeights());
    const logits = await toLogits(soft);
    assert.ok(softmaxGap(soft, logits, [1, 16, 16, 3]) < 1e-6);
  });

  it('refuses other activations', async () => {
    await assert.rejects(toLogits(convNet('sigmoid')), /activation 'sigmoid', expected 'softmax' or 'linear' logits/);
  });
});
