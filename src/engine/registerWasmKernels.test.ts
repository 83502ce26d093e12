import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmKernels } from './registerWasmKernels.js';
import { replaceWasmKernels } from './replaceWasmKernels.js';
import { conv2DBackpropInput } from './kernels/conv2DBackpropInput.js';
import { maxPoolGrad } from './kernels/maxPoolGrad.js';
import { initEngine } from './initEngine.js';

const kernelFunc = (name: string): unknown => tf.getKernel(name, 'wasm')?.kernelFunc;

describe('registerWasmKernels', () => {
  let stockInput: unknown;
  before(async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    stockInput = kernelFunc('Conv2DBackpropInput'); // nothing patched yet in this process
    await initEngine({ backend: 'wasm' });
  });
  after(() => registerWasmKernels());

  it('installs the fixes and the speed-ups, and comes back after another set', () => {
    assert.notEqual(stockInput, conv2DBackpropInput);
    const names = registerWasmKernels();
    for (const name of ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPoolGrad', 'UnsortedSegmentSum', 'OneHot', 'Slice', 'Identity']) {
      assert.ok(names.includes(name), name);
    }
    assert.equal(kernelFunc('Conv2DBackpropInput'), conv2DBackpropInput);
    replaceWasmKernels([]);
    assert.equal(kernelFunc('Conv2DBackpropInput'), stockInput);
    assert.deepEqual(registerWasmKernels(), names);
    assert.equal(kernelFunc('Conv2DBackpropInput'), conv2DBackpropInput);
  });

  it('keeps the stock setupFunc of the kernels it replaces, and registers each kernel once', () => {
    registerWasmKernels();
    registerWasmKernels();
    const k = tf.getKernel('MaxPoolGrad', 'wasm');
    assert.equal(k?.kernelFunc, maxPoolGrad);
    assert.equal(typeof k?.setupFunc, 'function');
    assert.equal(tf.getKernelsForBackend('wasm').filter((c) => c.kernelName === 'MaxPoolGrad').length, 1);
  });
});
