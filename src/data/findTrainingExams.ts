import { promises as fs, type Dirent } from 'node:fs';
import path from 'node:path';
import { stripVolumeExtension, volumeExtension } from '../volume/volumeExtension.js';

/** One exam of a training dataset: an identifier, its image file and, when labelled, its label-map file. */
export interface TrainingExam {
  /** Exam folder name (or, for a plain file, its name without `.nii` / `.nii.gz`). */
  id: string;
  /** Path of the image. */
  image: string;
  /** Path of the label map; absent for an unlabelled exam. */
  label?: string;
}

/** Options of {@link findTrainingExams}. */
export interface FindTrainingExamsOptions {
  /** Image file name inside each exam folder (the seed's layout). @default 'prepro_im_mni_bc.nii.gz' */
  imageName?: string;
  /** Label-map file name inside each exam folder (the seed's layout). @default 'prepro_seg_mni.nii.gz' */
  labelName?: string;
  /**
   * `true` (a labelled dataset): every sub-folder must hold both files, and plain files are ignored.
   * `false` (an unlabelled folder): exams are sub-folders holding `imageName` (with `labelName` attached when
   * present) and plain `.nii` / `.nii.gz` files, each one image.
   * @default true
   */
  requireLabels?: boolean;
}

/** The seed's image file name. */
export const DEFAULT_IMAGE_NAME = 'prepro_im_mni_bc.nii.gz';
/** The seed's label-map file name. */
export const DEFAULT_LABEL_NAME = 'prepro_seg_mni.nii.gz';

const collator = new Intl.Collator('en', { numeric: true });

/**
 * List the exams of a dataset folder: one sub-folder per exam holding an image and a label map (the seed's
 * layout), or, for an unlabelled folder (`requireLabels: false`), images only. Exams are sorted naturally by id
 * (`2` before `10`).
 *
 * @param dir - dataset folder.
 * @returns the exams, at least one.
 * @throws Error when `dir` is missing or not a folder; when exam folders lack a file (naming every such folder
 *   and the missing file names); when no exam is found.
 */
export async function findTrainingExams(dir: string, options: FindTrainingExamsOptions = {}): Promise<TrainingExam[]> {
  const imageName = options.imageName ?? DEFAULT_IMAGE_NAME;
  const labelName = options.labelName ?? DEFAULT_LABEL_NAME;
  const requireLabels = options.requireLabels ?? true;
  const expected = requireLabels
    ? `one sub-folder per exam holding ${imageName} and ${labelName}`
    : `sub-folders holding ${imageName}, or .nii / .nii.gz / .mgz / .mgh image files`;
  let entries: Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'ENOTDIR' ? 'is not a folder' : `cannot be read (${code})`;
    throw new Error(`findTrainingExams: dataset folder ${dir} ${why}; expected ${expected}`);
  }
  const exams: TrainingExam[] = [];
  const problems: string[] = [];
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    // A symbolic link counts as what it points to.
    const stat = entry.isSymbolicLink() ? await fs.stat(full).catch(() => null) : entry;
    if (stat?.isDirectory()) {
      const image = path.join(full, imageName);
      const label = path.join(full, labelName);
      const [hasImage, hasLabel] = await Promise.all([isFile(image), isFile(label)]);
      const missing = [hasImage ? null : imageName, requireLabels && !hasLabel ? labelName : null].filter((x) => x !== null);
      if (missing.length > 0) problems.push(`${entry.name} (no ${missing.join(', no ')})`);
      else exams.push(hasLabel ? { id: entry.name, image, label } : { id: entry.name, image });
    } else if (stat?.isFile() && !requireLabels && volumeExtension(entry.name) !== null) {
      exams.push({ id: stripVolumeExtension(entry.name), image: full });
    }
  }
  if (problems.length > 0) {
    problems.sort(collator.compare);
    throw new Error(`findTrainingExams: ${problems.length} exam folder${problems.length === 1 ? '' : 's'} in ${dir} lack${problems.length === 1 ? 's' : ''} a file: ${problems.join('; ')}; expected ${expected}`);
  }
  if (exams.length === 0) throw new Error(`findTrainingExams: no exam in ${dir}; expected ${expected}`);
  const ids = new Set<string>();
  for (const e of exams) {
    if (ids.has(e.id)) throw new Error(`findTrainingExams: two exams in ${dir} are both named ${e.id} (a folder and a file?)`);
    ids.add(e.id);
  }
  return exams.sort((a, b) => collator.compare(a.id, b.id));
}

async function isFile(file: string): Promise<boolean> {
  return fs.stat(file).then((s) => s.isFile(), () => false);
}
