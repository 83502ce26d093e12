import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs-layers';
import { readVolume, type LoadVolume } from '../data/loadExam.js';
import { standardise, standardiseParams, type StandardiseOptions } from '../data/standardise.js';
import { makeInferenceEngine } from '../infer/makeInferenceEngine.js';
import { predictLayerwise3d } from '../infer/predictLayerwise3d.js';
import { predictSlices } from '../infer/predictSlices.js';
import { fromNetworkGrid, resolveCropMargin, resolveInputOrder, toNetworkGrid, type InputOrder, type NetworkGrid } from '../infer/segmentVolume.js';
import { fidelityLoss } from '../loss/fidelityLoss.js';
import { makeNonAdjacencyLoss } from '../loss/makeNonAdjacencyLoss.js';
import { modelIntensity } from '../model/modelIntensity.js';
import { cropGrid } from '../volume/cropGrid.js';
import type { CropBox } from '../volume/headBoundingBox.js';
import type { SliceAxisIndex } from '../volume/sliceAxis.js';
import { makeVolume, type Volume } from '../volume/Volume.js';
import { resolveAdaptSettings, type AdaptGuardOptions, type AdaptModelOptions, type AdaptModelResult } from './adaptModel.js';
import { makeAdaptGuard, type AdaptGuard } from './makeAdaptGuard.js';
import { makeOptimizer } from './optimizer.js';

/** The defaults of {@link adaptLastLayer} that differ from `adaptModel`'s (`ADAPT_DEFAULTS`). */
export const LAST_LAYER_DEFAULTS = {
  /** Edge of the cubic tiles a full pass is cut into (voxels): one tile's tensors at a time. */
  tile: 64,
} as const;

/**
 * Options of {@link adaptLastLayer}: `adaptModel`'s that apply (the same meanings and defaults; a 3D model's
 * `inputOrder` and `crop` as `segmentVolume`'s, a 2.5D model's `axis`), and its own.
 */
export type AdaptLastLayerOptions = Pick<
  AdaptModelOptions,
  'prior' | 'scans' | 'metadata' | 'axis' | 'intensity' | 'inputOrder' | 'crop' | 'steps' | 'lambda' | 'fidelityWeight' | 'learningRate' | 'load' | 'engine' | 'threads' | 'onStep' | 'signal'
> & {
  /** Edge of the cubic tiles a full pass is cut into. @default LAST_LAYER_DEFAULTS.tile */
  tile?: number;
  /** tfjs' layer-by-layer path (a 3D model without onnxruntime): tensor memory one slab may use. @default 1 GiB */
  memoryBudgetBytes?: number;
  /** Called once per scan when its features are computed (for progress output). */
  onFeatures?: (info: { scan: string; channels: number; dims: readonly number[]; seconds: number; engine: string }) => void;
  /** The guard, as `adaptModel`'s; its segmentations are made here (the last layer on the stored features), so no `segment`. */
  guard?: Omit<AdaptGuardOptions, 'segment'>;
};

/** One scan as the last layer sees it: the features of the layers before it on the network's grid. */
interface ScanFeatures {
  /** Channels-last, voxel-major over `grid.dims` (x fastest): `voxel·F + f`. */
  features: Float32Array;
  grid: Omit<NetworkGrid, 'data'>;
  image: Pick<Volume, 'dims' | 'spacingMm' | 'affine'>;
}

/** Voxels per chunk when the last layer is applied to a whole scan (tensors of 4·F and 4·C bytes per voxel). */
const CHUNK_VOXELS = 1 << 18;

