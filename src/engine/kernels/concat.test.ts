import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmKernels } from '../registerWasmKernels.js';
import { assertAllClose, backendDataIds, runOn, seededUniform, setupParityBackends } from '../../../test/helpers/tfParity.js';

/** `tf.concat` of seeded tensors of `shapes` on wasm and cpu, compared exactly (it only copies). */
async function parity(shapes: number[][], axis: number, dtype: 'float32' | 'int32' = 'float32'): Promise<void> {
  const f = (): tf.Tensor =>
    tf.concat(
      shapes.map((s, i) => tf.tensor(seededUniform(s, 20 + i).map((v) => (dtype === 'int32' ? Math.round(v * 100) : v)), s, dtype)),
      axis,
    );
  assertAllClose(await runOn('wasm', f), await runOn('cpu', f), 0, `concat ${JSON.stringify(shapes)} axis ${axis} ${dtype}`);
}

describe('Concat (stock cpu kernel as oracle)', () => {
  before(setupParityBackends);
  after(() => registerWasmKernels());

  it('golden: two [1,2,2] maps on the last axis interleave their rows', async () => {
    // a = [[1,2],[3,4]], b = [[5,6],[7,8]] → rows [1,2,5,6], [3,4,7,8].
    const [got] = await runOn('wasm', () => tf.concat([tf.tensor([1, 2, 3, 4], [1, 2, 2]), tf.tensor([5, 6, 7, 8], [1, 2, 2])], 2));
    assert.deepEqual(Array.from(got), [1, 2, 5, 6, 3, 4, 7, 8]);
  });

  it('matches cpu: ModSegNet skip (short rows), long rows, first axis, three inputs, int32, an empty input', async () => {
    await parity([[2, 6, 6, 32], [2, 6, 6, 32]], 3);
    await parity([[2, 3, 80], [2, 3, 40]], 2);
    await parity([[1, 4, 5], [3, 4, 5]], 0);
    await parity([[2, 3, 4, 1], [2, 3, 4, 5], [2, 3, 4, 2]], -1);
    await parity([[3, 4, 2], [3, 4, 6]], 2, 'int32');
    await parity([[2, 0, 3], [2, 4, 3], [2, 1, 3]], 1);
  });

  it('leaves no data buffer behind', async () => {
    await tf.setBackend('wasm');
    const a = tf.ones([2, 4, 4, 8]);
    const b = tf.zeros([2, 4, 4, 3]);
    const before = backendDataIds();
    tf.concat([a, b], 3).dispose();
    assert.equal(backendDataIds(), before);
    tf.dispose([a, b]);
  });
});
