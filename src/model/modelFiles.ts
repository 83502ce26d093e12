/**
 * Saving and loading tfjs layers models as the standard `model.json` + `weights.bin` pair from Node,
 * without tfjs-node, with nonadj's description of the model in `userDefinedMetadata.nonadj`.
 *
 * The files are the ones `tf.loadLayersModel('https://…/model.json')` reads in a browser (and that
 * tfjs-node's `file://` handler writes): `model.json` = `{ format: 'layers-model', generatedBy,
 * convertedBy, modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights }],
 * userDefinedMetadata }`, and `weights.bin` = the weights' bytes concatenated in manifest order.
 * A model with nonadj's custom layers (MaxUnpooling2D, UpSampling3D) needs those classes registered
 * before loading; importing this module does it.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { io } from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { writeFileAtomic } from '../io/writeFileAtomic.js';
import type { SliceAxisIndex } from '../volume/sliceAxis.js';
// Imported for their side effect: registering the custom layers' classes for deserialisation.
import { outputActivation } from './outputActivation.js';
import { setTopologyInputShape } from './setTopologyInputShape.js';
import { toLogits } from './toLogits.js';
import { withInputShape } from './withInputShape.js';
import './MaxUnpooling2D.js';
import './UpSampling3D.js';

/** Key of nonadj's section in `model.json`'s `userDefinedMetadata`. */
export const METADATA_KEY = 'nonadj';

/** What a nonadj model was trained on, summarised from the prior (`graph.json`). */
export interface PriorSummary {
  /** Number of labels L of the prior (= the model's classes). */
  numLabels: number;
  /** Ordered label pairs the prior forbids (the NonAdjLoss normaliser). */
  forbiddenOrderedPairs: number;
  /** Neighbourhood of the counts (6, 18 or 26). */
  connectivity?: number;
  /** Chebyshev radius of the neighbourhood, in voxels. */
  radius?: number;
  /** Path of the prior file the model was trained with, as given. */
  file?: string;
}

/**
 * nonadj's description of a model, stored in `model.json` under `userDefinedMetadata.nonadj`.
 * Everything `nonadj segment` needs to prepare an image the way training did.
 */
export interface ModelMetadata {
  /** `'2.5d'`: k slices as channels → the centre slice's classes; `'3d'`: patches → patches. */
  kind: '2.5d' | '3d';
  /** `classes[c]` = label code written for output channel c (length C). */
  classes: number[];
  /** `classNames[c]` = name of channel c's label, or null. */
  classNames?: Array<string | null>;
  /**
   * The model's input shape without the batch, as nonadj trains and tiles with it: `[H, W, k]` (2.5D) or
   * `[D, H, W, 1]` (3D, the patch).
   */
  inputShape: number[];
  /**
   * The input shape `model.json`'s topology declares when it differs from {@link inputShape}: the shape a foreign
   * model was published with (brainchop's MeshNet: `[256, 256, 256, 1]`; null = free), kept through fine-tuning so
   * that the tools made for it read the shape they expect. {@link saveModel} writes it in the topology;
   * {@link loadModel} rebuilds the network for `inputShape` ({@link withInputShape}).
   */
  publishedInputShape?: Array<number | null>;
  /**
   * 3D: which array axes of a volume are fed to the network's `(D, H, W)` (see `infer/segmentVolume.ts`,
   * `InputOrder`): `'zyx'` (nonadj's: the voxel order as it is) or `'xyz'` (brainchop's: the `(x, y, z)` array as
   * `(D, H, W)`). Absent = `'zyx'`, as every nonadj model before this field; a foreign model fine-tuned with
   * `nonadj train --init` records the order it was trained with (`'xyz'` for brainchop's).
   */
  inputOrder?: 'zyx' | 'xyz';
  /**
   * 3D: the margin in voxels of the head's bounding box that `segment` and `adapt` crop to by default (see
   * `headBoundingBox`); absent = the whole grid, as for nonadj's own models. A brainchop model fine-tuned with
   * `nonadj train --init` keeps brainchop's crop (`DEFAULT_CROP_MARGIN_VOXELS`), as it keeps its input order.
   */
  crop?: number;
  /** 2.5D: slicing axis (0 = x sagittal, 1 = y coronal, 2 = z axial), see `volume/sliceAxis.ts`. */
  axis?: SliceAxisIndex;
  /** 2.5D: stacked slices (odd; the input's last dimension). */
  k?: number;
  /** How intensities were standardised, e.g. `{ method: 'zscore-foreground', mean: 0, std: 1 }`. */
  intensity?: Record<string, number | string>;
  /** Summary of the adjacency prior the model was trained or fine-tuned with. */
  prior?: PriorSummary;
  /** Anything else worth keeping (training options, λ, epochs…); must be JSON. */
  extra?: Record<string, unknown>;
}

/** Result of {@link saveModel}. */
export interface SaveModelResult {
  /** Path of the written `model.json`. */
  modelJson: string;
  /** Path of the written `weights.bin`. */
  weights: string;
  /** Size of `weights.bin` in bytes. */
  weightBytes: number;
}

