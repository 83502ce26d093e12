/**
 * A MeshNet in miniature, built like brainchop's published models (`model30chan50cls`): a functional model whose
 * input layer is named `input` with a fixed size, dilated 3×3×3 `Conv3D` layers named `conv3d_<i>` each followed by an
 * `Activation('elu')` layer, a linear 1×1×1 `Conv3D` named `output` giving the logits, and every layer frozen
 * (`trainable: false`), as brainchop's files declare them. Seeded weights.
 */
import * as tfl from '@tensorflow/tfjs-layers';

export interface TinyMeshNetOptions {
  /** Input size per sample, e.g. `[16, 16, 16, 1]` (brainchop: `[256, 256, 256, 1]`). */
  inputShape: Array<number | null>;
  numClasses: number;
  /** Dilation of each 3×3×3 layer. @default [1, 2, 1] */
  dilations?: number[];
  /** Channels of the hidden layers. @default 3 */
  filters?: number;
  /** @default true, as brainchop's files */
  frozen?: boolean;
  seed?: number;
}

export function makeTinyMeshNet(o: TinyMeshNetOptions): tfl.LayersModel {
  const dilations = o.dilations ?? [1, 2, 1];
  const seed = o.seed ?? 1;
  const input = tfl.input({ batchShape: [null, ...o.inputShape], name: 'input' });
  let x: tfl.SymbolicTensor = input;
  let i = 0;
  for (const d of dilations) {
    x = tfl.layers
      .conv3d({
        filters: o.filters ?? 3,
        kernelSize: 3,
        dilationRate: d,
        padding: 'same',
        name: `conv3d_${i++}`,
        kernelInitializer: tfl.initializers.glorotNormal({ seed: seed + i }),
        biasInitializer: tfl.initializers.randomNormal({ stddev: 0.1, seed: seed + 100 + i }),
      })
      .apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.activation({ activation: 'elu', name: `activation_${i++}` }).apply(x) as tfl.SymbolicTensor;
  }
  const out = tfl.layers
    .conv3d({ filters: o.numClasses, kernelSize: 1, name: 'output', kernelInitializer: tfl.initializers.glorotNormal({ seed: seed + 200 }) })
    .apply(x) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: out, name: 'model' });
  if (o.frozen ?? true) for (const layer of model.layers) layer.trainable = false;
  return model;
}
