import { extractPatch3d } from './extractPatch3d.js';
import type { TrainingExam } from './findTrainingExams.js';
import { loadExam, type LoadVolume } from './loadExam.js';
import { makeExamCache } from './makeExamCache.js';
import { seededRandom, type RandomState } from '../numeric/seededRandom.js';
import { standardise, standardiseParams, type StandardiseOptions } from './standardise.js';

/** Options of {@link makePatchSampler}. */
export interface MakePatchSamplerOptions {
  /** Labelled exams (each with `label`). */
  exams: readonly TrainingExam[];
  /** Unlabelled exams: each batch then also holds `unlabelledPerLabelled · batchSize` unlabelled patches. */
  unlabelled?: readonly TrainingExam[];
  /** Labelled patches per batch, b. */
  batchSize: number;
  /** @default 3 (METHOD.md §5) */
  unlabelledPerLabelled?: number;
  /** Patch size `[D, H, W]` = `[z, y, x]` voxels (the 3D model's input without the channel). */
  patch: readonly [number, number, number];
  /** Intensity standardisation, applied when an exam is read. */
  intensity: StandardiseOptions;
  /** Probability that a patch is centred on a random foreground voxel (label > 0; unlabelled: nonzero intensity) rather than placed uniformly. @default 0.67 */
  foregroundProbability?: number;
  /** Seed of every random choice. */
  seed: number;
  /** Exams held decoded at once, per pool. @default 3 */
  examsInMemory?: number;
  load?: LoadVolume;
  /** Labels must lie in `[0, numLabels)` or be −1. */
  numLabels?: number;
  /** Resume from {@link PatchSampler.getState}. */
  state?: PatchSamplerState;
}

/** Everything a resumed patch sampler needs (plain JSON). */
export interface PatchSamplerState {
  version: 1;
  kind: 'patch3d';
  /** Identifies the exam lists and settings the state belongs to. */
  fingerprint: string;
  batches: number;
  rng: RandomState;
}

/** One batch of 3D patches, channels-last. */
export interface PatchBatch {
  /** `[b, D, H, W, 1]` float32. */
  labelled: Float32Array;
  /** `[b, D, H, W]` int32 (−1 past the volume's border). */
  labels: Int32Array;
  /** `[u, D, H, W, 1]` float32, or null without unlabelled exams. */
  unlabelled: Float32Array | null;
  labelledCount: number;
  unlabelledCount: number;
}

/** A seeded, resumable stream of 3D patch batches. */
export interface PatchSampler {
  nextBatch(): Promise<PatchBatch>;
  getState(): PatchSamplerState;
}

interface Prepared {
  dims: [number, number, number];
  data: Float32Array;
  labels: ArrayLike<number> | null;
  pad: number;
  foreground: Int32Array;
}

/**
 * Make a seeded stream of 3D training patches for 3D models (the 2.5D counterpart is `makeSampler`): each patch
 * picks an exam uniformly, then, with probability `foregroundProbability`, centres the patch on a random
 * foreground voxel (clamped inside the volume), else places it uniformly. Volumes smaller than the patch are
 * centred and padded (image: what a zero voxel becomes after standardisation; labels: −1, ignored). Exams are kept
 * in an LRU cache of `examsInMemory`; which exam is cached never changes the draws, so the state is the PRNG alone.
 *
 * @throws RangeError for a labelled exam without a label, an empty list, a batch size or patch size that is not a
 *   positive integer, a probability outside [0, 1], or a state from other exams or settings.
 */