/**
 * Test-time adaptation of the **last layer only** (issue 13), for a network ending in a pointwise convolution
 * (kernel 1×1×1 or 1×1, linear output), such as brainchop's MeshNet or nonadj's ModSegNet: the same loss as `adaptModel`,
 *
 *   `loss = fidelity(z, q) + λ · NonAdjLoss(softmax(z))`,  z = F·W + b,
 *
 * minimised over the last layer's kernel W (`[F, C]`) and bias b alone, where F are the features the layers before it
 * compute on the **whole scan** (the head's box, as `segment` crops it), once, before the first step. Why, measured
 * on Colin27 (`docs/adapt-brainchop.md`): adapting every layer on 64³ patches, smaller than MeshNet's 93-voxel
 * receptive field, trains the network on activations of zero-padded patches it never sees on the whole head, and a
 * fidelity kept small on the patches did not keep the whole head's structures (a pallidum erased). Here every step is
 * a full pass over the scans' own whole-head features (cut into tiles of `tile`³ voxels for memory; the contacts
 * across a tile's faces are not counted), so the loss minimised is the whole scan's, and the run is deterministic:
 * no patch is drawn, there is no seed. The price is expressiveness: a per-voxel linear map of fixed features can move
 * the boundaries between classes where the features leave them uncertain, not learn new features.
 *
 * A 2.5D model's features are computed slice by slice as `segmentVolume` segments (`predictSlices`), onto the scan's
 * grid, and the loss is then taken in 3D over that grid, as for a 3D model: the contacts it penalises are those of the
 * 3D segmentation the model writes (which `checkSegmentation` counts), not those within each slice, which is what
 * `adaptModel` and training penalise for a 2.5D model.
 *
 * The guard's checks cost a product of the stored features with W, not a segmentation (`adaptModel`'s ~60 s per check
 * on a 1 mm head), so a check after every step is cheap. At the end the last layer of `model` holds the adapted (or
 * the guard's kept) weights: `model` is changed **in place**, in its own format.
 *
 * Memory: the stored features, 4·F bytes per voxel of the box per scan (Colin27's 196×191×230 box with MeshNet's 30
 * channels: 1.0 GB), plus the forward pass that computes them (onnxruntime: ~3.6 GB for that box) and one tile's tensors.
 *
 * @param model - a model whose outputs fit the prior (logits: `loadModel` removes a final softmax), ending in a
 *   pointwise convolution: a 3D model (`[B, D, H, W, 1]`, any input size: the layers before the last run on the whole
 *   box, onnxruntime's one pass or tfjs' layer-by-layer slabs for a chain) ending in Conv3D, or a 2.5D model
 *   (`[B, H, W, k]`) ending in Conv2D.
 * @throws RangeError naming the value for: no scan, bad numeric options, a 2.5D model without axis, a last layer
 *   that is not a pointwise linear convolution, outputs that do not fit the prior; Error for an unreadable scan, a
 *   multi-frame scan, or a non-finite loss (the weights are left as before that step).
 */
