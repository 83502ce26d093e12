import * as tfl from '@tensorflow/tfjs-layers';
import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs-layers';
import { outputActivation } from './outputActivation.js';

/**
 * A model whose output is a softmax over the classes (the last axis), for NonAdjLoss and `--init`:
 * `model` itself when it already ends in a softmax; when it ends in linear logits, a new model sharing
 * `model`'s layers and weights, with a `Softmax` layer (axis −1, named `<model>_softmax`) appended.
 *
 * @throws RangeError if the output comes from another activation (relu, sigmoid…: not logits), its
 *   activation cannot be determined (custom last layer), or the model has more than one output.
 */
export function ensureSoftmax(model: LayersModel): LayersModel {
  const activation = outputActivation(model);
  if (activation === 'softmax') return model;
  if (activation !== 'linear') {
    throw new RangeError(
      `ensureSoftmax: model ${model.name} ends in layer ${model.outputs[0].sourceLayer.name} with activation '${activation}', ` +
        `expected 'softmax' or 'linear' logits`,
    );
  }
  const probs = tfl.layers.softmax({ axis: -1, name: `${model.name}_softmax` }).apply(model.outputs[0]) as SymbolicTensor;
  return tfl.model({ inputs: model.inputs, outputs: probs, name: model.name });
}
