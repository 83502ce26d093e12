import type { LayersModel } from '@tensorflow/tfjs-layers';
import { outputActivation } from './outputActivation.js';

/** Options of {@link checkModelForPrior}. */
export interface CheckModelForPriorOptions {
  /** Number of labels L of the prior: the model must output L channels. */
  numClasses: number;
  /**
   * Expected input shape without the batch (`[H, W, k]` for 2.5D, `[D, H, W, 1]` for 3D). Dimensions the model
   * leaves free (null) match anything. Omit to skip the check.
   */
  inputShape?: readonly number[];
}

/** Result of {@link checkModelForPrior}. */
export interface CheckModelForPriorResult {
  /** Output shape without the batch, e.g. `[96, 96, 117]` (null = free). */
  outputShape: Array<number | null>;
  /** Things that do not stop training but deserve a look (currently: an output activation that cannot be determined). */
  warnings: string[];
}

/**
 * Check that a tfjs layers model can start a NonAdjLoss training (`--init model.json`): one input, one output
 * whose last axis holds the logits of exactly the prior's classes, and (when given) the expected input shape.
 * Pass models through {@link toLogits} first: it removes a final softmax (`loadModel` does it on loading).
 *
 * Decisions: a wrong class count, input shape or output rank is an error; an output activation other than linear is
 * an error too, because the loss takes logits (a softmax says so and points to `toLogits`); an activation that
 * cannot be read (custom last layer) is only a warning.
 *
 * @returns the output shape and the warnings.
 * @throws RangeError naming the model and the mismatch, e.g.
 *   "model mymodel outputs 20 classes but the prior has 117 labels".
 */
export function checkModelForPrior(model: LayersModel, options: CheckModelForPriorOptions): CheckModelForPriorResult {
  const name = `checkModelForPrior: model ${model.name}`;
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new RangeError(`${name} has ${model.inputs.length} inputs and ${model.outputs.length} outputs, expected one of each`);
  }
  const inShape = model.inputs[0].shape.slice(1);
  const outShape = model.outputs[0].shape.slice(1);
  if (outShape.length !== 3 && outShape.length !== 4) {
    throw new RangeError(
      `${name} output is [${shapeText(outShape)}] per sample, expected [H, W, C] (2.5D) or [D, H, W, C] (3D), channels last`,
    );
  }
  const classes = outShape[outShape.length - 1];
  if (classes !== options.numClasses) {
    throw new RangeError(
      `${name} outputs ${classes ?? 'a variable number of'} classes but the prior has ${options.numClasses} labels; ` +
        `the output channels must be the prior's labels in order`,
    );
  }
  if (options.inputShape !== undefined) {
    const want = options.inputShape;
    const fits = want.length === inShape.length && inShape.every((d, i) => d === null || d === want[i]);
    if (!fits) {
      throw new RangeError(`${name} takes input [${shapeText(inShape)}] per sample, expected [${want.join(', ')}]`);
    }
  }
  const warnings: string[] = [];
  const activation = outputActivation(model);
  if (activation === 'unknown') {
    warnings.push(
      `model ${model.name}: cannot tell whether the last layer (${model.outputs[0].sourceLayer.getClassName()}) ` +
        `outputs logits; NonAdjLoss and the cross-entropy take the logits of the classes`,
    );
  } else if (activation === 'softmax') {
    throw new RangeError(
      `${name} ends in a softmax (layer ${model.outputs[0].sourceLayer.name}), expected the logits of the classes; ` +
        `remove it with toLogits(model)`,
    );
  } else if (activation !== 'linear') {
    throw new RangeError(
      `${name} ends in activation '${activation}' (layer ${model.outputs[0].sourceLayer.name}), expected the logits of the classes (linear)`,
    );
  }
  return { outputShape: outShape, warnings };
}

function shapeText(shape: ReadonlyArray<number | null>): string {
  return shape.map((d) => (d === null ? 'null' : String(d))).join(', ');
}
