import { describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine, type EngineBackend } from './initEngine.js';

describe('initEngine', () => {
  // Runs first in this process: the wasm runtime is created here.
  it('defaults to wasm in Node, patches its kernels, reports SIMD, and removes the wasm runtime’s process handlers', async () => {
    const handlers = [process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')];
    const info = await initEngine();
    assert.equal(info.backend, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    assert.equal(typeof info.simd, 'boolean');
    for (const k of ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPoolGrad', 'Conv3DBackpropInputV2', 'OneHot', 'UnsortedSegmentSum']) {
      assert.ok(info.patchedKernels.includes(k), k);
    }
    assert.deepEqual([process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')], handlers);
    assert.ok(tf.getGradient('Conv2D') !== undefined, 'gradients registered (via tfjs-layers)');
  });

  it('is idempotent', async () => {
    const a = await initEngine({ backend: 'wasm' });
    const b = await initEngine({ backend: 'wasm' });
    assert.deepEqual(b, a);
    const [dx] = tf.tidy(() => tf.grads((x: tf.Tensor) => tf.sum(tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid')))([tf.ones([1, 2, 2, 1])]));
    // One window of equal values: the gradient goes to its first element only.
    assert.deepEqual(Array.from(dx.dataSync()), [1, 0, 0, 0]);
    dx.dispose();
  });

  it("'cpu' patches Conv2DBackpropFilter and ResizeNearestNeighborGrad, adds the unpooling, optimiser and ReLU-gradient kernels, and never prints the Node banner", async () => {
    const warn = mock.method(console, 'warn', () => undefined);
    const log = mock.method(console, 'log', () => undefined);
    try {
      const info = await initEngine({ backend: 'cpu' });
      tf.tidy(() => tf.add(tf.tensor([1, 2]), 1).dataSync());
      assert.deepEqual(info, { backend: 'cpu', patchedKernels: ['Conv2DBackpropFilter', 'NonadjAdamUpdate', 'NonadjMaxUnpool2D', 'NonadjMaxUnpool2DGrad', 'NonadjReluGrad', 'NonadjSgdUpdate', 'ResizeNearestNeighborGrad'] });
      assert.equal(warn.mock.callCount(), 0);
      assert.equal(log.mock.callCount(), 0);
    } finally {
      warn.mock.restore();
      log.mock.restore();
    }
    await initEngine({ backend: 'wasm' });
    assert.equal(tf.getBackend(), 'wasm');
  });

  it("'tensorflow' without @tensorflow/tfjs-node tells the user to install it", async () => {
    await assert.rejects(initEngine({ backend: 'tensorflow' }), /npm install @tensorflow\/tfjs-node/);
  });

  it("'webgl'/'webgpu' not registered (Node) is a clear error; unknown names are rejected", async () => {
    await assert.rejects(initEngine({ backend: 'webgl' }), /backend 'webgl' is not registered; import '@tensorflow\/tfjs-backend-webgl'/);
    await assert.rejects(initEngine({ backend: 'webgpu' }), /backend 'webgpu' is not registered/);
    await assert.rejects(initEngine({ backend: 'gpu' as EngineBackend }), RangeError);
    assert.equal(tf.getBackend(), 'wasm');
  });
});
