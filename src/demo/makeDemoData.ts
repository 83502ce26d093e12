import { mkdir, readFile, stat, symlink, readlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeWorkerFactory } from '../io/makeWorkerFactory.js';
import { runWorkerPool } from '../io/runWorkerPool.js';
import { countAdjacency } from '../prior/countAdjacency.js';
import { AdjacencyPrior, type PriorExam } from '../prior/AdjacencyPrior.js';
import { compareToPrior } from '../prior/compareToPrior.js';
import { parseLabelNames } from '../prior/parseLabelNames.js';
import { DEFAULT_IMAGE_NAME, DEFAULT_LABEL_NAME } from '../data/findTrainingExams.js';
import { makeSyntheticSubject, type MakeSyntheticSubjectResult, type SyntheticContrast } from '../synth/makeSyntheticSubject.js';
import { makeVolume, type Volume } from '../volume/Volume.js';
import { readNiftiFile, writeNiftiFile } from '../volume/niftiFile.js';
import { writeFileAtomic } from '../io/writeFileAtomic.js';
import { aalRegionOf, aalRegions, AAL_REGION_NAMES } from './aalRegions.js';
import { inia19Regions } from './inia19Regions.js';

/**
 * The sets of the demo, each a folder of exam folders (`prepro_im_mni_bc.nii.gz` [+ `prepro_seg_mni.nii.gz`]).
 * The last two exist only in a cohort (`VARIED_COHORT_SIZES`): `unseen-val`, labelled validation subjects of the
 * unseen domain, and `unlabelled-train`, unlabelled images of the training domain (a semi-supervised control).
 */
export type DemoSet = 'train' | 'val' | 'test' | 'unseen-train' | 'unseen-test' | 'unseen-val' | 'unlabelled-train';

/** Subjects per set of the demo's own plans. */
export type DemoSetSizes = Record<'train' | 'val' | 'test' | 'unseen-train' | 'unseen-test', number>;

/** Subjects per set, the cohort-only sets included. */
export type CohortSizes = Record<DemoSet, number>;

/**
 * The data plan of the replicated experiment (issue 14): 16 labelled training subjects, validation in both domains
 * (4 + 4, labelled: every choice is made on them), 12 + 12 labelled test subjects, and unlabelled pools of 8 from
 * the unseen scanner (`unseen-train`) and 8 from the training scanner (`unlabelled-train`).
 */
export const VARIED_COHORT_SIZES: CohortSizes = {
  train: 16, val: 4, 'unseen-val': 4, test: 12, 'unseen-test': 12, 'unseen-train': 8, 'unlabelled-train': 8,
};

/** Options of {@link makeDemoData}. */
export interface MakeDemoDataOptions {
  /** Output folder: `<dir>/<set>/<subject>/…` and `<dir>/prior/graph.json`. */
  dir: string;
  /** Repository root holding `data/` (the bundled atlases). */
  root: string;
  atlas: 'aal' | 'inia19';
  /** `regions`: the grouping of `aalRegions.ts` (AAL) or of `inia19Regions.ts` (INIA19: 24 contiguous groups); `full`: every label. */
  labels: 'regions' | 'full';
  /** 2 → 2 mm (AAL; 1 mm for INIA19), 1 → the atlas grid. */
  downsample: 1 | 2;
  /** Subjects per set; the cohort-only sets may be left out (none). */
  sizes: DemoSetSizes | CohortSizes;
  /** Seed of the whole data set; subject seeds are `1000·seed + 100·setIndex + i`, disjoint between sets. */
  seed: number;
  /**
   * The anatomy of the subjects (`makeSyntheticSubject`'s `anatomy`). Left out: the default demo, byte for byte as
   * before. Given (`'warp'` or `'varied'`): also `<dir>/cohort.json` (every subject's seed, domain, drawn anatomy, and
   * for labelled ones its graph against the prior: pairs it has that the prior lacks and the reverse) and
   * `<dir>/val-both/` (links to the validation subjects of both domains, `native-sNNN` and `unseen-sNNN`, to give
   * `nonadj train --val`). `'varied'` needs the AAL atlas (its cortex labels and MNI ventricles).
   */
  cohort?: 'warp' | 'varied';
  /**
   * Subjects made at once, each on a worker thread of its own; 1 makes them one after the other on the calling
   * thread. The files are byte-identical for any value (each subject depends on its seed alone).
   * @default os.availableParallelism()
   */
  jobs?: number;
  /**
   * Called after each subject is written, or found already written: the kept ones first (in set order), then the
   * made ones in completion order (set order with `jobs: 1`); `done` counts both.
   */
  onSubject?: (set: DemoSet, id: string, done: number, total: number) => void;
}