export function makePatchSampler(options: MakePatchSamplerOptions): PatchSampler {
  const b = options.batchSize;
  const ratio = options.unlabelledPerLabelled ?? 3;
  const pFg = options.foregroundProbability ?? 0.67;
  const [pd, ph, pw] = options.patch;
  for (const [name, v] of [['batchSize', b], ['unlabelledPerLabelled', ratio], ['patch D', pd], ['patch H', ph], ['patch W', pw]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`makePatchSampler: ${name} is ${v}, expected a positive integer`);
  }
  if (!(pFg >= 0 && pFg <= 1)) throw new RangeError(`makePatchSampler: foregroundProbability is ${pFg}, expected a number in [0, 1]`);
  if (options.exams.length === 0) throw new RangeError('makePatchSampler: no labelled exam, expected at least one');
  const missing = options.exams.find((e) => e.label === undefined);
  if (missing) throw new RangeError(`makePatchSampler: exam ${missing.id} has no label map; pass it in options.unlabelled`);
  const unlabelled = options.unlabelled?.length ? options.unlabelled : null;
  const fingerprint = [`patch ${pd}x${ph}x${pw} fg${pFg}`, ...options.exams.map((e) => `L:${e.id}`), ...(unlabelled ?? []).map((e) => `U:${e.id}`)].join('|');
  const rng = seededRandom(options.seed);
  let batches = 0;
  if (options.state) {
    if (options.state.version !== 1 || options.state.kind !== 'patch3d' || options.state.fingerprint !== fingerprint) {
      throw new RangeError('makePatchSampler: the saved state belongs to other exams or settings');
    }
    rng.setState(options.state.rng);
    batches = options.state.batches;
  }
  let saved: PatchSamplerState = { version: 1, kind: 'patch3d', fingerprint, batches, rng: rng.getState() };

  const prepare = async (exam: TrainingExam, withLabels: boolean): Promise<Prepared> => {
    const { image, labels } = await loadExam(exam, { load: options.load, read: withLabels ? 'both' : 'image', numLabels: options.numLabels });
    const params = standardiseParams(image, options.intensity);
    const source = withLabels && labels ? labels.data : image.data;
    const fg: number[] = [];
    for (let v = 0; v < source.length; v++) if (withLabels ? source[v] > 0 : source[v] !== 0) fg.push(v);
    return {
      dims: image.dims,
      data: standardise(image, { mode: 'dataset', ...params }),
      labels: withLabels && labels ? labels.data : null,
      pad: -params.mean / params.std,
      foreground: Int32Array.from(fg),
    };
  };
  const capacity = options.examsInMemory ?? 3;
  const caches = [
    makeExamCache({ capacity, load: (i: number) => prepare(options.exams[i], true) }),
    unlabelled ? makeExamCache({ capacity, load: (i: number) => prepare(unlabelled[i], false) }) : null,
  ] as const;

  const size: [number, number, number] = [pw, ph, pd];
  const draw = async (list: readonly TrainingExam[], cache: (typeof caches)[0]) => {
    const index = rng.int(list.length);
    const centred = rng.next() < pFg;
    const u = [rng.next(), rng.next(), rng.next()];
    const exam = await cache.get(index);
    const origin = [0, 1, 2].map((a) => {
      const n = exam.dims[a];
      const s = size[a];
      if (n <= s) return -Math.floor((s - n) / 2);
      if (centred && exam.foreground.length > 0) {
        const v = exam.foreground[Math.floor(u[0] * exam.foreground.length)];
        const [nx, ny] = exam.dims;
        const c = a === 0 ? v % nx : a === 1 ? Math.floor(v / nx) % ny : Math.floor(v / (nx * ny));
        return Math.min(Math.max(c - Math.floor(s / 2), 0), n - s);
      }
      return Math.floor(u[a] * (n - s + 1));
    }) as [number, number, number];
    return extractPatch3d({ dims: exam.dims, data: exam.data }, exam.labels ? { dims: exam.dims, data: exam.labels } : null, {
      origin,
      size,
      imagePad: exam.pad,
      labelPad: -1,
    });
  };

  const per = pd * ph * pw;
  const produce = async (): Promise<PatchBatch> => {
    const labelled = new Float32Array(b * per);
    const labels = new Int32Array(b * per);
    for (let i = 0; i < b; i++) {
      const p = await draw(options.exams, caches[0]);
      labelled.set(p.image, i * per);
      labels.set(p.label as Int32Array, i * per);
    }
    let extra: Float32Array | null = null;
    if (unlabelled && caches[1]) {
      extra = new Float32Array(ratio * b * per);
      for (let i = 0; i < ratio * b; i++) extra.set((await draw(unlabelled, caches[1])).image, i * per);
    }
    batches++;
    saved = { version: 1, kind: 'patch3d', fingerprint, batches, rng: rng.getState() };
    return { labelled, labels, unlabelled: extra, labelledCount: b, unlabelledCount: extra ? ratio * b : 0 };
  };
  let queue: Promise<unknown> = Promise.resolve();
  return {
    nextBatch() {
      const next = queue.then(produce);
      queue = next.catch(() => undefined);
      return next;
    },
    getState: () => structuredClone(saved),
  };
}
