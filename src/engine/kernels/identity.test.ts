import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmKernels } from '../registerWasmKernels.js';
import { replaceWasmKernels } from '../replaceWasmKernels.js';
import { backendDataIds, setupParityBackends } from '../../../test/helpers/tfParity.js';

describe('Identity (aliasing)', () => {
  before(setupParityBackends);
  after(() => registerWasmKernels());

  it('Identity shares the buffer, and the alias outlives its source', async () => {
    await tf.setBackend('wasm');
    const before = backendDataIds();
    const x = tf.tensor([1, 2, 3, 4], [2, 2]);
    const y = tf.clone(x); // the Identity kernel
    assert.equal(backendDataIds(), before + 1, 'one buffer for both');
    x.dispose();
    assert.deepEqual(Array.from(y.dataSync()), [1, 2, 3, 4]);
    y.dispose();
    assert.equal(backendDataIds(), before, 'freed with the last reference');
  });

  it('replaceWasmKernels([]) restores the copying stock Identity', async () => {
    replaceWasmKernels([]);
    await tf.setBackend('wasm');
    const x = tf.tensor([5, 6], [2]);
    const before = backendDataIds();
    const y = tf.clone(x);
    assert.equal(backendDataIds(), before + 1, 'a new buffer');
    tf.dispose([x, y]);
    registerWasmKernels();
  });
});