/** One subject written by {@link makeDemoData}. */
export interface DemoSubject {
  set: DemoSet;
  id: string;
  seed: number;
  contrast: SyntheticContrast;
  image: string;
  /** Absent for `unseen-train` and `unlabelled-train` (unlabelled by design; their labels are never written). */
  label?: string;
}

/** One labelled subject's graph against the training prior (`compareToPrior`), in `cohort.json`. */
export interface CohortGraph {
  /** Region pairs the subject's own label map has and the prior lacks: the ground truth's forbidden pairs. */
  extraPairs: number;
  /** Their contacts: the floor of forbidden contacts a perfect segmentation has. */
  extraContacts: number;
  /** Pairs the prior allows that the subject's label map lacks. */
  missingPairs: number;
  /** The extra pairs by name, `A–B (contacts)`. */
  extra: string[];
}

/** Result of {@link makeDemoData}. */
export interface DemoData {
  subjects: DemoSubject[];
  /** `<dir>/prior/graph.json`: the prior counted on the training label maps only. */
  priorFile: string;
  prior: AdjacencyPrior;
  /** Label names by label code (index = code). */
  names: string[];
  dims: [number, number, number];
  spacingMm: [number, number, number];
}

// New sets go last: a subject's seed depends on its set's index here.
const SETS: readonly DemoSet[] = ['train', 'val', 'test', 'unseen-train', 'unseen-test', 'unseen-val', 'unlabelled-train'];
const UNLABELLED: ReadonlySet<DemoSet> = new Set(['unseen-train', 'unlabelled-train']);

/**
 * The unseen domain: another scanner's T1. Same anatomy model, but a random increasing intensity lookup table (tissue
 * contrast ratios change, their order does not), a 4 mm Gaussian blur (a coarser acquisition), twice the bias field
 * (|log| ≤ 0.5) and twice the noise (0.06). With the shipped baseline on the default demo's test subjects, Dice
 * falls from 0.869 to 0.719 and forbidden contacts rise 3.3× — a shift it survives but does worse on, as the
 * papers' OASIS images. The `inverted` contrast was tried first: the baseline's Dice fell below 0.1 there, which leaves a
 * fine-tune nothing to correct.
 */
export const UNSEEN_DOMAIN = {
  contrast: 'monotone',
  bias: 0.5,
  noise: 0.06,
  description: "monotone (another scanner's T1: random increasing lookup table, 4 mm blur, bias |log| ≤ 0.5, noise 0.06)",
} as const;

/**
 * Make the demo's data sets from a bundled real atlas (T1 + labels): synthetic subjects (random affine + elastic
 * deformation + bias/gamma/noise, `makeSyntheticSubject`) from disjoint seeds, the training, validation and test
 * sets in the atlas's own contrast and an unseen domain in another contrast (unlabelled training images and
 * labelled test subjects); then the adjacency prior of the training label maps. Files that already exist are
 * kept (so an interrupted demo resumes), since the same seed always makes the same subject.
 *
 * @throws Error when an atlas file cannot be read, or RangeError for an AAL name outside the region table.
 */
