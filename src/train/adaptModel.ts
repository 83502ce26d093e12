import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { drawPatchOrigin } from '../data/drawPatchOrigin.js';
import { extractPatch3d } from '../data/extractPatch3d.js';
import { readVolume, type LoadVolume } from '../data/loadExam.js';
import { make25dSample, type GridData } from '../data/make25dSample.js';
import { makeExamCache } from '../data/makeExamCache.js';
import { standardise, standardiseParams, type StandardiseOptions } from '../data/standardise.js';
import { fidelityLoss } from '../loss/fidelityLoss.js';
import { makeNonAdjacencyLoss } from '../loss/makeNonAdjacencyLoss.js';
import { resolveCropMargin, resolveInputOrder, type InputOrder } from '../infer/segmentVolume.js';
import { checkModelForPrior } from '../model/checkModelForPrior.js';
import { modelIntensity } from '../model/modelIntensity.js';
import type { ModelMetadata } from '../model/modelFiles.js';
import { withInputShape } from '../model/withInputShape.js';
import { seededRandom } from '../numeric/seededRandom.js';
import type { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import { headBoundingBox, type CropBox } from '../volume/headBoundingBox.js';
import { sliceAxis, type SliceAxisIndex } from '../volume/sliceAxis.js';
import { swapXZ } from '../volume/swapXZ.js';
import type { Volume } from '../volume/Volume.js';
import { GUARD_MIN_DICE } from './checkAgainstOriginal.js';
import { makeAdaptGuard, type AdaptCheck, type AdaptGuard } from './makeAdaptGuard.js';
import { makeOptimizer } from './optimizer.js';
import { makeGradientEngine, type GradientEngine, type GradientResult } from './makeGradientEngine.js';
import { makeInferenceEngine, type EngineChoice, type InferenceEngine } from '../infer/makeInferenceEngine.js';

/**
 * The defaults of {@link adaptModel}, chosen on the demo's unseen-scanner validation subjects only
 * (`bench/adaptDemo.ts --set unseen-val`, `docs/adapt/validation.md`: the fewest forbidden contacts within half a Dice
 * point of the original; README "Adapt a model to new scans"). λ is NonAdjLoss's weight as
 * `makeNonAdjacencyLoss` defines it (normalised by the prior's forbidden ordered pairs), relative to the fidelity
 * term's weight 1 (nats per pixel).
 */
export const ADAPT_DEFAULTS = {
  steps: 100,
  batchSize: 4,
  lambda: 30000,
  learningRate: 1e-4,
  seed: 1,
  scansInMemory: 4,
} as const;

/** One step's figures, for progress output. */
export interface AdaptStepInfo {
  /** 1-based step and the total. */
  step: number;
  steps: number;
  /** The scan the batch came from. */
  scan: string;
  /** Fidelity (weight × mean KL to the original's prediction, nats per pixel) and λ·NonAdjLoss, before the update. */
  fidelity: number;
  nonAdjacency: number;
  total: number;
  ms: number;
}

/**
 * The guard of {@link adaptModel}: a check of the adapted weights on the whole scans every few steps, against the
 * original model's segmentations of the same scans (no ground truth), which keeps the best weights checked and stops
 * before a structure collapses. Memory: the original's label maps are held throughout (int32, 4 bytes per voxel per
 * scan: 64 MB for a 256³ scan), beside a copy of the weights; each check costs `segment`'s time.
 */
export interface AdaptGuardOptions {
  /** Steps between checks (a check also runs before the first step, on the original weights, and after the last). */
  every: number;
  /** Tolerance: the lowest Dice to the original's segmentation any label it segments may have. @default GUARD_MIN_DICE (0.9) */
  minDice?: number;
  /**
   * Segments every scan (in `scans`' order) with `model` as it is when called: `adaptModel` has copied the adapted
   * weights into it. One label map per scan, in the prior's label codes, e.g. `segmentVolume`'s.
   */
  segment: (model: LayersModel) => Promise<Volume[]>;
  /**
   * Called after every check, with the check's segmentations (one label map per scan, on the scan's grid, in `scans`'
   * order: at step 0 the original's), e.g. for progress output or to keep them (`nonadj adapt --save-checks`). Awaited.
   */
  onCheck?: (check: AdaptCheck, segmentations: readonly Volume[]) => void | Promise<void>;
}

export type { AdaptCheck } from './makeAdaptGuard.js';

/** Options of {@link adaptModel}. */
export interface AdaptModelOptions {
  /** The adjacency prior (its labels = the model's output channels). */
  prior: AdjacencyPrior;
  /** The scans to adapt to: file paths (or any key `load` understands), unlabelled, single-frame 3D. */
  scans: readonly string[];
  /** nonadj's metadata of the model, or null for a model from another tool (then give `axis` for a 2.5D model). */
  metadata: ModelMetadata | null;
  /** 2.5D slicing axis; overrides the metadata's. */
  axis?: SliceAxisIndex;
  /** Intensity standardisation; default: the metadata's, else brainchop's quantile scaling (`modelIntensity`). */
  intensity?: StandardiseOptions;
  /**
   * 3D: the array axes fed to the network's (D, H, W), as `segmentVolume` feeds them (default `resolveInputOrder`: the metadata's
   * `inputOrder`, else `'zyx'` for a nonadj model, brainchop's `'xyz'` for one without metadata), so that the model is adapted on the inputs it
   * segments.
   */
  inputOrder?: InputOrder;
  /**
   * 3D: adapt on patches of this size `[D, H, W]` instead of the model's declared input (brainchop's MeshNet declares
   * 256³, whose activations and gradients do not fit): the network is rebuilt for it (`withInputShape`, every layer
   * trainable, so a model exported frozen adapts too), and the adapted weights are copied back into `model` layer by
   * layer at the end. Only for a fully convolutional network. @default the model's input size
   */
  patch?: readonly [number, number, number];
  /**
   * 3D: draw the patches inside the head's bounding box grown by this many voxels (`headBoundingBox`, as
   * `segmentVolume` crops), or `false` for anywhere in the volume, so that no step is spent on air.
   * @default `resolveCropMargin` (as `segmentVolume`): the metadata's `crop`, else 8 voxels for a model without metadata, `false` otherwise
   */
  crop?: number | false;
  /** Optimisation steps. @default ADAPT_DEFAULTS.steps */
  steps?: number;
  /** Slices (2.5D) or patches (3D) per step, all from one scan. @default ADAPT_DEFAULTS.batchSize */
  batchSize?: number;
  /** Weight λ of NonAdjLoss (`makeNonAdjacencyLoss`'s), the fidelity term's weight being 1. @default ADAPT_DEFAULTS.lambda */
  lambda?: number;
  /**
   * Weight of the fidelity term. 0 leaves NonAdjLoss alone, whose minimum includes one label everywhere: only for
   * showing what the term prevents. @default 1
   */
  fidelityWeight?: number;
  /** Adam's learning rate (constant). @default ADAPT_DEFAULTS.learningRate */
  learningRate?: number;
  /** Seed of the scan order and the slices or patches drawn. @default 1 */
  seed?: number;
  /** Scans held decoded at once (float32, 4 bytes per voxel each). @default 4 */
  scansInMemory?: number;
  /** How a scan is read. @default `readNiftiFile(file, { expect: '3d' })` */
  load?: LoadVolume;
  /**
   * Engine of the student's forward and backward passes (`makeGradientEngine`: onnxruntime-node's training graphs when
   * `'auto'` or `'onnx'` and the model is covered) and of the frozen original's predictions (`makeInferenceEngine`).
   * The losses and Adam run on tfjs either way. @default 'tfjs' (the CLI's default is auto)
   */
  engine?: EngineChoice;
  /** onnxruntime's intra-op threads for those passes. @default 1 */
  threads?: number;
  /** Called once with the engines chosen (their descriptions), before the first step. */
  onEngine?: (engines: { student: string; original: string }) => void;
  /** Called after every step; a returned promise is awaited before the next step (e.g. to segment with the model so far). */
  onStep?: (info: AdaptStepInfo) => void | Promise<void>;
  /** Stops after the current step (the model then holds the weights reached so far, or the guard's best). */
  signal?: AbortSignal;
  /** Check the adapted weights on the whole scans every few steps, keep the best and stop at a failed check. */
  guard?: AdaptGuardOptions;
}

/** Result of {@link adaptModel}. */
export interface AdaptModelResult {
  /** Steps done (fewer than asked when `signal` fired). */
  steps: number;
  /** Every step's fidelity and λ·NonAdjLoss, before its update. */
  history: Array<{ step: number; scan: string; fidelity: number; nonAdjacency: number }>;
  /** The settings used, defaults filled in (what the adapted model's metadata records). */
  settings: {
    steps: number; lambda: number; fidelityWeight: number; learningRate: number; scans: number;
    /** Slices or patches per step, and the seed of the draws (`adaptModel`; `adaptLastLayer` makes full passes, no draw). */
    batchSize?: number; seed?: number;
    /** `'last'`: `adaptLastLayer` (the last layer on whole-scan features), with the edge of its tiles; absent: every layer. */
    layers?: 'last'; tile?: number;
    /** 3D: the patch `[D, H, W]` adapted on, and the axes fed to it. */
    patch?: number[];
    inputOrder?: InputOrder;
    /** 3D: the margin of the head's box the patches were drawn in, or false for the whole volume. */
    crop?: number | false;
  };
  seconds: number;
  /**
   * With `guard`: every check in order, the step whose weights the model holds at the end (the check with the fewest
   * forbidden contacts among those passed, the earliest on a tie; 0 = the original weights) and the step of the check
   * that failed and stopped the adaptation, if one did.
   */
  guard?: { minDice: number; every: number; checks: AdaptCheck[]; bestStep: number; stoppedAtStep: number | null };
}

/**
 * Test-time adaptation (issue 13): fine-tune `model` **in place** on unlabelled scans with
 *
 *   `loss = fidelity(z, q) + λ · NonAdjLoss(softmax(z))`,
 *
 * where `z` are the model's logits on a batch and `q` the soft prediction (softmax) of a frozen copy of the original
 * model on the same batch (`fidelityLoss`: mean KL(q‖p), 0 at the start). NonAdjLoss (METHOD.md §3) pushes
 * probability away from the forbidden contacts; NonAdjLoss alone is minimal at one label everywhere (no contact can be
 * forbidden), and on the toy problem of the tests it gets there in 50 steps. The fidelity term makes that collapse
 * cost without bound as it becomes confident (see `fidelityLoss`), so it is never a minimum; the same toy run with it
 * keeps every label after 200 steps and removes the forbidden contacts. How far the adapted model may move is set by
 * λ: a large λ can still drift the arg-max far from the original (softly, at a finite KL), which is why λ is
 * chosen on validation subjects by Dice as well as contacts (README, "Adapt a model to new scans"). Where λ is
 * small against `nForbidden` there is a bound: at a stationary point of a free per-pixel output,
 * `|p_k − q_k| ≤ 2λ·p_k / nForbidden` (NonAdjLoss's logit gradient is at most `2λ·p_k/(nForbidden·N)`, the
 * fidelity's is `(p − q)/N`).
 *
 * Each step draws one scan (the scans in a seeded order, a new permutation each pass) and `batchSize` slices (2.5D,
 * uniformly over the slices along the model's axis, built as training builds them: `make25dSample`) or patches (3D,
 * uniformly placed, `extractPatch3d`). The teacher's prediction is computed in the step rather than cached: a cache
 * of every slice's probabilities would take 4·C bytes per voxel (91 MB per 2 mm demo scan with its 26 classes, 3.3 GB
 * per 1 mm scan with AAL's 117), while recomputing costs one forward pass per step beside the adapted model's forward and backward passes. Memory is
 * bounded by `scansInMemory` standardised scans, the model twice, and one batch. Adam with a constant learning rate
 * (the training code's optimiser, `makeOptimizer`).
 *
 * The patches never show a 3D network the whole head, nor does the fidelity on them bound what happens there: on
 * Colin27 (`docs/adapt-brainchop.md`) a run whose patch fidelity stayed finite erased the pallidum from the whole
 * head. The `guard` watches that: before the first step and every `guard.every` steps it segments the whole scans
 * with the weights reached (`guard.segment`), scores them against the original weights' segmentations
 * (`checkAgainstOriginal`: per-label Dice, forbidden contacts), keeps the weights of the passing check with the fewest
 * forbidden contacts, and stops at the first check where a label falls below `guard.minDice`; the model then holds
 * the kept weights (the original's, if no later check beat it).
 *
 * @param model - outputs logits over the prior's classes (`loadModel` removes a final softmax): `[B, H, W, k]` →
 *   `[B, H, W, C]` (2.5D) or `[B, D, H, W, 1]` → `[B, D, H, W, C]` (3D), with fixed input sizes.
 * @throws Error naming the value for: no scan, a model whose outputs do not fit the prior, a free input size, a 2.5D
 *   model without axis, bad numeric options, a scan that cannot be read or is larger than a 2.5D model's input, a
 *   non-finite loss (the weights are left as they were before that step), or a `guard.segment` that returns a label
 *   map count other than one per scan.
 */
export async function adaptModel(model: LayersModel, options: AdaptModelOptions): Promise<AdaptModelResult> {
  const op = 'adaptModel';
  const { prior, scans, metadata } = options;
  const { steps, lambda, learningRate, fidelityWeight, minDice, declared, kind } = resolveAdaptSettings(op, model, options);
  const guard = options.guard;
  const batchSize = options.batchSize ?? ADAPT_DEFAULTS.batchSize;
  const seed = options.seed ?? ADAPT_DEFAULTS.seed;
  const capacity = options.scansInMemory ?? ADAPT_DEFAULTS.scansInMemory;
  positiveInt(op, 'batchSize', batchSize, 1);
  positiveInt(op, 'scansInMemory', capacity, 1);
  const patch = options.patch;
  if (patch !== undefined) {
    if (kind !== '3d') throw new RangeError(`${op}: patch is given for model ${model.name}, a 2.5D model; patch is for 3D models`);
    if (patch.length !== 3 || !patch.every((d) => Number.isInteger(d) && d >= 1)) {
      throw new RangeError(`${op}: patch is [${patch.join(', ')}], expected three integers ≥ 1 ([D, H, W])`);
    }
  }
  const inShape = patch !== undefined ? [...patch, 1] : declared;
  if (inShape.some((d) => d === null)) {
    throw new RangeError(`${op}: model ${model.name} takes input [${inShape.join(', ')}]; expected fixed sizes ([H, W, k] or [D, H, W, 1]), or give patch`);
  }
  const sampleShape = inShape as number[];
  const inputOrder = resolveInputOrder(options.inputOrder, metadata);
  const margin = kind === '3d' ? resolveCropMargin(options.crop, metadata) : false;
  const axis = options.axis ?? metadata?.axis;
  if (kind === '2.5d' && axis === undefined) {
    throw new RangeError(`${op}: model ${model.name} has no nonadj metadata; give the slicing axis it was trained on (0, 1 or 2)`);
  }
  const { intensity } = modelIntensity(metadata?.intensity, { explicit: options.intensity });
  const load = options.load ?? readVolume;
  const started = performance.now();

  const cache = makeExamCache<number, { grid: GridData<Float32Array>; pad: number; box?: CropBox }>({
    capacity,
    load: async (i) => {
      const image = await load(scans[i]);
      if (image.frames !== 1) throw new RangeError(`${op}: scan ${scans[i]} has ${image.frames} frames, expected one 3D volume`);
      const params = standardiseParams(image, intensity);
      if (kind === '2.5d') {
        const g = sliceAxis(image.dims, axis as SliceAxisIndex);
        if (g.height > sampleShape[0] || g.width > sampleShape[1]) {
          throw new RangeError(`${op}: scan ${scans[i]} has ${g.height}×${g.width} slices along axis ${axis}, larger than the model's input ${sampleShape[0]}×${sampleShape[1]}`);
        }
      }
      const box = margin === false ? undefined : headBoundingBox(image, margin);
      return { grid: { dims: image.dims, data: standardise(image, { mode: 'dataset', ...params }) }, pad: -params.mean / params.std, box };
    },
  });

  // The student: the model itself, or (patch given, or nothing trainable, as in brainchop's exports) a rebuild for the
  // patch size with every layer trainable, whose weights go back into the model at the end.
  const sameShape = declared.every((d, i) => d === sampleShape[i]);
  const rebuild = !sameShape || model.trainableWeights.length === 0;
  const student = rebuild ? await withInputShape(model, sampleShape, { trainable: true }) : model;
  // The frozen original: the same architecture with a copy of the weights (custom layers are registered, since the
  // model itself was built or loaded with them).
  const teacher = (await tfl.models.modelFromJSON({ modelTopology: student.toJSON(undefined, false) as tf.io.ModelJSON['modelTopology'] })) as LayersModel;
  teacher.setWeights(student.getWeights());
  const nonAdjacency = makeNonAdjacencyLoss(prior, { lambda, inputs: 'logits', nanCheck: 'off' });
  const variables = student.trainableWeights.map((w) => w.read() as tf.Variable);
  const choice = options.engine ?? 'tfjs';
  let gradientEngine: GradientEngine | null = null;
  let originalEngine: InferenceEngine | null = null;
  const outShape = [...sampleShape.slice(0, -1), prior.numLabels];
  const optimizer = makeOptimizer(variables, { kind: 'adam', learningRate, schedule: 'constant' });
  const rng = seededRandom(seed);
  const per = sampleShape.reduce((a, b) => a * b, 1);
  const batch = new Float32Array(batchSize * per);
  const history: AdaptModelResult['history'] = [];
  let order: number[] = [];
  let stoppedAtStep: number | null = null;
  const copyBack = () => {
    if (!rebuild) return;
    for (const layer of student.layers) {
      const weights = layer.getWeights();
      if (weights.length > 0) model.getLayer(layer.name).setWeights(weights);
    }
  };
  // The guard: the whole scans segmented with the weights reached (copied back into `model` first).
  const checker: AdaptGuard | null = guard === undefined ? null : makeAdaptGuard({
    prior, minDice, scans: scans.length, op, onCheck: guard.onCheck,
    segment: async () => {
      copyBack();
      return guard.segment(model);
    },
    snapshot: () => student.getWeights().map((w) => w.clone()),
  });
  try {
    gradientEngine = await makeGradientEngine(student, { engine: choice, threads: options.threads ?? 1 });
    originalEngine = await makeInferenceEngine(teacher, { engine: choice, threads: options.threads ?? 1 });
    options.onEngine?.({ student: gradientEngine.description, original: originalEngine.description });
    if (checker !== null) await checker.check(0);
    for (let step = 0; step < steps; step++) {
      if (options.signal?.aborted) break;
      const t0 = performance.now();
      if (order.length === 0) order = rng.shuffle(Array.from({ length: scans.length }, (_, i) => i));
      const index = order.shift() as number;
      const scan = await cache.get(index);
      for (let b = 0; b < batchSize; b++) batch.set(drawSample(scan.grid, scan.pad, kind, axis, inputOrder, sampleShape, rng, scan.box), b * per);
      const x = tf.tensor(batch, [batchSize, ...sampleShape], 'float32');
      const originalLogits = originalEngine.forward ? await originalEngine.forward(batch, [batchSize, ...sampleShape]) : null;
      // The frozen original's soft prediction on the same batch: what the fidelity term keeps the student close to.
      const target = originalLogits
        ? tf.tidy(() => tf.softmax(tf.tensor(originalLogits, [batchSize, ...outShape], 'float32')))
        : tf.tidy(() => tf.softmax(teacher.predict(x) as tf.Tensor));
      let result: GradientResult<{ total: tf.Scalar; fidelity: tf.Scalar; nonAdjacency: tf.Scalar }> | null = null;
      try {
        result = await gradientEngine.compute(
          x,
          0,
          (logits) => {
            const f = tf.mul(fidelityLoss(logits, target), fidelityWeight) as tf.Scalar;
            const n = nonAdjacency(logits);
            return { total: tf.add(f, n) as tf.Scalar, fidelity: f, nonAdjacency: n };
          },
          () => variables.map((v) => v.dataSync() as Float32Array),
        );
        const gradList = result.grads;
        const { terms } = result;
        const summary = tf.tidy(() => tf.stack([terms.total, terms.fidelity, terms.nonAdjacency, tf.addN(gradList.map((g) => tf.sum(tf.square(g))))]));
        const [total, fidelity, nonAdj, gradSquares] = summary.dataSync();
        summary.dispose();
        if (![total, gradSquares].every(Number.isFinite)) {
          throw new Error(
            `${op}: the loss is not finite (fidelity ${fidelity}, λ·NonAdjLoss ${nonAdj}) at step ${step + 1} on scan ${scans[index]}, ` +
              `with λ = ${lambda} and learning rate ${learningRate}; lower either`,
          );
        }
        optimizer.apply(gradList, learningRate);
        history.push({ step: step + 1, scan: scans[index], fidelity, nonAdjacency: nonAdj });
        await options.onStep?.({ step: step + 1, steps, scan: scans[index], fidelity, nonAdjacency: nonAdj, total, ms: performance.now() - t0 });
      } finally {
        result?.dispose();
        tf.dispose([x, target]);
      }
      if (checker !== null && (step + 1) % guard!.every === 0 && !(await checker.check(step + 1))) {
        stoppedAtStep = step + 1;
        break;
      }
    }
    if (checker !== null) {
      // The last weights are checked too (unless a check just did), so that the best is chosen among all the checks.
      if (stoppedAtStep === null && checker.checks.at(-1)?.step !== history.length && !(await checker.check(history.length))) stoppedAtStep = history.length;
      if (checker.best !== null) student.setWeights(checker.best.weights);
    }
    copyBack();
  } finally {
    checker?.dispose();
    optimizer.dispose();
    await gradientEngine?.dispose();
    await originalEngine?.dispose();
    teacher.dispose();
    if (rebuild) student.dispose();
    cache.clear();
  }
  return {
    steps: history.length,
    history,
    settings: {
      steps, batchSize, lambda, fidelityWeight, learningRate, seed, scans: scans.length,
      ...(kind === '3d' ? { patch: sampleShape.slice(0, 3), inputOrder, crop: margin } : {}),
    },
    seconds: (performance.now() - started) / 1000,
    ...(guard !== undefined && checker !== null
      ? { guard: { minDice, every: guard.every, checks: [...checker.checks], bestStep: checker.best?.step ?? 0, stoppedAtStep } }
      : {}),
  };
}

/** Throws a RangeError naming `op`, the option and its value unless `v` is an integer ≥ `min`. */
function positiveInt(op: string, name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`${op}: ${name} is ${v}, expected an integer ≥ ${min}`);
}