/** Result of {@link loadModel}. */
export interface LoadModelResult {
  model: LayersModel;
  /** nonadj's metadata, or null for a model saved by another tool. */
  metadata: ModelMetadata | null;
}

const WEIGHTS_FILE = 'weights.bin';
const MODEL_FILE = 'model.json';

/**
 * A tfjs save handler writing `dir/model.json` and `dir/weights.bin` (the directory is created).
 * Each file is written to a temporary sibling and renamed, weights first, so a reader never sees
 * a `model.json` whose weights are missing or half-written. `metadata` (if given) is stored under
 * `userDefinedMetadata.nonadj`, beside whatever user metadata the model carries.
 *
 * @example
 * await model.save(fileSaveHandler('out/model', { kind: '2.5d', classes, inputShape: [96, 96, 7] }));
 */
export function fileSaveHandler(dir: string, metadata?: ModelMetadata): io.IOHandler {
  return {
    async save(artifacts: io.ModelArtifacts): Promise<io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer || artifacts.modelTopology === undefined) {
        throw new Error(`saveModel: ${dir}: expected a layers model with a JSON topology`);
      }
      const weights = new Uint8Array(
        artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData),
      );
      const userDefinedMetadata = { ...artifacts.userDefinedMetadata };
      if (metadata !== undefined) userDefinedMetadata[METADATA_KEY] = metadata as unknown as {};
      // A fine-tuned foreign model goes back with the input shape it was published with (brainchop reads it).
      const published = metadata?.publishedInputShape;
      const modelTopology = published === undefined ? artifacts.modelTopology : setTopologyInputShape(artifacts.modelTopology, published);
      const modelJson: io.ModelJSON = {
        modelTopology,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.trainingConfig === undefined ? {} : { trainingConfig: artifacts.trainingConfig }),
        ...(Object.keys(userDefinedMetadata).length === 0 ? {} : { userDefinedMetadata }),
      };
      await fs.mkdir(dir, { recursive: true });
      await writeFileAtomic(path.join(dir, WEIGHTS_FILE), weights);
      await writeFileAtomic(path.join(dir, MODEL_FILE), JSON.stringify(modelJson));
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: JSON.stringify(artifacts.modelTopology).length,
          weightSpecsBytes: JSON.stringify(artifacts.weightSpecs ?? []).length,
          weightDataBytes: weights.byteLength,
        },
      };
    },
  };
}

/**
 * A tfjs load handler reading a `model.json` and the weight files its manifest lists (paths
 * relative to the `model.json`, any number of groups and shards, as tfjs and its converter write them).
 *
 * @param file - path of the `model.json`.
 */
export function fileLoadHandler(file: string): io.IOHandler {
  return {
    async load(): Promise<io.ModelArtifacts> {
      const modelJson = await readModelJson(file);
      const dir = path.dirname(file);
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs: io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const shard of group.paths) {
            const bytes = await readOrThrow(path.resolve(dir, decodeURIComponent(shard)), `a weight file listed in ${file}`);
            buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
          }
        }
        return [specs, tf.io.concatenateArrayBuffers(buffers)];
      });
    },
  };
}

/**
 * Save a tfjs layers model as `dir/model.json` + `dir/weights.bin` (standard tfjs format, loadable
 * in a browser with `tf.loadLayersModel(url)`), with nonadj's metadata.
 *
 * @param model - any tfjs layers model.
 * @param dir - output directory, created if missing; existing files of the same names are replaced atomically.
 * @param metadata - what the model segments and how its input is prepared (see {@link ModelMetadata}).
 * @throws Error naming the file when the directory cannot be written.
 */
export async function saveModel(model: LayersModel, dir: string, metadata?: ModelMetadata): Promise<SaveModelResult> {
  if (metadata !== undefined) assertModelMetadata(metadata, 'saveModel');
  let result: io.SaveResult;
  try {
    result = await model.save(fileSaveHandler(dir, metadata));
  } catch (error) {
    const message = (error as Error).message;
    throw message.startsWith('saveModel:') ? error : new Error(`saveModel: ${message}`, { cause: error });
  }
  return {
    modelJson: path.join(dir, MODEL_FILE),
    weights: path.join(dir, WEIGHTS_FILE),
    weightBytes: result.modelArtifactsInfo.weightDataBytes ?? 0,
  };
}

/**
 * Load a model written by {@link saveModel} (or any tfjs layers `model.json` with its weight files).
 * A model whose single output ends in a softmax over the last axis comes back without it ({@link toLogits}): nonadj
 * trains and infers on logits, and applies the softmax itself where it needs probabilities.
 *
 * @param fileOrDir - a `model.json`, or a directory containing one.
 * A model whose metadata has a `publishedInputShape` (a fine-tuned foreign model) comes back rebuilt for the
 * metadata's `inputShape`, as it was trained.
 *
 * @returns the model (not compiled) and nonadj's metadata, or null metadata when the file has none.
 * @throws Error when the file is missing, is not JSON, is not a layers model (e.g. a graph model from
 *   the tfjs converter), uses a layer class that is not registered, or its metadata is malformed.
 */
