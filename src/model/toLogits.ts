import * as tfl from '@tensorflow/tfjs-layers';
import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs-layers';
import { outputActivation } from './outputActivation.js';

/**
 * A model whose output is the logits over the classes (last axis), the form nonadj trains and infers with: the loss
 * takes logits (its fused kernel starts from them, and a softmax cross-entropy fed probabilities would apply softmax
 * twice), and probabilities are made with `tf.softmax` where they are needed.
 *
 * - A model ending in linear logits is returned as it is.
 * - A model ending in a separate `Softmax` (last axis) or `Activation('softmax')` layer: a new model sharing its
 *   layers and weights whose output is that layer's input.
 * - A model whose last layer has `activation: 'softmax'` built in (a 1×1 conv, say): the same topology with that
 *   layer's activation set to linear, rebuilt from its JSON, with the weights copied.
 *
 * Either way `tf.softmax(toLogits(m).predict(x))` equals `m.predict(x)` (to float32 rounding).
 *
 * @throws RangeError if the output comes from another activation (relu, sigmoid…: not logits), its activation cannot
 *   be determined (a custom last layer), or the model has more than one output.
 */
export async function toLogits(model: LayersModel): Promise<LayersModel> {
  const activation = outputActivation(model);
  if (activation === 'linear') return model;
  if (activation !== 'softmax') {
    throw new RangeError(
      `toLogits: model ${model.name} ends in layer ${model.outputs[0].sourceLayer.name} with activation '${activation}', ` +
        `expected 'softmax' or 'linear' logits`,
    );
  }
  const last = model.outputs[0].sourceLayer;
  const className = last.getClassName();
  if (className === 'Softmax' || className === 'Activation') {
    return tfl.model({ inputs: model.inputs, outputs: last.input as SymbolicTensor, name: model.name });
  }
  // The softmax is fused into a weighted layer: rebuild the topology with a linear activation there. Layers cannot
  // change their activation in place, and a new layer on the old one's inputs would need its weights copied anyway.
  const json = model.toJSON(null, false) as { config: { layers: Array<{ name?: string; config: Record<string, unknown> }> } };
  const entry = json.config.layers.find((l) => (l.name ?? l.config.name) === last.name);
  if (!entry) throw new RangeError(`toLogits: model ${model.name}: layer ${last.name} not found in its own topology`);
  entry.config.activation = 'linear';
  const rebuilt = await tfl.models.modelFromJSON({ modelTopology: json } as unknown as Parameters<typeof tfl.models.modelFromJSON>[0]);
  rebuilt.setWeights(model.getWeights());
  return rebuilt;
}
