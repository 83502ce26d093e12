import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { isWasmHeapBackend, supportsHeapAlias, wasmHeapOf, withHeapAlias } from './wasmHeap.js';
import { backendDataIds, setupParityBackends } from '../../../test/helpers/tfParity.js';

describe('wasm heap helpers', () => {
  before(setupParityBackends);

  it('reads a shifted window of a buffer without copying, and unregisters it afterwards', async () => {
    await tf.setBackend('wasm');
    const heap = wasmHeapOf('test', tf.backend());
    assert.ok(supportsHeapAlias(heap));
    const base = tf.tensor([1, 2, 3, 4, 5, 6], [6]);
    const ids = backendDataIds();
    // Elements 2…5 of [1…6] as a [2, 2] tensor: [[3, 4], [5, 6]]; summing through a kernel reads it.
    const sums = withHeapAlias(heap, base, 2, [2, 2], (alias) => {
      const s = tf.engine().runKernel('Sum', { x: alias as unknown as tf.Tensor }, { axis: [1], keepDims: false }) as tf.Tensor;
      const v = Array.from(s.dataSync());
      s.dispose();
      return v;
    });
    assert.deepEqual(sums, [7, 11]);
    assert.equal(backendDataIds(), ids, 'the alias is gone');
    assert.deepEqual(Array.from(base.dataSync()), [1, 2, 3, 4, 5, 6], 'the base buffer is intact');
    assert.throws(() => withHeapAlias(heap, base, 3, [2, 2], () => 0), RangeError);
    assert.throws(() => withHeapAlias(heap, base, 0, [1], () => { throw new Error('inner'); }), /inner/);
    assert.equal(backendDataIds(), ids, 'unregistered after a throw too');
    base.dispose();
  });

  it('isWasmHeapBackend tells the wasm backend from cpu; wasmHeapOf names the kernel when it is not', () => {
    assert.ok(isWasmHeapBackend(tf.findBackend('wasm')));
    assert.ok(!isWasmHeapBackend(tf.findBackend('cpu')));
    assert.ok(!isWasmHeapBackend(null));
    assert.throws(() => wasmHeapOf('Foo', tf.findBackend('cpu')), /Foo: this formulation needs the wasm backend/);
  });
});
