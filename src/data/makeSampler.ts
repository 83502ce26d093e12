import { elasticDeform2d } from './elasticDeform2d.js';
import type { TrainingExam } from './findTrainingExams.js';
import { loadExam, type LoadVolume } from './loadExam.js';
import { make25dSample, type GridData } from './make25dSample.js';
import { makeExamCache, type ExamCache } from './makeExamCache.js';
import { seededRandom, type RandomState, type SeededRandom } from '../numeric/seededRandom.js';
import { sliceAxis, type SliceAxisIndex } from '../volume/sliceAxis.js';
import { standardise, standardiseParams, type StandardiseOptions } from './standardise.js';

/** Elastic augmentation of training samples (see `elasticDeform2d`). */
export interface SamplerAugmentation {
  /** Probability that a sample is deformed (the reference: 0.6). */
  probability: number;
  /** Largest displacement in pixels. */
  alpha: number;
  /** Smoothness of the field: Gaussian standard deviation in pixels. */
  sigma: number;
}

/** Options of {@link makeSampler}. */
export interface MakeSamplerOptions {
  /** Labelled exams (each with `label`). */
  exams: readonly TrainingExam[];
  /**
   * Unlabelled exams for semi-supervised training (METHOD.md §5): when given, every batch also holds
   * `unlabelledPerLabelled · batchSize` unlabelled samples. Their labels, if any, are not read.
   */
  unlabelled?: readonly TrainingExam[];
  /** Labelled samples per batch, b. */
  batchSize: number;
  /** Unlabelled samples per labelled one (METHOD.md §5: 3, so a batch is b + 3b). @default 3 */
  unlabelledPerLabelled?: number;
  /** Slicing axis, see `sliceAxis`. @default 1 (coronal, as the reference) */
  axis?: SliceAxisIndex;
  /** Slices stacked as channels, odd. @default 7 (the reference) */
  k?: number;
  /** Crop or pad every sample to `[H, W]` (see `make25dSample`); needed when exams differ in size. */
  padTo?: readonly [number, number];
  /** Label of padded pixels. @default -1 */
  labelPad?: -1 | 0;
  /** Intensity standardisation, applied to each exam when it is read (see `standardise`). */
  intensity: StandardiseOptions;
  /**
   * Weight of an empty slice (no label > 0; for unlabelled exams: no nonzero voxel) relative to a foreground
   * slice, in [0, 1]. 1 draws every slice alike; the pilot's "all foreground slices + 10 % of empty ones" is 0.1.
   * @default 1
   */
  emptySliceWeight?: number;
  /** Elastic augmentation, or null for none. @default null */
  augmentation?: SamplerAugmentation | null;
  /** Seed of every random choice of the sampler. */
  seed: number;
  /** Exams held decoded at once, per pool (labelled, unlabelled). @default 3 */
  examsInMemory?: number;
  /**
   * Samples drawn from an exam before it makes room for the next one (when the dataset does not fit in memory).
   * Larger values read less from disk and mix exams less within a batch. @default 32
   */
  samplesPerVisit?: number;
  /** How files are read (see `loadExam`). */
  load?: LoadVolume;
  /** Labels must lie in `[0, numLabels)` or be −1 (checked when an exam is read). */
  numLabels?: number;
  /** Resume from a state saved with {@link Sampler.getState}. */
  state?: SamplerState;
}

/** One batch of 2.5D samples, channels-last. */
export interface SamplerBatch {
  /** `[B, H, W, k]` float32, the labelled samples. */
  images: Float32Array;
  /** `[B, H, W]` int32 labels of the centre slices (−1 or 0 in padding). */
  labels: Int32Array;
  /** `[U, H, W, k]` float32 unlabelled samples (U = `unlabelledPerLabelled · B`), or null when not semi-supervised. */
  unlabelled: Float32Array | null;
  /** B, U (0 without unlabelled exams), H, W and k. */
  batchSize: number;
  unlabelledSize: number;
  height: number;
  width: number;
  channels: number;
  /** Where each sample came from, labelled ones first. */
  sources: Array<{ exam: string; slice: number; augmented: boolean }>;
}

/** Where a pool of exams is in its schedule; see {@link makeSampler}. */
export interface PoolState {
  /** Current permutation of exam indices and the position of the next exam to bring in. */
  order: number[];
  cursor: number;
  /** Exams in memory and how many samples each may still give (−1: the whole dataset fits, never replaced). */
  slots: Array<{ exam: number; left: number }>;
}