export async function adaptLastLayer(model: LayersModel, options: AdaptLastLayerOptions): Promise<AdaptModelResult> {
  const op = 'adaptLastLayer';
  const { prior, scans, metadata } = options;
  const { steps, lambda, learningRate, fidelityWeight, guard, minDice, kind } = resolveAdaptSettings(op, model, options);
  const tile = options.tile ?? LAST_LAYER_DEFAULTS.tile;
  if (!Number.isInteger(tile) || tile < 1) throw new RangeError(`${op}: tile is ${tile}, expected an integer ≥ 1`);
  const axis = options.axis ?? metadata?.axis;
  if (kind === '2.5d' && axis === undefined) {
    throw new RangeError(`${op}: model ${model.name} has no nonadj metadata; give the slicing axis it was trained on (0, 1 or 2)`);
  }
  const last = model.layers[model.layers.length - 1];
  const config = last.getConfig() as { kernelSize?: number[]; strides?: number[]; activation?: string };
  const convolution = kind === '3d' ? 'Conv3D' : 'Conv2D';
  const pointwise =
    last.getClassName() === convolution && (config.kernelSize ?? []).every((k) => k === 1) && (config.strides ?? [1]).every((s) => s === 1) &&
    (config.activation ?? 'linear') === 'linear';
  if (!pointwise) {
    throw new RangeError(
      `${op}: model ${model.name} ends in ${last.getClassName()} ${last.name} (kernel ${JSON.stringify(config.kernelSize)}, activation ${config.activation}); ` +
        `the last-layer adaptation needs a pointwise ${convolution} (kernel ${kind === '3d' ? '1×1×1' : '1×1'}, stride 1, linear output); adapt every layer instead`,
    );
  }
  const inputOrder = resolveInputOrder(options.inputOrder, metadata);
  const margin = resolveCropMargin(options.crop, metadata);
  const { intensity } = modelIntensity(metadata?.intensity, { explicit: options.intensity });
  const load = options.load ?? readVolume;
  const classes = metadata?.classes ?? [...prior.labels];
  const started = performance.now();

  // The layers before the last, sharing its weights (never disposed here: they are the model's).
  const trunk = tfl.model({ inputs: model.inputs, outputs: last.input as SymbolicTensor });
  const [kernel0, bias0] = last.getWeights();
  const kernelShape = kernel0.shape;
  const [F, C] = kernelShape.slice(-2) as [number, number];
  const original = tf.tidy(() => [tf.reshape(kernel0, [F, C]), ...(bias0 ? [bias0.clone()] : [])]);
  const variables = original.map((w) => tf.variable(w, true));
  const optimizer = makeOptimizer(variables, { kind: 'adam', learningRate, schedule: 'constant' });
  const nonAdjacency = makeNonAdjacencyLoss(prior, { lambda, inputs: 'logits', nanCheck: 'off' });
  const logitsOf = (x: tf.Tensor2D, w: readonly tf.Tensor[]) => (w.length > 1 ? tf.add(tf.matMul(x, w[0] as tf.Tensor2D), w[1]) : tf.matMul(x, w[0] as tf.Tensor2D));
  /** Puts weights `[W [F, C], b]` into the model's last layer (its own variables, assigned). */
  const setLast = (weights: readonly tf.Tensor[]) => {
    const values = tf.tidy(() => [tf.reshape(weights[0], kernelShape), ...weights.slice(1).map((w) => w.clone())]);
    last.setWeights(values);
    tf.dispose(values);
  };
  const history: AdaptModelResult['history'] = [];
  const stepScan = scans.length === 1 ? scans[0] : `${scans.length} scans`;
  let stoppedAtStep: number | null = null;
  let checker: AdaptGuard | null = null;
  try {
    const data = await computeFeatures(trunk, scans, F, { load, intensity, inputOrder, margin, axis: kind === '2.5d' ? axis : undefined, options, op });
    const totalVoxels = data.reduce((a, s) => a + s.features.length / F, 0);

    /** The segmentation of every scan with the last layer's current weights, on the scan's own grid. */
    const segmentAll = async (): Promise<Volume[]> =>
      data.map((s) => {
        const voxels = s.features.length / F;
        const labels = new Int32Array(voxels);
        for (let start = 0; start < voxels; start += CHUNK_VOXELS) {
          const n = Math.min(CHUNK_VOXELS, voxels - start);
          const arg = tf.tidy(() => tf.argMax(logitsOf(tf.tensor2d(s.features.subarray(start * F, (start + n) * F), [n, F]), variables), 1));
          const best = arg.dataSync();
          arg.dispose();
          for (let i = 0; i < n; i++) labels[start + i] = classes[best[i]];
        }
        const full = fromNetworkGrid(s.grid, s.image.dims as [number, number, number], labels, classes[0]).labels;
        return makeVolume(s.image.dims, full, { spacingMm: s.image.spacingMm, affine: s.image.affine });
      });
    checker = guard === undefined ? null : makeAdaptGuard({
      prior, minDice, scans: scans.length, op, onCheck: guard.onCheck, segment: segmentAll,
      snapshot: () => variables.map((v) => v.clone()),
    });
    if (checker !== null) await checker.check(0);

    for (let step = 0; step < steps; step++) {
      if (options.signal?.aborted) break;
      const t0 = performance.now();
      // One full pass: the gradient of the mean over every voxel of every scan, summed tile by tile.
      let grads: tf.Tensor[] | null = null;
      let fidelity = 0;
      let nonAdj = 0;
      for (const s of data) {
        for (const t of tiles(s.grid.dims, tile)) {
          const share = t.voxels / totalVoxels;
          const x = tf.tensor2d(cropGrid(s.features, s.grid.dims, t, F), [t.voxels, F]);
          const shape = [1, t.size[2], t.size[1], t.size[0], C];
          const target = tf.tidy(() => tf.reshape(tf.softmax(logitsOf(x, original)), shape));
          const terms: { value: tf.Tensor | null } = { value: null };
          const { value, grads: named } = tf.variableGrads(() => {
            const logits = tf.reshape(logitsOf(x, variables), shape);
            const f = tf.mul(fidelityLoss(logits, target), fidelityWeight * share);
            const n = tf.mul(nonAdjacency(logits), share);
            terms.value = tf.keep(tf.stack([f, n]));
            return tf.add(f, n) as tf.Scalar;
          }, variables);
          const [f, n] = (terms.value as unknown as tf.Tensor).dataSync();
          fidelity += f;
          nonAdj += n;
          const list = variables.map((v) => named[v.name]);
          if (grads === null) grads = list;
          else {
            const summed: tf.Tensor[] = grads.map((g, i) => tf.add(g, list[i]));
            tf.dispose([...grads, ...list]);
            grads = summed;
          }
          tf.dispose([x, target, value, terms.value as unknown as tf.Tensor]);
        }
      }
      const gradList = grads as unknown as tf.Tensor[];
      const squares = tf.tidy(() => tf.addN(gradList.map((g) => tf.sum(tf.square(g)))));
      const finite = Number.isFinite(fidelity + nonAdj) && Number.isFinite(squares.dataSync()[0]);
      squares.dispose();
      if (!finite) {
        tf.dispose(gradList);
        throw new Error(
          `${op}: the loss is not finite (fidelity ${fidelity}, λ·NonAdjLoss ${nonAdj}) at step ${step + 1}, with λ = ${lambda} and learning rate ${learningRate}; lower either`,
        );
      }
      optimizer.apply(gradList, learningRate);
      tf.dispose(gradList);
      // The model holds the weights reached, so that `onStep` may segment with it (`adaptModel`'s student is the model).
      setLast(variables);
      history.push({ step: step + 1, scan: stepScan, fidelity, nonAdjacency: nonAdj });
      await options.onStep?.({ step: step + 1, steps, scan: stepScan, fidelity, nonAdjacency: nonAdj, total: fidelity + nonAdj, ms: performance.now() - t0 });
      if (checker !== null && (step + 1) % (guard as Omit<AdaptGuardOptions, 'segment'>).every === 0 && !(await checker.check(step + 1))) {
        stoppedAtStep = step + 1;
        break;
      }
    }
    if (checker !== null) {
      // The last weights are checked too (unless a check just did), so that the best is chosen among all the checks.
      if (stoppedAtStep === null && checker.checks.at(-1)?.step !== history.length && !(await checker.check(history.length))) stoppedAtStep = history.length;
    }
    setLast(checker?.best?.weights ?? variables);
  } finally {
    checker?.dispose();
    optimizer.dispose();
    // kernel0 and bias0 are the layer's own variables (`getWeights` returns them, not copies): not disposed.
    tf.dispose([...variables, ...original]);
  }
  return {
    steps: history.length,
    history,
    settings: { steps, lambda, fidelityWeight, learningRate, scans: scans.length, layers: 'last', tile, ...(kind === '3d' ? { inputOrder, crop: margin } : {}) },
    seconds: (performance.now() - started) / 1000,
    ...(guard !== undefined && checker !== null
      ? { guard: { minDice, every: guard.every, checks: [...checker.checks], bestStep: checker.best?.step ?? 0, stoppedAtStep } }
      : {}),
  };
}

