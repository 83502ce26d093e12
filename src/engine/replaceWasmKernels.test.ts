import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc } from '@tensorflow/tfjs-core';
import { registerWasmKernels } from './registerWasmKernels.js';
import { replaceWasmKernels } from './replaceWasmKernels.js';
import { initEngine } from './initEngine.js';

const kernelFunc = (name: string): unknown => tf.getKernel(name, 'wasm')?.kernelFunc;

describe('replaceWasmKernels', () => {
  let stockSlice: unknown;
  let stockNeg: unknown;
  before(async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    stockSlice = kernelFunc('Slice'); // nothing patched yet in this process
    stockNeg = kernelFunc('Neg');
    await initEngine({ backend: 'wasm' });
  });
  after(() => registerWasmKernels());

  it('makes the given kernels the only replaced ones: the others, and missing ones, go back to stock', () => {
    assert.notEqual(kernelFunc('Slice'), stockSlice, 'registerWasmKernels replaced Slice');
    const mine: KernelFunc = () => {
      throw new Error('not run');
    };
    assert.deepEqual(replaceWasmKernels([{ kernelName: 'Neg', backendName: 'wasm', kernelFunc: mine }]), ['Neg']);
    assert.equal(kernelFunc('Neg'), mine);
    assert.equal(kernelFunc('Slice'), stockSlice);
    assert.equal(tf.getKernel('UnsortedSegmentSum', 'wasm'), undefined, 'missing on stock wasm: unregistered again');
    // A replacement built over the stock kernel gets the stock config.
    let seen: unknown;
    replaceWasmKernels([{ kernelName: 'Neg', over: (stock) => ((seen = stock.kernelFunc), { ...stock }) }]);
    assert.equal(seen, stockNeg);
    replaceWasmKernels([]);
    assert.equal(kernelFunc('Neg'), stockNeg);
    assert.equal(tf.getKernelsForBackend('wasm').filter((c) => c.kernelName === 'Neg').length, 1);
  });

  it('rejects a kernel listed twice, and an over-replacement of a kernel the backend lacks', () => {
    const k = { kernelName: 'Neg', backendName: 'wasm', kernelFunc: (() => undefined) as unknown as KernelFunc };
    assert.throws(() => replaceWasmKernels([k, k]), /listed twice/);
    replaceWasmKernels([]);
    assert.throws(() => replaceWasmKernels([{ kernelName: 'NoSuchKernel', over: (s) => s }]), /no stock 'NoSuchKernel'/);
  });
});
