import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initEngine } from '../engine/initEngine.js';
import { patchStarts, predictPatches3d } from './predictPatches3d.js';

const patch: [number, number, number] = [4, 4, 4];

/** Voxel-wise 2-class model: logits (v, −v), so p0 = 1 / (1 + e^(−2v)) whatever the patch position. */
function pointModel(): tfl.LayersModel {
  const x = tfl.input({ shape: [...patch, 1] });
  const conv = tfl.layers.conv3d({ filters: 2, kernelSize: 1, useBias: false });
  const model = tfl.model({ inputs: x, outputs: conv.apply(x) as tfl.SymbolicTensor });
  conv.setWeights([tf.tensor5d([1, -1], [1, 1, 1, 1, 2])]);
  return model;
}

/** A model whose output depends on the position in the patch (zero 'same' padding), so blending matters. */
function contextModel(): tfl.LayersModel {
  const x = tfl.input({ shape: [...patch, 1] });
  const conv = tfl.layers.conv3d({ filters: 3, kernelSize: 3, padding: 'same', kernelInitializer: tfl.initializers.glorotNormal({ seed: 3 }) });
  return tfl.model({ inputs: x, outputs: conv.apply(x) as tfl.SymbolicTensor });
}

function volume(dims: [number, number, number]): Float32Array {
  return Float32Array.from({ length: dims[0] * dims[1] * dims[2] }, (_, i) => Math.sin(i * 1.9 + 0.3) * 2);
}

describe('patchStarts', () => {
  it('tiles with the overlap and ends at the edge', () => {
    assert.deepEqual(patchStarts(10, 4, 0.5), [0, 2, 4, 6]); // stride 2, last 10 − 4 = 6
    assert.deepEqual(patchStarts(9, 4, 0.5), [0, 2, 4, 5]); // 4 + 4 < 9 → then 9 − 4 = 5
    assert.deepEqual(patchStarts(10, 4, 0), [0, 4, 6]);
    assert.deepEqual(patchStarts(3, 4, 0.5), [0]);
    assert.deepEqual(patchStarts(4, 4, 0.5), [0]);
  });
});