/**
 * The features of the layers before the last on every scan's whole grid. 3D: on the head's box, in the network's axes,
 * by onnxruntime's one pass when the engine has one, else tfjs' layer-by-layer slabs (a chain of convolutions). 2.5D
 * (`axis` given): slice by slice on the scan's own grid, as `segmentVolume` segments.
 */
async function computeFeatures(
  trunk: LayersModel, scans: readonly string[], F: number,
  c: { load: LoadVolume; intensity: StandardiseOptions; inputOrder: InputOrder; margin: number | false; axis: SliceAxisIndex | undefined; options: AdaptLastLayerOptions; op: string },
): Promise<ScanFeatures[]> {
  const engine = await makeInferenceEngine(trunk, { engine: c.options.engine ?? 'tfjs', threads: c.options.threads ?? 1 });
  try {
    const out: ScanFeatures[] = [];
    for (const scan of scans) {
      const t0 = performance.now();
      const image = await c.load(scan);
      if (image.frames !== 1) throw new RangeError(`${c.op}: scan ${scan} has ${image.frames} frames, expected one 3D volume`);
      const params = standardiseParams(image, c.intensity);
      const standardised = standardise(image, { mode: 'dataset', ...params });
      const grid: NetworkGrid = c.axis === undefined
        ? toNetworkGrid(image, standardised, c.inputOrder, c.margin)
        : { data: standardised, dims: [...image.dims] as [number, number, number], inputOrder: 'zyx' };
      const [gx, gy, gz] = grid.dims;
      const features = c.axis !== undefined
        ? (await predictSlices(trunk, grid, { axis: c.axis, output: 'labelsAndLogits', imagePad: -params.mean / params.std, forward: engine.forward })).logits
        : engine.forward
        ? await engine.forward(grid.data, [1, gz, gy, gx, 1])
        : (await predictLayerwise3d(trunk, { dims: grid.dims, data: grid.data }, { scores: 'logits', memoryBudgetBytes: c.options.memoryBudgetBytes })).logits;
      if (!features || features.length !== gx * gy * gz * F) {
        throw new Error(`${c.op}: the layers before the last gave ${features?.length} values on scan ${scan}, expected ${gx}×${gy}×${gz}×${F}`);
      }
      out.push({ features, grid: { dims: grid.dims, box: grid.box, inputOrder: grid.inputOrder }, image: { dims: image.dims, spacingMm: image.spacingMm, affine: image.affine } });
      c.options.onFeatures?.({ scan, channels: F, dims: grid.dims, seconds: (performance.now() - t0) / 1000, engine: engine.description });
    }
    return out;
  } finally {
    await engine.dispose();
  }
}

/** The cubic tiles (edge `edge`, cut short at the far faces) covering a grid `[gx, gy, gz]`, as boxes (x first) and their voxels. */
function* tiles(dims: readonly number[], edge: number): Generator<CropBox & { voxels: number }> {
  for (let z = 0; z < dims[2]; z += edge) {
    for (let y = 0; y < dims[1]; y += edge) {
      for (let x = 0; x < dims[0]; x += edge) {
        const size: CropBox['size'] = [Math.min(edge, dims[0] - x), Math.min(edge, dims[1] - y), Math.min(edge, dims[2] - z)];
        yield { start: [x, y, z], size, voxels: size[0] * size[1] * size[2] };
      }
    }
  }
}