export async function makeDemoData(options: MakeDemoDataOptions): Promise<DemoData> {
  const { dir, root, sizes, seed, cohort } = options;
  if (cohort === 'varied' && options.atlas !== 'aal') throw new RangeError(`makeDemoData: the varied cohort needs the AAL atlas (cortex labels, MNI ventricles), not ${options.atlas}`);
  // Existing subjects are kept, so a folder must not mix cohorts (nor a cohort with the default demo's subjects).
  const recorded = await readFile(path.join(dir, 'cohort.json'), 'utf8').then((t) => (JSON.parse(t) as { cohort?: string }).cohort ?? null, () => null);
  const holdsSubjects = await exists(path.join(dir, 'train', 's000', DEFAULT_IMAGE_NAME));
  if (holdsSubjects && recorded !== (cohort ?? null)) {
    throw new Error(`makeDemoData: ${dir} holds subjects of ${recorded ? `the ${recorded} cohort` : 'the default demo'}, not of ${cohort ? `the ${cohort} cohort` : 'the default demo'}; choose another folder`);
  }
  const atlas = await loadAtlas(root, options.atlas, options.labels);
  const numLabels = atlas.names.length;

  // 1. The subjects in set order, with their seeds; those already written are kept and reported at once.
  const subjects: DemoSubject[] = [];
  const toMake: number[] = [];
  const kept = new Set<number>();
  for (const [setIndex, set] of SETS.entries()) {
    for (let i = 0; i < ((sizes as Partial<CohortSizes>)[set] ?? 0); i++) {
      const id = `s${String(i).padStart(3, '0')}`;
      const folder = path.join(dir, set, id);
      const image = path.join(folder, DEFAULT_IMAGE_NAME);
      const label = path.join(folder, DEFAULT_LABEL_NAME);
      const labelled = !UNLABELLED.has(set);
      const contrast: SyntheticContrast = set.startsWith('unseen') ? UNSEEN_DOMAIN.contrast : 'native';
      subjects.push({ set, id, seed: 1000 * seed + 100 * setIndex + i, contrast, image, ...(labelled ? { label } : {}) });
      if (!(await exists(image)) || (labelled && !(await exists(label)))) toMake.push(subjects.length - 1);
      else kept.add(subjects.length - 1);
    }
  }
  const total = subjects.length;
  let done = 0;
  for (const index of kept) options.onSubject?.(subjects[index].set, subjects[index].id, ++done, total);

  // 2. The missing ones, on `jobs` worker threads (or this one): each depends on its seed alone.
  const made = new Map<number, MadeDemoSubject>();
  const finish = (index: number, result: MadeDemoSubject) => {
    made.set(index, result);
    options.onSubject?.(subjects[index].set, subjects[index].id, ++done, total);
  };
  const subjectOptions: MakeDemoSubjectOptions = { downsample: options.downsample, cohort, numLabels };
  const jobs = Math.max(1, Math.min(options.jobs ?? os.availableParallelism(), toMake.length));
  if (jobs === 1) {
    for (const index of toMake) finish(index, await makeDemoSubject(atlas, subjects[index], subjectOptions));
  } else {
    // The atlas goes to the workers in shared memory: no copy per worker, and no second read of its files (at 1 mm,
    // Colin27 + AAL, under load: copying it into shared memory ≈ 40–90 ms once, against ≈ 200 ms more per worker
    // for a structured clone and 80–180 ms per worker to read the .nii.gz files again).
    const workerData: DemoSubjectWorkerData = { atlas: { ...atlas, t1: shareVolume(atlas.t1), labels: shareVolume(atlas.labels) }, options: subjectOptions };
    const start = makeWorkerFactory(import.meta.url, './makeDemoSubjectWorker');
    await runWorkerPool<MadeDemoSubject>({
      total: toMake.length,
      jobs,
      name: 'makeDemoData',
      start: () => start(workerData),
      message: (k) => ({ index: k, subject: subjects[toMake[k]] }),
      onResult: (k, result) => finish(toMake[k], result),
    });
  }

  // 3. In set order, whatever the completion order: the prior of the training label maps (kept subjects are read
  // back), the grid of the first subject, the anatomy draws and each labelled subject's counts for cohort.json.
  const drawn = new Map<string, MakeSyntheticSubjectResult['anatomy']>();
  const labelCounts = new Map<string, Float64Array>();
  const priorCounts = new Float64Array(numLabels ** 2);
  const priorExams: PriorExam[] = [];
  let grid: { dims: [number, number, number]; spacingMm: [number, number, number] } | null = null;
  for (const [index, s] of subjects.entries()) {
    const result = made.get(index);
    let onGrid: Pick<MadeDemoSubject, 'dims' | 'spacingMm'> | undefined = result;
    if (result?.anatomy) drawn.set(`${s.set}/${s.id}`, result.anatomy);
    if (result?.counts) labelCounts.set(`${s.set}/${s.id}`, result.counts);
    if (s.set === 'train' && s.label) {
      let exam = result;
      if (!exam) {
        const labels = await readNiftiFile(s.label, { expect: '3d' });
        const dims = labels.dims as [number, number, number];
        exam = { dims, spacingMm: [...labels.spacingMm] as [number, number, number], counts: countAdjacency(labels.data, dims, { numLabels }).counts };
        onGrid = exam;
      }
      const counts = exam.counts as Float64Array;
      for (let k = 0; k < priorCounts.length; k++) priorCounts[k] += counts[k];
      priorExams.push({ id: s.id, file: path.relative(dir, s.label), dims: exam.dims, spacingMm: exam.spacingMm });
    }
    if (!grid) {
      const v = onGrid ?? (await readNiftiFile(s.image, { expect: '3d' }));
      grid = { dims: [...v.dims] as [number, number, number], spacingMm: [...v.spacingMm] as [number, number, number] };
    }
  }
  if (!grid || priorExams.length === 0) throw new RangeError('makeDemoData: the training set is empty, expected at least one subject');
  const prior = AdjacencyPrior.fromCounts(priorCounts, { names: atlas.names, exams: priorExams, tool: 'nonadj demo' });
  const priorFile = path.join(dir, 'prior', 'graph.json');
  await mkdir(path.dirname(priorFile), { recursive: true });
  await writeFileAtomic(priorFile, JSON.stringify(prior.toJson()) + '\n');
  if (cohort) await writeCohort(dir, cohort, seed, subjects, prior, numLabels, drawn, labelCounts);
  return { subjects, priorFile, prior, names: atlas.names, ...grid };
}

