import { assertLabelMap } from '../prior/assertLabelMap.js';
import { readNiftiFile } from '../volume/niftiFile.js';
import type { Volume } from '../volume/Volume.js';
import type { TrainingExam } from './findTrainingExams.js';

/** Reads one volume from a file; the default reads 3D NIfTI with `readNiftiFile`. Tests pass in-memory loaders. */
export type LoadVolume = (file: string) => Promise<Volume>;

/** Options of {@link loadExam}. */
export interface LoadExamOptions {
  /** How files are read. @default readNiftiFile(file, { expect: '3d' }) */
  load?: LoadVolume;
  /** `'image'`: read the image only; `'both'`: the image and, if the exam has one, its label map. @default 'both' */
  read?: 'image' | 'both';
  /** Labels must lie in `[0, numLabels)` (or be −1), checked with `assertLabelMap`. */
  numLabels?: number;
}

/** Result of {@link loadExam}. */
export interface LoadExamResult {
  image: Volume;
  /** The label map (integer-valued, same grid as the image), or null when the exam has none or it was not read. */
  labels: Volume | null;
}

/** The default reader: one 3D NIfTI volume. */
export const readVolume: LoadVolume = (file) => readNiftiFile(file, { expect: '3d' });

/**
 * Read an exam's image and label map and check they share a grid (dims, and voxel→world affine within 1e-3 mm).
 *
 * @throws Error naming the exam and both files when the grids differ; every error of the reader (naming the
 *   file); RangeError from `assertLabelMap` for a label map with non-integer or out-of-range values.
 */
export async function loadExam(exam: TrainingExam, options: LoadExamOptions = {}): Promise<LoadExamResult> {
  const load = options.load ?? readVolume;
  const wantLabels = (options.read ?? 'both') === 'both' && exam.label !== undefined;
  const [image, labels] = await Promise.all([load(exam.image), wantLabels ? load(exam.label as string) : null]);
  if (labels) {
    const sameDims = image.dims.every((d, i) => d === labels.dims[i]);
    if (!sameDims) {
      throw new Error(`loadExam: exam ${exam.id}: image ${exam.image} is ${image.dims.join('×')} but label map ${exam.label} is ${labels.dims.join('×')}; expected the same grid`);
    }
    const worst = Math.max(...Array.from(image.affine, (v, i) => Math.abs(v - labels.affine[i])));
    if (!(worst <= 1e-3)) {
      throw new Error(`loadExam: exam ${exam.id}: image ${exam.image} and label map ${exam.label} have different voxel→world affines (differ by up to ${worst.toPrecision(3)} mm); expected the same grid`);
    }
    assertLabelMap(labels.data, { numLabels: options.numLabels, source: `loadExam: exam ${exam.id}: ${exam.label}` });
  }
  return { image, labels };
}
