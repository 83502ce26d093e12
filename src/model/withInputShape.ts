import * as tfl from '@tensorflow/tfjs-layers';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { setTopologyInputShape, type LayersTopology } from './setTopologyInputShape.js';

/**
 * Layer classes that tie a network to one input size, so that it cannot run on patches of another size: they
 * flatten, reshape or pool away the spatial axes, or mix positions (a `Dense` on the flattened volume). A `Dense`
 * layer is refused too: tfjs would apply it to the last axis alone, but a network that has one was built around a
 * fixed size (a 1×1×1 `Conv3D` is the convolutional form of a per-voxel dense layer).
 */
const FIXED_SIZE_LAYERS = new Set([
  'Dense',
  'Flatten',
  'Reshape',
  'Permute',
  'RepeatVector',
  'Embedding',
  'GlobalAveragePooling1D',
  'GlobalAveragePooling2D',
  'GlobalAveragePooling3D',
  'GlobalMaxPooling1D',
  'GlobalMaxPooling2D',
  'GlobalMaxPooling3D',
  'SimpleRNN',
  'LSTM',
  'GRU',
  'ConvLSTM2D',
  'TimeDistributed',
  'Bidirectional',
]);

/**
 * The same network with another declared input shape: brainchop's MeshNet, published for `[256, 256, 256, 1]`,
 * rebuilt to take `[null, null, null, 1]` (any size, the fully convolutional form) or the `[64, 64, 64, 1]` patches
 * it is fine-tuned on. The topology is rebuilt from its JSON with the new input shape
 * ({@link setTopologyInputShape}) and each layer's weights are copied by layer name; layer names, the model's name
 * and the weights' names (what `model.json`'s manifest lists) stay the original ones.
 *
 * @param model - a layers model with one input (not modified, not disposed).
 * @param inputShape - per-sample shape with the channels, e.g. `[null, null, null, 1]`; same rank as the model's.
 * @param options.trainable - set every layer trainable (a model exported for inference, as brainchop's are, has
 *   them all frozen).
 * @returns a new model owning copies of the weights.
 * @throws RangeError naming the layer when the network holds a layer that needs a fixed size (Dense, Flatten,
 *   Reshape, global pooling, recurrent…), or when the rebuilt network does not accept the shape (e.g. a pooling
 *   that would reduce a dimension below 1).
 */
export async function withInputShape(
  model: LayersModel,
  inputShape: ReadonlyArray<number | null>,
  options: { trainable?: boolean } = {},
): Promise<LayersModel> {
  const where = `withInputShape: model ${model.name}`;
  if (model.inputs.length !== 1) throw new RangeError(`${where} has ${model.inputs.length} inputs, expected one`);
  const fixed = model.layers.find((l) => FIXED_SIZE_LAYERS.has(l.getClassName()) || l instanceof tfl.LayersModel);
  if (fixed !== undefined) {
    throw new RangeError(
      `${where} has layer ${fixed.name} (${fixed.getClassName()}), which needs a fixed input size; ` +
        `only a fully convolutional network (convolutions, pooling, upsampling, activations, normalisation, merges) ` +
        `can take input [${inputShape.map((d) => d ?? 'null').join(', ')}]`,
    );
  }
  const topology = setTopologyInputShape(model.toJSON(null, false) as unknown as LayersTopology, inputShape);
  if (options.trainable) for (const layer of topology.config.layers) layer.config.trainable = true;
  let rebuilt: LayersModel;
  try {
    rebuilt = await tfl.models.modelFromJSON({ modelTopology: topology } as unknown as Parameters<typeof tfl.models.modelFromJSON>[0]);
  } catch (error) {
    throw new RangeError(`${where} cannot take input [${inputShape.map((d) => d ?? 'null').join(', ')}]: ${(error as Error).message}`, {
      cause: error,
    });
  }
  // By name, layer by layer: the model-level weight order puts trainable weights first, and it changes when
  // layers are unfrozen; within a layer the order is the same whether it is trainable or not.
  for (const layer of model.layers) {
    const weights = layer.getWeights();
    if (weights.length > 0) rebuilt.getLayer(layer.name).setWeights(weights);
  }
  return rebuilt;
}