/** Options of {@link makeDemoSubject}: those of {@link makeDemoData} every subject shares. */
export interface MakeDemoSubjectOptions {
  downsample: 1 | 2;
  cohort?: 'warp' | 'varied';
  /** Labels of the atlas's codes (`names.length`): the size of the counts. */
  numLabels: number;
}

/** What {@link makeDemoSubject} returns to {@link makeDemoData} (small: no voxels; structured-cloned from a worker). */
export interface MadeDemoSubject {
  /** The subject's grid, `[nx, ny, nz]` voxels of `spacingMm` millimetres. */
  dims: [number, number, number];
  spacingMm: [number, number, number];
  /** The varied cohort's draws (`makeSyntheticSubject`'s `anatomy`). */
  anatomy?: MakeSyntheticSubjectResult['anatomy'];
  /** Labelled subjects: `countAdjacency` of the label map written, `numLabels²` row-major (the prior's, cohort.json's). */
  counts?: Float64Array;
}

/** What each worker of {@link makeDemoData} receives once: the atlas (its voxels in shared memory) and the options. */
export interface DemoSubjectWorkerData {
  atlas: DemoAtlas;
  options: MakeDemoSubjectOptions;
}

/**
 * Make one subject of {@link makeDemoData} from its seed and write it (`subject.label` first when labelled, then
 * `subject.image`, whose presence marks a complete subject); the same on any thread. Used by `makeDemoData` itself
 * (`jobs: 1`) and by `makeDemoSubjectWorker`.
 *
 * @throws the errors of `makeSyntheticSubject` and `writeNiftiFile`.
 */