describe('predictPatches3d', () => {
  before(async () => {
    await initEngine({ backend: 'cpu' });
  });

  it('gives every voxel its own prediction with a voxel-wise model (volume smaller than a patch along z), leaking nothing', async () => {
    const dims: [number, number, number] = [7, 6, 3];
    const data = volume(dims);
    const model = pointModel();
    const before = tf.memory().numTensors;
    const progress: number[] = [];
    const result = await predictPatches3d(model, { dims, data }, { classes: [4, 9], output: 'labelsAndProbabilities', batchSize: 4, onProgress: (d) => progress.push(d) });
    assert.equal(tf.memory().numTensors, before);
    // z: [0] (3 < 4, padded), y: [0, 2], x: [0, 2, 3] → 6 patches in batches of 4.
    assert.deepEqual(progress, [4, 6]);
    data.forEach((v, i) => {
      assert.equal(result.labels[i], v > 0 ? 4 : 9);
      assert.ok(Math.abs(result.probabilities![2 * i] - 1 / (1 + Math.exp(-2 * v))) < 1e-5);
    });
    const labelsOnly = await predictPatches3d(model, { dims, data });
    assert.equal(labelsOnly.probabilities, undefined);
    assert.deepEqual(Array.from(labelsOnly.labels), Array.from(data, (v) => (v > 0 ? 0 : 1)));
  });

  for (const window of ['gaussian', 'linear'] as const) {
    it(`blends overlapping patches with the ${window} window (oracle: every patch predicted alone, weighted, averaged)`, async () => {
      const dims: [number, number, number] = [9, 6, 10];
      const [nx, ny, nz] = dims;
      const data = volume(dims);
      const model = contextModel();
      const result = await predictPatches3d(model, { dims, data }, { window, overlap: 0.5, output: 'labelsAndProbabilities' });
      const w1 = (i: number): number =>
        window === 'gaussian' ? Math.exp(-((i - 1.5) ** 2) / (2 * 0.5 ** 2)) / Math.exp(-(0.5 ** 2) / (2 * 0.5 ** 2)) : Math.min(i + 1, 4 - i) / 2;
      const sum = new Float64Array(nx * ny * nz * 3);
      const wsum = new Float64Array(nx * ny * nz);
      for (const z0 of [0, 2, 4, 6])
        for (const y0 of [0, 2])
          for (const x0 of [0, 2, 4, 5]) {
            const input = new Float32Array(64);
            for (let d = 0; d < 4; d++) for (let h = 0; h < 4; h++) for (let w = 0; w < 4; w++) input[(d * 4 + h) * 4 + w] = data[(z0 + d) * nx * ny + (y0 + h) * nx + x0 + w];
            const out = tf.tidy(() => tf.softmax(model.predict(tf.tensor5d(input, [1, 4, 4, 4, 1])) as tf.Tensor));
            const p = out.dataSync();
            out.dispose();
            for (let d = 0; d < 4; d++)
              for (let h = 0; h < 4; h++)
                for (let w = 0; w < 4; w++) {
                  const v = (z0 + d) * nx * ny + (y0 + h) * nx + x0 + w;
                  const wt = w1(d) * w1(h) * w1(w);
                  wsum[v] += wt;
                  for (let c = 0; c < 3; c++) sum[v * 3 + c] += wt * p[((d * 4 + h) * 4 + w) * 3 + c];
                }
          }
      let maxDiff = 0;
      for (let v = 0; v < nx * ny * nz; v++) {
        const probs = [0, 1, 2].map((c) => sum[v * 3 + c] / wsum[v]);
        for (let c = 0; c < 3; c++) maxDiff = Math.max(maxDiff, Math.abs(result.probabilities![v * 3 + c] - probs[c]));
        const best = probs.indexOf(Math.max(...probs));
        if (Math.abs(probs[best] - [...probs].sort((a, b) => b - a)[1]) > 1e-4) assert.equal(result.labels[v], best, `voxel ${v}`);
      }
      assert.ok(maxDiff < 1e-5, `max difference ${maxDiff}`);
    });
  }

  it('rejects a 2D model and bad options', async () => {
    const x = tfl.input({ shape: [4, 4, 1] });
    const flat = tfl.model({ inputs: x, outputs: tfl.layers.conv2d({ filters: 2, kernelSize: 1 }).apply(x) as tfl.SymbolicTensor });
    const grid = { dims: [4, 4, 4] as [number, number, number], data: new Float32Array(64) };
    await assert.rejects(predictPatches3d(flat, grid), /expected \[B, D, H, W, 1\] → \[B, D, H, W, C\]/);
    await assert.rejects(predictPatches3d(pointModel(), grid, { overlap: 1 }), /overlap 1 must be in \[0, 1\)/);
    await assert.rejects(predictPatches3d(pointModel(), grid, { batchSize: 0 }), /batchSize 0/);
  });
});

describe('predictPatches3d memory check', () => {
  it('refuses a pass that cannot fit, naming the layer, the tensor and what to do, before running it', async () => {
    const x = tfl.input({ shape: [64, 64, 64, 1] });
    const conv = tfl.layers.conv3d({ filters: 30, kernelSize: 3, padding: 'same', name: 'wide' });
    const model = tfl.model({ inputs: x, outputs: conv.apply(x) as tfl.SymbolicTensor });
    const image = { dims: [64, 64, 64] as [number, number, number], data: new Float32Array(64 ** 3) };
    // wide: [2, 64, 64, 64, 30] float32 = 60 MiB; with its input (2 MiB) and the working set, 242 MiB > 100 MiB.
    await assert.rejects(
      predictPatches3d(model, image, { batchSize: 2, memoryBudgetBytes: 100 * 2 ** 20 }),
      /layer wide of model \S+ outputs \[2, 64, 64, 64, 30\] float32 \(60 MiB\), about 242 MiB of tensor memory with its input, over the budget of 100 MiB; use --batch-size 1, or a model with smaller patches/,
    );
  });
});
