import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { wasmCopyRows } from './wasmCopyRows.js';
import { setupParityBackends } from '../../../test/helpers/tfParity.js';

describe('wasmCopyRows', () => {
  before(setupParityBackends);

  it('copies strided rows of 7 floats (one 16-byte move and three 4-byte ones each) and nothing else', async () => {
    await tf.setBackend('wasm');
    const copyRows = wasmCopyRows(tf.backend());
    assert.notEqual(copyRows, null);
    assert.equal(wasmCopyRows({}), null);
    // Source: 3 rows of 10 (copy elements 2…8 of each); destination: rows of 9, the copy at column 1.
    const src = tf.tensor(Array.from({ length: 30 }, (_, i) => i));
    const dst = tf.fill([27], -1);
    const heap = tf.backend() as unknown as { typedArrayFromHeap(t: tf.TensorInfo): Float32Array };
    const [s, d] = [heap.typedArrayFromHeap(src), heap.typedArrayFromHeap(dst)];
    copyRows!(s.byteOffset + 4 * 2, d.byteOffset + 4, 3, 4 * 7, 4 * 10, 4 * 9);
    const want = [0, 1, 2].flatMap((r) => [-1, ...Array.from({ length: 7 }, (_, j) => 10 * r + 2 + j), -1]);
    assert.deepEqual(Array.from(dst.dataSync()), want);
  });
});