export async function loadModel(fileOrDir: string): Promise<LoadModelResult> {
  const stat = await fs.stat(fileOrDir).catch(() => null);
  if (stat === null) throw new Error(`loadModel: ${fileOrDir} does not exist, expected a model.json or a folder holding one`);
  const file = stat.isDirectory() ? path.join(fileOrDir, MODEL_FILE) : fileOrDir;
  let model: LayersModel;
  try {
    model = await tfl.loadLayersModel(fileLoadHandler(file));
  } catch (error) {
    const message = (error as Error).message;
    if (message.startsWith('loadModel:')) throw error;
    throw new Error(`loadModel: ${file}: ${message}`, { cause: error });
  }
  const raw = (model.getUserDefinedMetadata() as Record<string, unknown> | undefined)?.[METADATA_KEY];
  if (model.outputs.length === 1 && outputActivation(model) === 'softmax') model = await toLogits(model);
  if (raw === undefined) return { model, metadata: null };
  assertModelMetadata(raw, `loadModel: ${file}`);
  const declared = model.inputs[0].shape.slice(1);
  if (raw.publishedInputShape !== undefined && declared.some((d, i) => d !== raw.inputShape[i])) {
    // The file declares the published shape (see ModelMetadata.publishedInputShape); nonadj works on inputShape.
    const rebound = await withInputShape(model, raw.inputShape);
    model.dispose();
    model = rebound;
  }
  return { model, metadata: raw };
}

async function readOrThrow(file: string, what: string): Promise<Buffer> {
  try {
    return await fs.readFile(file);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new Error(`loadModel: cannot read ${what}, ${file}: ${reason}`, { cause: error });
  }
}

async function readModelJson(file: string): Promise<io.ModelJSON> {
  const text = (await readOrThrow(file, 'the model')).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`loadModel: ${file} is not JSON (${(error as Error).message})`, { cause: error });
  }
  const obj = json as Partial<io.ModelJSON> | null;
  if (obj === null || typeof obj !== 'object' || obj.modelTopology == null || !Array.isArray(obj.weightsManifest)) {
    throw new Error(`loadModel: ${file} is not a tfjs model.json, expected the keys modelTopology and weightsManifest`);
  }
  if (obj.format !== undefined && obj.format !== 'layers-model') {
    throw new Error(`loadModel: ${file} has format '${obj.format}', expected 'layers-model' (graph models cannot be trained)`);
  }
  return obj as io.ModelJSON;
}

/**
 * Check that `value` has the shape of {@link ModelMetadata}.
 *
 * @throws TypeError naming `where` and the first bad field.
 */
export function assertModelMetadata(value: unknown, where = 'assertModelMetadata'): asserts value is ModelMetadata {
  const fail = (what: string): never => {
    throw new TypeError(`${where}: metadata ${what}`);
  };
  if (value === null || typeof value !== 'object') fail('is not an object');
  const m = value as Partial<ModelMetadata>;
  if (m.kind !== '2.5d' && m.kind !== '3d') fail(`kind is ${JSON.stringify(m.kind)}, expected '2.5d' or '3d'`);
  if (!Array.isArray(m.classes) || m.classes.length === 0 || !m.classes.every(Number.isInteger)) {
    fail('classes must be a non-empty list of integer label codes');
  }
  if (!Array.isArray(m.inputShape) || !m.inputShape.every((v) => Number.isInteger(v) && v > 0)) {
    fail(`inputShape ${JSON.stringify(m.inputShape)} must be a list of positive integers`);
  }
  if (
    m.publishedInputShape !== undefined &&
    (!Array.isArray(m.publishedInputShape) ||
      m.publishedInputShape.length !== m.inputShape!.length ||
      !m.publishedInputShape.every((v) => v === null || (Number.isInteger(v) && v > 0)))
  ) {
    fail(`publishedInputShape ${JSON.stringify(m.publishedInputShape)} must list ${m.inputShape!.length} positive integers or nulls`);
  }
  if (m.classNames !== undefined && (!Array.isArray(m.classNames) || m.classNames.length !== m.classes!.length)) {
    fail(`classNames must list one name (or null) per class (${m.classes!.length})`);
  }
  if (m.inputOrder !== undefined && (m.kind !== '3d' || (m.inputOrder !== 'zyx' && m.inputOrder !== 'xyz'))) {
    fail(`inputOrder is ${JSON.stringify(m.inputOrder)}, expected 'zyx' or 'xyz' on a 3d model`);
  }
  if (m.crop !== undefined && (m.kind !== '3d' || !Number.isInteger(m.crop) || m.crop < 0)) {
    fail(`crop is ${JSON.stringify(m.crop)}, expected an integer ≥ 0 (voxels) on a 3d model`);
  }
  if (m.kind === '2.5d') {
    if (m.axis !== 0 && m.axis !== 1 && m.axis !== 2) fail(`axis is ${JSON.stringify(m.axis)}, expected 0, 1 or 2 for a 2.5d model`);
    if (!Number.isInteger(m.k) || m.k! < 1 || m.k! % 2 === 0) fail(`k is ${JSON.stringify(m.k)}, expected a positive odd integer for a 2.5d model`);
  }
}