/** Everything a resumed sampler needs to draw the same batches (plain JSON, to store in a checkpoint). */
export interface SamplerState {
  version: 1;
  /** Identifies the exam lists and pool settings the state belongs to. */
  fingerprint: string;
  /** Batches drawn so far. */
  batches: number;
  /** The labelled pool's stream. */
  rng: RandomState;
  labelled: PoolState;
  unlabelled: PoolState | null;
  /** The unlabelled pool's own stream (absent without unlabelled exams). */
  unlabelledRng?: RandomState;
}

/** A stream of training batches; iterate it with `for await`, or call `nextBatch()`. */
export interface Sampler extends AsyncIterable<SamplerBatch> {
  /** Draw the next batch. Calls are queued: batches come out in call order. */
  nextBatch(): Promise<SamplerBatch>;
  /** The state after the last completed batch (a copy); pass it as `options.state` to resume. */
  getState(): SamplerState;
}

interface PreparedExam {
  id: string;
  image: GridData<Float32Array>;
  labels: GridData | null;
  /** What a zero voxel becomes after standardisation: the value of padded pixels. */
  pad: number;
  foreground: Int32Array;
  empty: Int32Array;
}

/**
 * Make a seeded, resumable stream of 2.5D training batches (k consecutive slices as channels, target = centre
 * slice; `make25dSample`), optionally semi-supervised (b labelled + 3b unlabelled, METHOD.md §5) and elastically
 * augmented with a probability (`elasticDeform2d`; the reference: 0.6).
 *
 * Streaming: each pool (labelled, unlabelled) holds at most `examsInMemory` decoded exams in an LRU cache. Each
 * sample picks one of the pool's exams uniformly, then a slice (foreground slices weight 1, empty ones
 * `emptySliceWeight`). After `samplesPerVisit` samples an exam is dropped and the next exam of a seeded
 * permutation of the dataset is read in its place (a new permutation each pass), so every exam is visited
 * equally often and each is decoded once per visit. When a pool's dataset fits in memory, nothing is ever
 * replaced and the draw is uniform over (exam, slice). Intensities are standardised when an exam is read.
 *
 * Resumable: `getState()` returns the PRNG state and the pools' schedule; a sampler made with the same options
 * and `state` draws exactly the batches the original would have drawn next.
 *
 * @throws RangeError (at once) for bad options: a labelled exam without a label, an empty list, a batch size that
 *   is not a positive integer, a weight or probability outside [0, 1], a state from other exams or settings.
 *   `nextBatch` rejects with the errors of `loadExam` (naming the exam: missing file, grids differ), when an
 *   exam has no slice to draw, or when samples differ in size without `padTo`.
 */