/**
 * The settings `adaptModel` and `adaptLastLayer` share, defaults filled in and checked (steps, λ, learning rate,
 * fidelity weight, the scans, the guard, the model's outputs against the prior), and the model's kind.
 *
 * @throws RangeError (Error for outputs that do not fit the prior) naming `op`, the option and its value.
 */
export function resolveAdaptSettings(
  op: string, model: LayersModel, options: Pick<AdaptModelOptions, 'prior' | 'scans' | 'metadata' | 'steps' | 'lambda' | 'learningRate' | 'fidelityWeight'> & { guard?: Omit<AdaptGuardOptions, 'segment'> },
) {
  const steps = options.steps ?? ADAPT_DEFAULTS.steps;
  const lambda = options.lambda ?? ADAPT_DEFAULTS.lambda;
  const learningRate = options.learningRate ?? ADAPT_DEFAULTS.learningRate;
  const fidelityWeight = options.fidelityWeight ?? 1;
  positiveInt(op, 'steps', steps, 0);
  if (!(lambda >= 0) || !Number.isFinite(lambda)) throw new RangeError(`${op}: lambda is ${lambda}, expected a finite number ≥ 0`);
  if (!(fidelityWeight >= 0) || !Number.isFinite(fidelityWeight)) throw new RangeError(`${op}: fidelityWeight is ${fidelityWeight}, expected a finite number ≥ 0`);
  if (!(learningRate > 0) || !Number.isFinite(learningRate)) throw new RangeError(`${op}: learningRate is ${learningRate}, expected a finite number > 0`);
  if (options.scans.length === 0) throw new RangeError(`${op}: no scan to adapt to, expected at least one`);
  const guard = options.guard;
  const minDice = guard?.minDice ?? GUARD_MIN_DICE;
  if (guard !== undefined) {
    positiveInt(op, 'guard.every', guard.every, 1);
    if (!(minDice >= 0 && minDice <= 1)) throw new RangeError(`${op}: guard.minDice is ${minDice}, expected a number in [0, 1]`);
  }
  try {
    checkModelForPrior(model, { numClasses: options.prior.numLabels });
  } catch (error) {
    throw new Error(`${op}: model ${model.name}: ${(error as Error).message.replace(/^checkModelForPrior: /, '')}`, { cause: error });
  }
  const declared = model.inputs[0].shape.slice(1);
  const kind: '2.5d' | '3d' = options.metadata?.kind ?? (declared.length === 3 ? '2.5d' : '3d');
  return { steps, lambda, learningRate, fidelityWeight, guard, minDice, declared, kind };
}

