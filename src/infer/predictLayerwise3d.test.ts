import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initEngine } from '../engine/initEngine.js';
import { layerwiseStages, predictLayerwise3d } from './predictLayerwise3d.js';

/**
 * A small MeshNet: dilated 3×3×3 convolutions with ELU (through an Activation layer, a LeakyReLU then an ELU layer,
 * and the convolution's own activation), then a 1×1×1 convolution to 4 logits. Free input size, so the whole run fits anywhere.
 */
function meshNet(): tfl.LayersModel {
  const init = (seed: number) => ({
    kernelInitializer: tfl.initializers.glorotNormal({ seed }),
    biasInitializer: tfl.initializers.randomNormal({ stddev: 0.3, seed: seed + 100 }),
  });
  const x = tfl.input({ shape: [null, null, null, 1] });
  let t = tfl.layers.conv3d({ filters: 3, kernelSize: 3, padding: 'same', ...init(1) }).apply(x) as tfl.SymbolicTensor;
  t = tfl.layers.activation({ activation: 'elu' }).apply(t) as tfl.SymbolicTensor;
  t = tfl.layers.conv3d({ filters: 4, kernelSize: 3, dilationRate: 2, padding: 'same', ...init(2) }).apply(t) as tfl.SymbolicTensor;
  t = tfl.layers.leakyReLU({ alpha: 0.2 }).apply(t) as tfl.SymbolicTensor;
  t = tfl.layers.elu().apply(t) as tfl.SymbolicTensor;
  t = tfl.layers.conv3d({ filters: 3, kernelSize: 3, dilationRate: [3, 1, 2], padding: 'same', activation: 'elu', ...init(3) }).apply(t) as tfl.SymbolicTensor;
  const out = tfl.layers.conv3d({ filters: 4, kernelSize: 1, ...init(4) }).apply(t) as tfl.SymbolicTensor;
  return tfl.model({ inputs: x, outputs: out });
}

const dims: [number, number, number] = [7, 6, 11]; // nx, ny, nz
const data = Float32Array.from({ length: dims[0] * dims[1] * dims[2] }, (_, i) => Math.sin(i * 1.7 + 0.4) * 2 + Math.cos(i * 0.13));

describe('predictLayerwise3d', () => {
  before(async () => {
    await initEngine({ backend: 'wasm' });
  });

  it('plans MeshNet-like chains and refuses models it cannot run in slabs', () => {
    const stages = layerwiseStages(meshNet())!;
    assert.deepEqual(stages.map((s) => s.halo), [[1, 1, 1], [2, 2, 2], [3, 1, 2], [0, 0, 0]]);
    assert.deepEqual(stages.map((s) => s.pointwise.map((l) => l.getClassName())), [['Activation'], ['LeakyReLU', 'ELU'], [], []]);
    const x = tfl.input({ shape: [8, 8, 8, 1] });
    const pooled = tfl.layers.maxPooling3d({ poolSize: 2 }).apply(tfl.layers.conv3d({ filters: 2, kernelSize: 3, padding: 'same' }).apply(x)) as tfl.SymbolicTensor;
    assert.equal(layerwiseStages(tfl.model({ inputs: x, outputs: pooled })), null);
    const strided = tfl.layers.conv3d({ filters: 2, kernelSize: 3, strides: 2, padding: 'same' }).apply(x) as tfl.SymbolicTensor;
    assert.equal(layerwiseStages(tfl.model({ inputs: x, outputs: strided })), null);
  });

  it('gives the whole-volume logits and labels whatever the slab size (slabs of 1 plane … the whole depth)', async () => {
    const model = meshNet();
    const [nx, ny, nz] = dims;
    const whole = tf.tidy(() => model.predict(tf.tensor5d(data, [1, nz, ny, nx, 1])) as tf.Tensor);
    const wholeLogits = (await whole.data()) as Float32Array;
    const wholeLabels = (await tf.argMax(whole, -1).data()) as Int32Array;
    whole.dispose();
    const before = tf.memory().numTensors;
    const seen = new Set<string>();
    for (const budget of [20_000, 40_000, 2 ** 30]) {
      const r = await predictLayerwise3d(model, { dims, data }, { scores: 'logits', memoryBudgetBytes: budget, classes: [10, 11, 12, 13] });
      seen.add(r.slabPlanes.join(','));
      let maxDiff = 0;
      for (let i = 0; i < wholeLogits.length; i++) maxDiff = Math.max(maxDiff, Math.abs(r.logits![i] - wholeLogits[i]));
      assert.ok(maxDiff < 1e-4, `budget ${budget}: logits differ by ${maxDiff}`);
      assert.deepEqual(Array.from(r.labels), Array.from(wholeLabels, (c) => 10 + c));
    }
    assert.equal(seen.size, 3, `three different slab plans: ${[...seen].join(' | ')}`);
    assert.ok(seen.has('5,1,1,7') && seen.has(`${nz},${nz},${nz},${nz}`), 'the smallest budget runs the dilated layers plane by plane');
    assert.equal(tf.memory().numTensors, before, 'no tensor leaked');
  });

  it('probabilities are the softmax of the logits', async () => {
    const model = meshNet();
    const r = await predictLayerwise3d(model, { dims, data }, { scores: 'probabilities' });
    const l = await predictLayerwise3d(model, { dims, data }, { scores: 'logits' });
    const soft = (await tf.softmax(tf.tensor2d(l.logits!, [l.labels.length, 4])).data()) as Float32Array;
    for (let i = 0; i < soft.length; i++) assert.ok(Math.abs(soft[i] - r.probabilities![i]) < 1e-6);
  });

  it('one clear error naming the tensor when a single plane does not fit, never a wasm fault', async () => {
    await assert.rejects(
      predictLayerwise3d(meshNet(), { dims, data }, { memoryBudgetBytes: 1000 }),
      /layer conv3d_\w+ needs 0.00 MiB of tensor memory for a single output plane \(input slab \[1, 3, 8, 9, 1\] float32\), over the budget of 0.00 MiB; crop the image/,
    );
  });
});
