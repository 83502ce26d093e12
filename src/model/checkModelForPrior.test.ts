import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initEngine } from '../engine/initEngine.js';
import { checkModelForPrior } from './checkModelForPrior.js';
import { makeModSegNet } from './makeModSegNet.js';
import { makeUNet3d } from './makeUNet3d.js';
import { MaxUnpooling2D } from './MaxUnpooling2D.js';

function convNet(activation: 'softmax' | 'linear' | 'sigmoid', classes = 4, name = 'net'): tfl.LayersModel {
  const x = tfl.input({ shape: [8, 8, 3] });
  const y = tfl.layers.conv2d({ filters: classes, kernelSize: 1, activation, name: 'head' }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: x, outputs: y, name });
}

describe('checkModelForPrior', () => {
  before(async () => {
    await initEngine({ backend: 'cpu' });
  });

  it('accepts nonadj’s models and logits, with no warning', () => {
    const seg = makeModSegNet({ inputShape: [16, 16, 7], numClasses: 5, filters: [2, 2] });
    assert.deepEqual(checkModelForPrior(seg, { numClasses: 5, inputShape: [16, 16, 7] }), { outputShape: [16, 16, 5], warnings: [] });
    const u = makeUNet3d({ inputShape: [4, 4, 4, 1], numClasses: 3, filters: [2, 2] });
    assert.deepEqual(checkModelForPrior(u, { numClasses: 3 }).warnings, []);
    assert.deepEqual(checkModelForPrior(convNet('linear'), { numClasses: 4 }).warnings, []);
  });

  it('errors on a class count or input shape that differs from the prior, with both numbers', () => {
    const model = convNet('linear', 20, 'small');
    assert.throws(
      () => checkModelForPrior(model, { numClasses: 117 }),
      /checkModelForPrior: model small outputs 20 classes but the prior has 117 labels/,
    );
    assert.throws(() => checkModelForPrior(model, { numClasses: 20, inputShape: [8, 8, 7] }), /takes input \[8, 8, 3\] per sample, expected \[8, 8, 7\]/);
    assert.throws(() => checkModelForPrior(model, { numClasses: 20, inputShape: [8, 8] }), /takes input \[8, 8, 3\] per sample, expected \[8, 8\]/);
  });

  it('accepts any size where the model’s input is free', () => {
    const x = tfl.input({ shape: [null, null, 3] });
    const y = tfl.layers.conv2d({ filters: 2, kernelSize: 1 }).apply(x) as tfl.SymbolicTensor;
    assert.deepEqual(checkModelForPrior(tfl.model({ inputs: x, outputs: y }), { numClasses: 2, inputShape: [96, 80, 3] }).warnings, []);
  });

  it('errors on a softmax (pointing to toLogits) and other activations; warns when it cannot tell', () => {
    assert.throws(() => checkModelForPrior(convNet('softmax'), { numClasses: 4 }), /ends in a softmax \(layer head\).*toLogits/);
    assert.throws(() => checkModelForPrior(convNet('sigmoid'), { numClasses: 4 }), /ends in activation 'sigmoid'/);
    // tfjs-layers' Softmax layer defaults to axis 1 (rows here), which is not a softmax over the classes.
    const x1 = tfl.input({ shape: [8, 8, 4] });
    const rows = tfl.model({ inputs: x1, outputs: tfl.layers.softmax().apply(x1) as tfl.SymbolicTensor });
    assert.throws(() => checkModelForPrior(rows, { numClasses: 4 }), /ends in activation 'softmax over axis 1'/);
    const a = tfl.input({ shape: [4, 4, 2] });
    const b = tfl.input({ shape: [2, 2, 2] });
    const custom = tfl.model({ inputs: [a, b], outputs: new MaxUnpooling2D().apply([a, b]) as tfl.SymbolicTensor });
    assert.throws(() => checkModelForPrior(custom, { numClasses: 2 }), /has 2 inputs and 1 outputs, expected one of each/);
    const x = tfl.input({ shape: [4, 4, 2] });
    const p = tfl.layers.maxPooling2d({ poolSize: 2 }).apply(x) as tfl.SymbolicTensor;
    const unknown = tfl.model({ inputs: x, outputs: new MaxUnpooling2D().apply([x, p]) as tfl.SymbolicTensor });
    const { warnings } = checkModelForPrior(unknown, { numClasses: 2 });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /cannot tell whether the last layer \(MaxUnpooling2D\) outputs logits/);
  });

  it('errors on an output that is not per-pixel channels-last', () => {
    const x = tfl.input({ shape: [3] });
    const y = tfl.layers.dense({ units: 2 }).apply(x) as tfl.SymbolicTensor;
    assert.throws(() => checkModelForPrior(tfl.model({ inputs: x, outputs: y }), { numClasses: 2 }), /output is \[2\] per sample, expected \[H, W, C\]/);
  });
});