export function makeSampler(options: MakeSamplerOptions): Sampler {
  const axis = options.axis ?? 1;
  const k = options.k ?? 7;
  const b = options.batchSize;
  const ratio = options.unlabelledPerLabelled ?? 3;
  const emptyWeight = options.emptySliceWeight ?? 1;
  const aug = options.augmentation ?? null;
  const capacity = options.examsInMemory ?? 3;
  const perVisit = options.samplesPerVisit ?? 32;
  const labelled = options.exams;
  const unlabelled = options.unlabelled && options.unlabelled.length > 0 ? options.unlabelled : null;
  sliceAxis([1, 1, 1], axis);
  const positiveInt = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`makeSampler: ${name} is ${v}, expected a positive integer`);
  };
  positiveInt('batchSize', b);
  positiveInt('unlabelledPerLabelled', ratio);
  positiveInt('examsInMemory', capacity);
  positiveInt('samplesPerVisit', perVisit);
  if (!Number.isInteger(k) || k < 1 || k % 2 === 0) throw new RangeError(`makeSampler: k is ${k}, expected a positive odd integer`);
  if (!(emptyWeight >= 0 && emptyWeight <= 1)) throw new RangeError(`makeSampler: emptySliceWeight is ${emptyWeight}, expected a number in [0, 1]`);
  if (aug && !(aug.probability >= 0 && aug.probability <= 1)) {
    throw new RangeError(`makeSampler: augmentation.probability is ${aug.probability}, expected a number in [0, 1]`);
  }
  if (labelled.length === 0) throw new RangeError('makeSampler: no labelled exam, expected at least one');
  const unlabelledExam = labelled.find((e) => e.label === undefined);
  if (unlabelledExam) throw new RangeError(`makeSampler: exam ${unlabelledExam.id} has no label map; pass it in options.unlabelled`);

  const fingerprint = fingerprintOf([
    `axis${axis} k${k} memory${capacity} visit${perVisit}`,
    ...labelled.map((e) => `L:${e.id}`),
    ...(unlabelled ?? []).map((e) => `U:${e.id}`),
  ]);
  // Two streams: the labelled batches depend on the seed alone, so a semi-supervised run and a supervised one with
  // the same seed draw the same labelled samples (the unlabelled pool has its own stream, seed + 0.5).
  const rng = seededRandom(options.seed);
  const unlabelledRng = seededRandom(options.seed + 0.5);
  let state: SamplerState;
  if (options.state) {
    const s = options.state;
    if (s.version !== 1 || s.fingerprint !== fingerprint) {
      throw new RangeError(`makeSampler: the saved state (fingerprint ${s.fingerprint}) belongs to other exams or settings (expected ${fingerprint}: same exams, axis, k, examsInMemory, samplesPerVisit)`);
    }
    if (s.unlabelled && !s.unlabelledRng) {
      throw new RangeError('makeSampler: the saved state was written by an older nonadj that drew unlabelled samples from the labelled stream; it cannot be resumed exactly (start the run again)');
    }
    state = structuredClone(s);
    rng.setState(state.rng);
    if (state.unlabelledRng) unlabelledRng.setState(state.unlabelledRng);
  } else {
    state = {
      version: 1,
      fingerprint,
      batches: 0,
      rng: rng.getState(),
      labelled: initPool(labelled.length, capacity, perVisit, rng),
      unlabelled: unlabelled ? initPool(unlabelled.length, capacity, perVisit, unlabelledRng) : null,
    };
    state.rng = rng.getState();
    if (unlabelled) state.unlabelledRng = unlabelledRng.getState();
  }
  let saved = structuredClone(state);

  const prepare = async (exam: TrainingExam, withLabels: boolean): Promise<PreparedExam> => {
    const { image, labels } = await loadExam(exam, { load: options.load, read: withLabels ? 'both' : 'image', numLabels: options.numLabels });
    const params = standardiseParams(image, options.intensity);
    const data = standardise(image, { mode: 'dataset', ...params });
    const flags = sliceFlags(withLabels && labels ? labels.data : image.data, image.dims, axis, withLabels ? 'positive' : 'nonzero');
    const foreground: number[] = [];
    const empty: number[] = [];
    flags.forEach((f, i) => (f ? foreground : empty).push(i));
    return {
      id: exam.id,
      image: { dims: image.dims, data },
      labels: withLabels ? labels : null,
      pad: (0 - params.mean) / params.std,
      foreground: Int32Array.from(foreground),
      empty: Int32Array.from(empty),
    };
  };
  const caches: [ExamCache<number, PreparedExam>, ExamCache<number, PreparedExam> | null] = [
    makeExamCache({ capacity, load: (i) => prepare(labelled[i], true) }),
    unlabelled ? makeExamCache({ capacity, load: (i) => prepare(unlabelled[i], false) }) : null,
  ];

  let shape: { height: number; width: number; from: string } | null = null;
  const draw = async (pool: PoolState, list: readonly TrainingExam[], cache: ExamCache<number, PreparedExam>, rng: SeededRandom) => {
    const slot = pool.slots[rng.int(pool.slots.length)];
    const exam = await cache.get(slot.exam);
    const F = exam.foreground.length, E = exam.empty.length;
    const total = F + emptyWeight * E;
    if (total === 0) {
      throw new Error(`makeSampler: exam ${exam.id} has no slice with foreground along axis ${axis} and emptySliceWeight is 0; remove the exam or raise the weight`);
    }
    const u = rng.next() * total;
    const slice = u < F ? exam.foreground[Math.floor(u)] : exam.empty[Math.min(E - 1, Math.floor((u - F) / emptyWeight))];
    const augmented = aug !== null && rng.next() < aug.probability;
    const deformSeed = augmented ? rng.uint32() : 0;
    if (slot.left > 0 && --slot.left === 0) {
      cache.delete(slot.exam);
      slot.exam = nextExam(pool, list.length, rng);
      slot.left = perVisit;
    }
    let sample = make25dSample(exam.image, exam.labels, { axis, index: slice, k, padTo: options.padTo, imagePad: exam.pad, labelPad: options.labelPad });
    if (shape && (sample.height !== shape.height || sample.width !== shape.width)) {
      throw new Error(`makeSampler: exam ${exam.id} gives ${sample.height}×${sample.width} samples along axis ${axis}, but exam ${shape.from} gave ${shape.height}×${shape.width}; pass padTo to give every sample one size`);
    }
    shape ??= { height: sample.height, width: sample.width, from: exam.id };
    if (augmented && aug) {
      const d = elasticDeform2d(sample.image, sample.label, { height: sample.height, width: sample.width, alpha: aug.alpha, sigma: aug.sigma, seed: deformSeed });
      sample = { ...sample, image: d.image, label: d.label };
    }
    return { sample, source: { exam: exam.id, slice, augmented } };
  };

  const produce = async (): Promise<SamplerBatch> => {
    const sources: SamplerBatch['sources'] = [];
    const labelledSamples = [];
    for (let i = 0; i < b; i++) {
      const { sample, source } = await draw(state.labelled, labelled, caches[0], rng);
      labelledSamples.push(sample);
      sources.push(source);
    }
    const unlabelledSamples = [];
    if (unlabelled && state.unlabelled && caches[1]) {
      for (let i = 0; i < ratio * b; i++) {
        const { sample, source } = await draw(state.unlabelled, unlabelled, caches[1], unlabelledRng);
        unlabelledSamples.push(sample);
        sources.push(source);
      }
    }
    const { height, width } = labelledSamples[0];
    const hwk = height * width * k;
    const images = new Float32Array(b * hwk);
    const labels = new Int32Array(b * height * width);
    labelledSamples.forEach((s, i) => {
      images.set(s.image, i * hwk);
      labels.set(s.label as Int32Array, i * height * width);
    });
    let extra: Float32Array | null = null;
    if (unlabelled) {
      extra = new Float32Array(unlabelledSamples.length * hwk);
      unlabelledSamples.forEach((s, i) => extra?.set(s.image, i * hwk));
    }
    state.batches++;
    state.rng = rng.getState();
    if (unlabelled) state.unlabelledRng = unlabelledRng.getState();
    saved = structuredClone(state);
    return { images, labels, unlabelled: extra, batchSize: b, unlabelledSize: unlabelledSamples.length, height, width, channels: k, sources };
  };

  let queue: Promise<unknown> = Promise.resolve();
  const sampler: Sampler = {
    nextBatch() {
      const run = queue.then(produce);
      queue = run.catch(() => undefined);
      return run;
    },
    getState: () => structuredClone(saved),
    [Symbol.asyncIterator]() {
      return { next: async () => ({ value: await sampler.nextBatch(), done: false as const }) };
    },
  };
  return sampler;
}

