import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initEngine } from '../engine/initEngine.js';
import { makeModSegNet } from '../model/makeModSegNet.js';
import { makeUNet3d } from '../model/makeUNet3d.js';
import { makeAtlasCropDataset, type AtlasCropDataset } from '../../test/helpers/segmenterFixtures.js';
import { makeTinyMeshNet } from '../../test/helpers/makeTinyMeshNet.js';
import { makeInferenceEngine, ONNX_RUNTIME_MISSING, type OnnxRuntimeModule } from './makeInferenceEngine.js';
import { predictPatches3d } from './predictPatches3d.js';
import { predictSlices } from './predictSlices.js';
import { segmentVolume } from './segmentVolume.js';

const missing = async (): Promise<never> => {
  throw new Error("Cannot find package 'onnxruntime-node'");
};

/** A model with a layer the exporter does not cover. */
function unexportable(): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, 1] });
  const out = tfl.layers.layerNormalization({ name: 'norm' }).apply(input) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out });
}

let ds: AtlasCropDataset;
before(async () => {
  await initEngine({ backend: 'cpu' });
  ds = await makeAtlasCropDataset([72]);
});

describe('makeInferenceEngine', () => {
  it('auto falls back to tfjs, saying why, when onnxruntime-node does not load; onnx then refuses with the install line', async () => {
    const model = makeModSegNet({ inputShape: [16, 16, 3], numClasses: 4, filters: [4], seed: 1 });
    const engine = await makeInferenceEngine(model, { engine: 'auto', loadRuntime: missing });
    assert.equal(engine.kind, 'tfjs');
    assert.equal(engine.forward, undefined);
    assert.equal(engine.description, 'tfjs cpu (onnxruntime-node not installed)');
    await assert.rejects(makeInferenceEngine(model, { engine: 'onnx', loadRuntime: missing }), { message: ONNX_RUNTIME_MISSING });
    assert.match(ONNX_RUNTIME_MISSING, /npm install onnxruntime-node/);
  });

  it('auto falls back to tfjs for a model that does not export (naming the layer); onnx throws the exporter\'s error', async () => {
    const engine = await makeInferenceEngine(unexportable(), { engine: 'auto' });
    assert.equal(engine.kind, 'tfjs');
    assert.match(engine.description, /^tfjs cpu \(not exportable: layer norm \(LayerNormalization\)/);
    await assert.rejects(makeInferenceEngine(unexportable(), { engine: 'onnx' }), /layer norm \(LayerNormalization\)/);
  });

  it('auto falls back to tfjs when onnxruntime refuses the exported model; onnx then throws, saying so', async () => {
    const model = makeModSegNet({ inputShape: [16, 16, 3], numClasses: 4, filters: [4], seed: 1, name: 'm' });
    const refusing = async () =>
      ({
        InferenceSession: { create: async () => Promise.reject(new Error('Load model failed: opset 17 unknown\nmore')) },
        Tensor: class {},
        env: { versions: { common: '0.0.0' } },
      }) as unknown as OnnxRuntimeModule;
    const engine = await makeInferenceEngine(model, { engine: 'auto', loadRuntime: refusing });
    assert.equal(engine.description, 'tfjs cpu (onnxruntime-node cannot load the exported model m: Load model failed: opset 17 unknown)');
    await assert.rejects(makeInferenceEngine(model, { engine: 'onnx', loadRuntime: refusing }), /^Error: makeInferenceEngine: onnxruntime-node cannot load the exported model m/);
  });

  it('tfjs is tfjs even when onnxruntime loads; onnx and auto describe the runtime and threads', async () => {
    const model = makeModSegNet({ inputShape: [16, 16, 3], numClasses: 4, filters: [4], seed: 1 });
    assert.equal((await makeInferenceEngine(model, { engine: 'tfjs' })).kind, 'tfjs');
    for (const choice of ['auto', 'onnx'] as const) {
      const engine = await makeInferenceEngine(model, { engine: choice, threads: 1 });
      assert.equal(engine.kind, 'onnx');
      assert.match(engine.description, /^onnxruntime-node \d+\.\d+\.\d+, 1 thread$/);
      await engine.dispose();
    }
    await assert.rejects(makeInferenceEngine(model, { threads: 0 }), RangeError);
  });

  it('predictSlices with the onnx forward: the labels of tfjs, probabilities within 1e-5', async () => {
    const image = ds.files.get(ds.exams[0].image)!;
    const grid = { dims: image.dims, data: Float32Array.from(image.data as ArrayLike<number>, (v) => v / 100) };
    const model = makeModSegNet({ inputShape: [24, 24, 3], numClasses: 5, filters: [4, 8], seed: 3 });
    const engine = await makeInferenceEngine(model, { engine: 'onnx', threads: 1 });
    const options = { axis: 1 as const, output: 'labelsAndProbabilities' as const, batchSize: 3 };
    const a = await predictSlices(model, grid, options);
    const b = await predictSlices(model, grid, { ...options, forward: engine.forward });
    await engine.dispose();
    assert.deepEqual(b.labels, a.labels);
    let maxDiff = 0;
    for (let i = 0; i < a.probabilities!.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a.probabilities![i] - b.probabilities![i]));
    assert.ok(maxDiff < 1e-5, `max probability difference ${maxDiff}`);
  });

  it('predictPatches3d with the onnx forward: the labels of tfjs', async () => {
    const grid = { dims: [20, 12, 18] as [number, number, number], data: tf.randomNormal([20 * 12 * 18], 0, 1, 'float32', 2).dataSync() as Float32Array };
    const model = makeUNet3d({ inputShape: [8, 8, 8, 1], numClasses: 3, filters: [2, 4], seed: 4 });
    const engine = await makeInferenceEngine(model, { engine: 'onnx', threads: 1 });
    const a = await predictPatches3d(model, grid, { batchSize: 2 });
    const b = await predictPatches3d(model, grid, { batchSize: 2, forward: engine.forward });
    await engine.dispose();
    assert.deepEqual(b.labels, a.labels);
  });

  it('segmentVolume, a MeshNet: one whole-box onnx pass gives the labels of the layer-by-layer tfjs path', async () => {
    const image = ds.files.get(ds.exams[0].image)!;
    const model = makeTinyMeshNet({ inputShape: [16, 16, 16, 1], numClasses: 4, dilations: [1, 2, 4], filters: 4 });
    const engine = await makeInferenceEngine(model, { engine: 'onnx', threads: 1 });
    const a = await segmentVolume(model, image, { metadata: null, crop: 2, output: 'labelsAndProbabilities' });
    const b = await segmentVolume(model, image, { metadata: null, crop: 2, output: 'labelsAndProbabilities', forward: engine.forward });
    await engine.dispose();
    assert.equal(a.run.path, 'layerwise');
    assert.deepEqual(b.labels.data, a.labels.data);
    let maxDiff = 0;
    for (let i = 0; i < a.probabilities!.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(Number(a.probabilities!.data[i]) - Number(b.probabilities!.data[i])));
    assert.ok(maxDiff < 1e-5, `max probability difference ${maxDiff}`);
  });
});
