import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmKernels } from './registerWasmKernels.js';
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
  after(() => registerWasmKernels({ set: 'fast' }));

  it("'fast' replaces the slow stock kernels; 'fixesOnly' restores them; switching back works", () => {
    assert.notEqual(stockInput, conv2DBackpropInput);
    const fast = registerWasmKernels({ set: 'fast' });
    assert.equal(kernelFunc('Conv2DBackpropInput'), conv2DBackpropInput);
    const fixes = registerWasmKernels({ set: 'fixesOnly' });
    assert.equal(kernelFunc('Conv2DBackpropInput'), stockInput);
    assert.ok(!fixes.includes('Conv2DBackpropInput') && !fixes.includes('Conv3D'));
    assert.ok(fixes.includes('Conv2DBackpropFilter') && fixes.includes('MaxPoolGrad'));
    assert.deepEqual(registerWasmKernels(), fast);
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

  it("'convBackprop' keeps the earlier formulations and the stock data-movement kernels", () => {
    const fast = registerWasmKernels({ set: 'fast' });
    const previous = registerWasmKernels({ set: 'convBackprop' });
    for (const name of ['Slice', 'SplitV', 'Concat', 'Sum', 'Identity']) {
      assert.ok(fast.includes(name) && !previous.includes(name), name);
    }
    assert.notEqual(kernelFunc('Conv2DBackpropInput'), conv2DBackpropInput);
    assert.notEqual(kernelFunc('MaxPoolGrad'), maxPoolGrad);
    assert.deepEqual(registerWasmKernels({ set: 'fast' }), fast);
    assert.equal(kernelFunc('MaxPoolGrad'), maxPoolGrad);
  });

  it('rejects an unknown set', () => {
    assert.throws(() => registerWasmKernels({ set: 'turbo' as 'fast' }), RangeError);
  });
});