export async function makeDemoSubject(atlas: DemoAtlas, subject: DemoSubject, options: MakeDemoSubjectOptions): Promise<MadeDemoSubject> {
  const shift = subject.contrast === 'native' ? {} : { bias: UNSEEN_DOMAIN.bias, noise: UNSEEN_DOMAIN.noise };
  const anatomy = options.cohort === 'varied' ? { anatomy: 'varied' as const, thinning: { cortexLabels: atlas.cortex } } : {};
  const made = makeSyntheticSubject(atlas.t1, atlas.labels, { seed: subject.seed, downsample: options.downsample, contrast: subject.contrast, ...shift, ...anatomy });
  await mkdir(path.dirname(subject.image), { recursive: true });
  if (subject.label) await writeNiftiFile(subject.label, made.labels, { kind: 'labels' });
  // The image last: its presence marks a complete subject.
  await writeNiftiFile(subject.image, made.image, { kind: 'image' });
  const dims = made.labels.dims;
  return {
    dims: [...dims],
    spacingMm: [...made.labels.spacingMm],
    ...(made.anatomy ? { anatomy: made.anatomy } : {}),
    ...(subject.label ? { counts: countAdjacency(made.labels.data, dims, { numLabels: options.numLabels }).counts } : {}),
  };
}

/**
 * `<dir>/cohort.json` (every subject; labelled ones with their graph against the prior) and `<dir>/val-both/`
 * (links to both domains' validation subjects). Anatomy draws are known only for subjects made in this call: a
 * resumed cohort keeps the `anatomy` of the cohort.json it finds. Label maps counted when made (`labelCounts`, by
 * `set/id`) are not read back.
 */
async function writeCohort(
  dir: string, cohort: 'warp' | 'varied', seed: number, subjects: DemoSubject[], prior: AdjacencyPrior, numLabels: number,
  drawn: Map<string, MakeSyntheticSubjectResult['anatomy']>, labelCounts: Map<string, Float64Array>,
): Promise<void> {
  const file = path.join(dir, 'cohort.json');
  const previous = await readFile(file, 'utf8').then((t) => JSON.parse(t) as { subjects: Array<{ set: string; id: string; anatomy?: unknown }> }, () => null);
  const rows = [];
  for (const s of subjects) {
    let graph: CohortGraph | undefined;
    if (s.label) {
      // Counted when the subject was made; a kept subject is read back.
      let counts = labelCounts.get(`${s.set}/${s.id}`);
      if (!counts) {
        const labels = await readNiftiFile(s.label, { expect: '3d' });
        counts = countAdjacency(labels.data, labels.dims as [number, number, number], { numLabels }).counts;
      }
      const c = compareToPrior(counts, prior);
      graph = {
        extraPairs: c.extra.length,
        extraContacts: c.extraContacts,
        missingPairs: c.missing.length,
        extra: c.extra.map((p) => `${prior.nameOf(p.i)}–${prior.nameOf(p.j)} (${p.count})`),
      };
    }
    const anatomy = drawn.get(`${s.set}/${s.id}`) ?? previous?.subjects.find((p) => p.set === s.set && p.id === s.id)?.anatomy;
    rows.push({ set: s.set, id: s.id, seed: s.seed, contrast: s.contrast, labelled: Boolean(s.label), ...(anatomy ? { anatomy } : {}), ...(graph ? { graph } : {}) });
  }
  const json = { format: 'nonadj-demo-cohort', cohort, seed, prior: 'prior/graph.json', priorPairs: countAllowedPairs(prior), subjects: rows };
  // NaN (labels absent from the atlas) is not JSON: null.
  await writeFileAtomic(file, JSON.stringify(json, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 1) + '\n');
  const both = path.join(dir, 'val-both');
  await mkdir(both, { recursive: true });
  for (const s of subjects) {
    if (s.set !== 'val' && s.set !== 'unseen-val') continue;
    const link = path.join(both, `${s.set === 'val' ? 'native' : 'unseen'}-${s.id}`);
    const target = path.join('..', s.set, s.id);
    if ((await readlink(link).catch(() => null)) !== target) await symlink(target, link, 'dir');
  }
}

/** Unordered off-diagonal pairs the prior allows. */
function countAllowedPairs(prior: AdjacencyPrior): number {
  let n = 0;
  for (let i = 0; i < prior.numLabels; i++) for (let j = i + 1; j < prior.numLabels; j++) if (prior.isAllowed(i, j)) n++;
  return n;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then((s) => s.isFile(), () => false);
}

