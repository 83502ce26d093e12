import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTopologyInputShape } from './setTopologyInputShape.js';

/** The start of brainchop's `model.json` topology (Keras 2.6 `Functional`, wrapped in `model_config`). */
const brainchop = {
  keras_version: '2.6.0',
  backend: 'tensorflow',
  model_config: {
    class_name: 'Functional',
    config: {
      name: 'model',
      layers: [
        { class_name: 'InputLayer', config: { batch_input_shape: [null, 256, 256, 256, 1], dtype: 'float32', name: 'input' }, name: 'input', inbound_nodes: [] },
        { class_name: 'Conv3D', config: { name: 'conv3d_0', filters: 30 }, name: 'conv3d_0', inbound_nodes: [[['input', 0, 0, {}]]] },
      ],
      input_layers: [['input', 0, 0]],
      output_layers: [['conv3d_0', 0, 0]],
    },
  },
};

describe('setTopologyInputShape', () => {
  it('sets the InputLayer of a wrapped functional topology, keeping everything else and the original', () => {
    const out = setTopologyInputShape(brainchop, [null, null, null, 1]);
    assert.deepEqual(out.model_config.config.layers[0].config.batch_input_shape, [null, null, null, null, 1]);
    assert.deepEqual(brainchop.model_config.config.layers[0].config.batch_input_shape, [null, 256, 256, 256, 1]);
    const back = setTopologyInputShape(out, [256, 256, 256, 1]);
    assert.deepEqual(back, brainchop);
  });

  it('sets the first layer of a Sequential topology (input_shape replaced by batch_input_shape)', () => {
    const seq = { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'Conv3D', config: { name: 'c', input_shape: [8, 8, 8, 1] } }] } };
    const out = setTopologyInputShape(seq, [16, 16, 16, 1]);
    assert.deepEqual(out.config.layers[0].config, { name: 'c', batch_input_shape: [null, 16, 16, 16, 1] });
  });

  it('refuses a topology with two inputs or a shape of another rank', () => {
    const two = structuredClone(brainchop.model_config);
    two.config.layers.push({ ...two.config.layers[0], name: 'input2' });
    assert.throws(() => setTopologyInputShape(two, [8, 8, 8, 1]), /model model has 2 input layers, expected one/);
    assert.throws(() => setTopologyInputShape(brainchop, [8, 8, 1]), /input layer input takes rank 4 samples \(\[256, 256, 256, 1\]\)/);
  });
});