/**
 * One input sample, channels-last: a 2.5D stack `[H, W, k]` at a random slice, or a 3D patch `[D, H, W, 1]` (with
 * `'xyz'`, the grid's (x, y, z) box of size (D, H, W) fed as (D, H, W), as `segmentVolume` feeds brainchop's models).
 */
function drawSample(
  grid: GridData<Float32Array>, pad: number, kind: '2.5d' | '3d', axis: SliceAxisIndex | undefined, inputOrder: InputOrder,
  shape: number[], rng: ReturnType<typeof seededRandom>, box: CropBox | undefined,
): Float32Array {
  if (kind === '2.5d') {
    const g = sliceAxis(grid.dims, axis as SliceAxisIndex);
    return make25dSample(grid, null, { axis: axis as SliceAxisIndex, index: rng.int(g.depth), k: shape[2], padTo: [shape[0], shape[1]], imagePad: pad }).image;
  }
  // Patch [D, H, W] = [sz, sy, sx] (zyx) or [sx, sy, sz] (xyz); inside the head's box (or the volume) where it fits,
  // centred on it where it is smaller.
  const size: [number, number, number] = inputOrder === 'xyz' ? [shape[0], shape[1], shape[2]] : [shape[2], shape[1], shape[0]];
  const origin = drawPatchOrigin(grid.dims, size, rng, box);
  const image = extractPatch3d(grid, null, { origin, size, imagePad: pad }).image;
  return inputOrder === 'xyz' ? swapXZ(image, size).data : image;
}
