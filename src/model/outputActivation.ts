import type { LayersModel } from '@tensorflow/tfjs-layers';

/**
 * The activation that produces a model's (single) output, as its last layer declares it:
 * `'softmax'` (a layer with `activation: 'softmax'`, an `Activation('softmax')` layer, or a `Softmax`
 * layer over the last axis), `'linear'` (logits), another activation name (`'relu'`, `'sigmoid'`…,
 * or `'softmax over axis 1'` for a `Softmax` layer over another axis),
 * or `'unknown'` when the last layer declares none (a custom layer, or a layer that is not an activation).
 *
 * @throws RangeError if the model has more than one output.
 */
export function outputActivation(model: LayersModel): string {
  if (model.outputs.length !== 1) {
    throw new RangeError(`outputActivation: model ${model.name} has ${model.outputs.length} outputs, expected one`);
  }
  const layer = model.outputs[0].sourceLayer;
  const config = layer.getConfig() as { activation?: unknown; axis?: unknown };
  if (layer.getClassName() === 'Softmax') {
    const axis = Array.isArray(config.axis) ? config.axis : [config.axis ?? -1];
    const rank = model.outputs[0].shape.length;
    // tfjs-layers' Softmax layer defaults to axis 1, not the channels: only a last-axis softmax counts.
    return axis.length === 1 && (axis[0] === -1 || axis[0] === rank - 1) ? 'softmax' : `softmax over axis ${axis.join(', ')}`;
  }
  return typeof config.activation === 'string' ? config.activation : 'unknown';
}
