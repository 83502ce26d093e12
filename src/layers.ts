/**
 * `nonadj/layers`: nonadj's two custom tfjs-layers classes, for loading nonadj's models with a stock TensorFlow.js
 * (in a browser, in brainchop, in any tfjs application), and nothing else: this entry point imports only
 * `@tensorflow/tfjs-core` and `@tensorflow/tfjs-layers` (no Node built-in, no backend), so a bundler can put it in a
 * web page. Importing it registers the classes with `tf.serialization.registerClass`, which
 * `tf.loadLayersModel` needs for ModSegNet (`MaxUnpooling2D`) and the 3D U-Net (`UpSampling3D`):
 *
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import 'nonadj/layers';
 * const model = await tf.loadLayersModel('https://…/best/model.json');
 * const logits = model.predict(x); // tf.softmax(logits) for probabilities
 * ```
 *
 * Models that use only stock layers (a fine-tuned brainchop MeshNet: Conv3D and ELU) need no import at all.
 * Without nonadj's kernels (registered by `initEngine` in Node) the max-unpooling runs on stock tfjs ops, with the
 * same result (see `model/MaxUnpooling2D.ts`).
 */
export { MaxUnpooling2D } from './model/MaxUnpooling2D.js';
export { UpSampling3D } from './model/UpSampling3D.js';
