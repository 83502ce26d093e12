/** A Keras/tfjs layers topology as `model.toJSON(null, false)` returns it and `model.json` stores it. */
export interface LayersTopology {
  class_name: string;
  config: { name?: string; layers: Array<{ class_name: string; name?: string; config: Record<string, unknown> }> } & Record<string, unknown>;
}

/**
 * A copy of a layers topology whose input layer declares `inputShape` (without the batch). Works on the two forms
 * tfjs writes: a functional model (`Model` / Keras' `Functional`), whose `InputLayer` holds `batch_input_shape`, and
 * a `Sequential` model, whose first layer does. Only the declared shape changes: layer names, configs and the order
 * of the weights are kept, so the weights of the original model fit the result.
 *
 * A topology may also be wrapped as Keras saves it (`{ model_config: { class_name, config } }`), as in
 * brainchop's files; the wrapping is kept.
 *
 * @param topology - the topology JSON (not modified).
 * @param inputShape - per-sample shape, e.g. `[256, 256, 256, 1]` or `[null, null, null, 1]` (null = free).
 * @throws RangeError when the topology has no single input layer, or its rank differs from `inputShape`'s.
 */
export function setTopologyInputShape<T extends object>(topology: T, inputShape: ReadonlyArray<number | null>): T {
  const copy = structuredClone(topology) as T & { model_config?: LayersTopology };
  const model = (copy.model_config ?? copy) as unknown as LayersTopology;
  const layers = model.config?.layers;
  if (!Array.isArray(layers) || layers.length === 0) {
    throw new RangeError(`setTopologyInputShape: the topology (class ${String(model.class_name)}) has no layers list`);
  }
  const targets = model.class_name === 'Sequential' ? [layers[0]] : layers.filter((l) => l.class_name === 'InputLayer');
  if (targets.length !== 1) {
    throw new RangeError(`setTopologyInputShape: model ${model.config.name ?? '?'} has ${targets.length} input layers, expected one`);
  }
  const config = targets[0].config;
  const old = (config.batch_input_shape ?? (Array.isArray(config.input_shape) ? [null, ...config.input_shape] : undefined)) as unknown[] | undefined;
  if (!Array.isArray(old)) {
    throw new RangeError(`setTopologyInputShape: the input layer ${String(config.name ?? targets[0].name)} declares no batch_input_shape`);
  }
  if (old.length !== inputShape.length + 1) {
    throw new RangeError(
      `setTopologyInputShape: the input layer ${String(config.name ?? targets[0].name)} takes rank ${old.length - 1} samples ` +
        `([${old.slice(1).join(', ')}]), but the new shape is [${inputShape.join(', ')}]`,
    );
  }
  config.batch_input_shape = [old[0] ?? null, ...inputShape];
  delete config.input_shape;
  return copy;
}
