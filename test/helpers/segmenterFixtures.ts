/**
 * A tiny real dataset for the training-loop and segmentation tests: crops of the bundled Colin27 T1
 * (data/ch2.nii.gz) and AAL labels (data/aal.nii.gz) in the left cerebellum, where 24×12×24 voxels hold five
 * structures: background 0, Cerebelum_4_5_L (97), Cerebelum_8_L (103), Cerebelum_9_L (105), Cerebelum_10_L (107).
 * Other AAL labels in the crop (a few hundred voxels) become background. 97 touches only the background there, so
 * the prior forbids 97–103, 97–105 and 97–107 (6 ordered pairs). Each exam is the crop shifted along y (the
 * coronal slicing axis), so exams show different real slices. The prior keeps the AAL codes, so its labels are not
 * 0…L−1: the training loop must map codes to channels and back.
 */
import path from 'node:path';
import { AdjacencyPrior } from '../../src/prior/AdjacencyPrior.js';
import { countAdjacency } from '../../src/prior/countAdjacency.js';
import type { TrainingExam } from '../../src/data/findTrainingExams.js';
import { readNiftiFile } from '../../src/volume/niftiFile.js';
import { makeVolume, type Volume } from '../../src/volume/Volume.js';
import { ROOT } from './runCliSnapshot.js';

/** The AAL codes kept, in channel order. */
export const CROP_CODES = [0, 97, 103, 105, 107];
/** Crop size `[nx, ny, nz]` and x, z origins in the 1 mm atlas; y origins vary per exam. */
export const CROP_SIZE: [number, number, number] = [24, 12, 24];
const X0 = 62;
const Z0 = 20;

export interface AtlasCropDataset {
  /** Exams named `crop-y<origin>`, with in-memory file names `mem:/crop-y<origin>/image|label`. */
  exams: TrainingExam[];
  /** Reads the in-memory files. */
  load: (file: string) => Promise<Volume>;
  /** Volumes by file name. */
  files: Map<string, Volume>;
  /** Prior counted over every exam's labels (26-neighbourhood), labels = {@link CROP_CODES}. */
  prior: AdjacencyPrior;
}

let atlas: Promise<[Volume, Volume]> | undefined;

/** The crops at the given y origins (default 72, 76, 80, 84, 88). */
export async function makeAtlasCropDataset(yOrigins: readonly number[] = [72, 76, 80, 84, 88]): Promise<AtlasCropDataset> {
  atlas ??= Promise.all([readNiftiFile(path.join(ROOT, 'data', 'ch2.nii.gz')), readNiftiFile(path.join(ROOT, 'data', 'aal.nii.gz'))]);
  const [ch2, aal] = await atlas;
  const [nx, ny] = ch2.dims;
  const [sx, sy, sz] = CROP_SIZE;
  const files = new Map<string, Volume>();
  const exams: TrainingExam[] = [];
  const L = CROP_CODES.length;
  const counts = new Float64Array(L * L);
  for (const y0 of yOrigins) {
    const image = new Float32Array(sx * sy * sz);
    const labels = new Int32Array(sx * sy * sz);
    for (let z = 0, v = 0; z < sz; z++)
      for (let y = 0; y < sy; y++)
        for (let x = 0; x < sx; x++, v++) {
          const src = X0 + x + nx * (y0 + y + ny * (Z0 + z));
          image[v] = ch2.data[src];
          labels[v] = CROP_CODES.includes(aal.data[src]) ? aal.data[src] : 0;
        }
    // The crop's voxel→world affine: the atlas's, moved to the crop origin.
    const affine = Float64Array.from(ch2.affine);
    for (let r = 0; r < 3; r++) affine[r * 4 + 3] += ch2.affine[r * 4] * X0 + ch2.affine[r * 4 + 1] * y0 + ch2.affine[r * 4 + 2] * Z0;
    const id = `crop-y${y0}`;
    const exam = { id, image: `mem:/${id}/image`, label: `mem:/${id}/label` };
    files.set(exam.image, makeVolume(CROP_SIZE, image, { spacingMm: ch2.spacingMm, affine, header: { datatype: 'float32' } }));
    files.set(exam.label, makeVolume(CROP_SIZE, labels, { spacingMm: ch2.spacingMm, affine, header: { datatype: 'int32', intentCode: 1002 } }));
    exams.push(exam);
    const indices = Int32Array.from(labels, (c) => CROP_CODES.indexOf(c));
    const c = countAdjacency(indices, CROP_SIZE, { numLabels: L });
    for (let i = 0; i < L * L; i++) counts[i] += c.counts[i];
  }
  const prior = AdjacencyPrior.fromCounts(counts, {
    labels: [...CROP_CODES],
    names: ['background', 'Cerebelum_4_5_L', 'Cerebelum_8_L', 'Cerebelum_9_L', 'Cerebelum_10_L'],
  });
  const load = async (file: string) => {
    const v = files.get(file);
    if (!v) throw new Error(`cannot read ${file}: ENOENT`);
    return v;
  };
  return { exams, load, files, prior };
}