function initPool(n: number, capacity: number, perVisit: number, rng: SeededRandom): PoolState {
  if (n <= capacity) {
    return { order: [...Array(n).keys()], cursor: n, slots: [...Array(n).keys()].map((exam) => ({ exam, left: -1 })) };
  }
  const pool: PoolState = { order: rng.shuffle([...Array(n).keys()]), cursor: 0, slots: [] };
  for (let s = 0; s < capacity; s++) pool.slots.push({ exam: nextExam(pool, n, rng), left: perVisit });
  return pool;
}

/** The next exam of the permutation that is not already in a slot (a new permutation when one is used up). */
function nextExam(pool: PoolState, n: number, rng: SeededRandom): number {
  const held = new Set(pool.slots.map((s) => s.exam));
  for (;;) {
    for (let j = pool.cursor; j < pool.order.length; j++) {
      const e = pool.order[j];
      if (!held.has(e)) {
        // Bring the chosen exam to the cursor so the skipped ones stay ahead in this pass.
        pool.order[j] = pool.order[pool.cursor];
        pool.order[pool.cursor] = e;
        pool.cursor++;
        return e;
      }
    }
    pool.order = rng.shuffle([...Array(n).keys()]);
    pool.cursor = 0;
  }
}

/** Per slice along `axis`: 1 when the slice holds a label > 0 (`'positive'`) or a nonzero voxel (`'nonzero'`). */
function sliceFlags(
  data: ArrayLike<number>,
  dims: readonly [number, number, number],
  axis: SliceAxisIndex,
  rule: 'positive' | 'nonzero',
): Uint8Array {
  const [nx, ny, nz] = dims;
  const flags = new Uint8Array(dims[axis]);
  for (let z = 0, v = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, v++) {
        const value = data[v];
        if (rule === 'positive' ? value > 0 : value !== 0) flags[axis === 0 ? x : axis === 1 ? y : z] = 1;
      }
  return flags;
}

/** FNV-1a 32-bit hash of the lines, as 8 hex digits: enough to tell datasets apart, not a security measure. */
function fingerprintOf(lines: readonly string[]): string {
  let h = 0x811c9dc5;
  for (const ch of lines.join('\n')) {
    h ^= ch.codePointAt(0) as number;
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