/** The atlas of {@link makeDemoData}: T1 and labels on one grid, the labels mapped to the demo's codes `0 … L−1`. */
export interface DemoAtlas {
  t1: Volume;
  labels: Volume<Int32Array>;
  names: string[];
  /** Codes of the cerebral cortex (AAL: the lobes, insula, cingulate and medial temporal regions or structures). */
  cortex: number[];
}

/** AAL regions 1–14 (Frontal … Temporal, both sides) are cerebral cortex; the rest is deep grey matter or cerebellum. */
const AAL_CORTEX_REGIONS = 14;

/** The atlas with its labels mapped to the demo's codes `0 … L−1` and their names. */
async function loadAtlas(root: string, atlas: 'aal' | 'inia19', grouping: 'regions' | 'full'): Promise<DemoAtlas> {
  const data = path.join(root, 'data');
  if (atlas === 'aal') {
    const [t1, raw, text] = await Promise.all([
      readNiftiFile(path.join(data, 'ch2.nii.gz'), { expect: '3d' }),
      readNiftiFile(path.join(data, 'aal.nii.gz'), { expect: '3d' }),
      readFile(path.join(data, 'aal.nii.txt'), 'utf8'),
    ]);
    const entries = parseLabelNames(text, 'data/aal.nii.txt').entries;
    if (grouping === 'full') {
      const max = Math.max(...entries.keys());
      const names = Array.from({ length: max + 1 }, (_, c) => (c === 0 ? 'Background' : entries.get(c)?.name ?? `label ${c}`));
      const cortex = [...entries].filter(([code, e]) => code > 0 && aalRegionOf(e.name) <= AAL_CORTEX_REGIONS).map(([code]) => code);
      return { t1, labels: remap(raw, null), names, cortex };
    }
    const cortex = Array.from({ length: AAL_CORTEX_REGIONS }, (_, k) => k + 1);
    return { t1, labels: remap(raw, aalRegions(entries)), names: [...AAL_REGION_NAMES], cortex };
  }
  const [t1, raw] = await Promise.all([
    readNiftiFile(path.join(data, 'inia19-t1-brain.nii.gz'), { expect: '3d' }),
    readNiftiFile(path.join(data, 'inia19-NeuroMaps.nii.gz'), { expect: '3d' }),
  ]);
  if (grouping === 'regions') {
    // No name table ships with NeuroMaps here: the regions are contiguous groups of structures (inia19Regions).
    const { lut, names } = inia19Regions(raw.data as ArrayLike<number>, raw.dims as [number, number, number]);
    return { t1, labels: remap(raw, lut), names, cortex: [] };
  }
  // `full`: NeuroMaps codes are sparse; renumber the codes present to 0 … K−1 (no name table ships).
  const present = [...new Set(Array.from(raw.data as ArrayLike<number>))].sort((a, b) => a - b);
  const lut = new Int32Array(present[present.length - 1] + 1);
  present.forEach((code, i) => (lut[code] = i));
  const names = present.map((code) => (code === 0 ? 'Background' : `NeuroMaps ${code}`));
  return { t1, labels: remap(raw, lut), names, cortex: [] };
}

function remap(raw: Volume, lut: Int32Array | null): Volume<Int32Array> {
  const src = raw.data as ArrayLike<number>;
  const out = new Int32Array(src.length);
  for (let v = 0; v < src.length; v++) out[v] = lut ? lut[src[v]] : src[v];
  return makeVolume(raw.dims as [number, number, number], out, { spacingMm: raw.spacingMm, affine: raw.affine, header: { datatype: 'int32', intentCode: 1002 } });
}

/** `volume` with its voxels copied into shared memory, so that worker threads given it read the same bytes. */
function shareVolume<T extends Volume>(volume: T): T {
  const src = volume.data;
  const Type = src.constructor as new (buffer: SharedArrayBuffer) => typeof src;
  const data = new Type(new SharedArrayBuffer(src.byteLength));
  data.set(src as never);
  return { ...volume, data };
}
