import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { heapFunction, moduleBytes, op } from './wasmHeapModule.js';
import { setupParityBackends } from '../../../test/helpers/tfParity.js';

describe('wasmHeapModule', () => {
  before(setupParityBackends);

  it('assembles a function that writes into tfjs-backend-wasm\'s memory: i32.store(addr, value)', async () => {
    await tf.setBackend('wasm');
    const bytes = moduleBytes('put', [op.i32, op.i32], [], [...op.get(0), ...op.get(1), ...op.i32Store]);
    const put = heapFunction(bytes, 'put', tf.backend());
    assert.notEqual(put, null);
    assert.equal(heapFunction(bytes, 'put', tf.backend()), put, 'one instance per memory');
    const t = tf.zeros([3], 'int32');
    const view = (tf.backend() as unknown as { typedArrayFromHeap(t: tf.TensorInfo): Int32Array }).typedArrayFromHeap(t);
    put!(view.byteOffset + 4, 123456);
    assert.deepEqual(Array.from(t.dataSync()), [0, 123456, 0]);
  });

  it('gives null without a wasm memory or for bytes that do not compile, and checks i32.const', () => {
    const bytes = moduleBytes('f', [], [], []);
    assert.equal(heapFunction(bytes, 'f', {}), null);
    assert.equal(heapFunction(new Uint8Array([0, 1, 2]), 'f', tf.findBackend('wasm')), null);
    assert.throws(() => op.const(64), RangeError);
  });
});
