import path from 'node:path';
import { assertPlausibleLabelMap } from '../prior/assertPlausibleLabelMap.js';
import { isFolderInput } from '../volume/isFolderInput.js';
import { listNiftiFiles } from '../volume/listNiftiFiles.js';
import { readNiftiFile } from '../volume/niftiFile.js';
import { stripVolumeExtension } from '../volume/volumeExtension.js';
import { bidsAnatFiles, bidsDataset } from './bidsDataset.js';

/** Why {@link findImages} left a volume of a folder out. */
export type SkipReason =
  /** Its name says label map or mask (see {@link findImages}); not opened. */
  | 'name'
  /** Its header (NIfTI intent 1002, label) or its voxels (an integer map that passes `assertPlausibleLabelMap`). */
  | 'content'
  /** More than one frame: not a 3D image. */
  | 'frames'
  /** In a BIDS dataset, not an anatomical image of the suffixes asked for. */
  | 'bids';

/** A volume of a folder that is not an image to segment. */
export interface SkippedVolume {
  file: string;
  reason: SkipReason;
}

/** Result of {@link findImages}. */
export interface FoundImages {
  /** Images, in the order of the inputs; within a folder, sorted by path. */
  files: string[];
  /** The other volumes of the folders given, in the same order. */
  skipped: SkippedVolume[];
}

/** Options of {@link findImages}. */
export interface FindImagesOptions {
  /**
   * BIDS suffixes of the images to take from a BIDS dataset. @default ['T1w'] (the contrast nonadj's and brainchop's
   * models are trained on; a T2w or FLAIR image given to a T1 model would be segmented, wrongly, without a word)
   */
  bidsSuffixes?: readonly string[];
}

/**
 * Name tokens (between `_ - . +`) of label maps and masks: BIDS `_dseg`, `_probseg`, `_mask`; FreeSurfer `aseg`,
 * `aparc+aseg`, `aparc.a2009s+aseg`, `wmparc`; SynthSeg / FastSurfer `*seg`; nonadj's own `prepro_seg_mni`; `labels`.
 */
const LABEL_TOKEN = /^(?:[a-z0-9]*seg|aparc|wmparc|labels?|labelmap|mask)$/i;

/** Whether a file's name says it is a label map or a mask, not an image (`sub-01_dseg.nii.gz`, `aparc+aseg.mgz`). */
const labelMapName = (file: string) => stripVolumeExtension(path.basename(file)).split(/[_\-.+]/).some((t) => LABEL_TOKEN.test(t));

/**
 * Expand `segment` / `adapt` inputs into the images to segment, the way `findLabelMaps` expands `check`'s into label
 * maps:
 *
 * - a file is kept as given (the user named it);
 * - a **BIDS dataset** (raw, or derivatives such as fMRIPrep's; see `bidsDataset`) contributes its anatomical images
 *   `sub-<label>/[ses-<label>/]anat/*_<suffix>.nii[.gz]` of `bidsSuffixes` (default `T1w`), and nothing else: not its
 *   other contrasts, functional or diffusion runs, masks, segmentations or `derivatives/`;
 * - any other folder contributes every volume below it (`.nii`, `.nii.gz`, `.mgz`, `.mgh`; recursively, hidden ones
 *   skipped) except label maps, recognised, cheapest first:
 *   1. by name: a token (between `_ - . +`) such as `dseg`, `aseg`, `aparc`, `wmparc`, `seg`, `labels`, `mask` (see
 *      `LABEL_TOKEN`): not read, and caught even when stored as floats (a resampled aseg);
 *   2. by header: NIfTI intent code 1002 (NIFTI_INTENT_LABEL, which nonadj and most label tools write);
 *   3. by voxels: an integer datatype whose values pass `assertPlausibleLabelMap` (at most 2 000 distinct values, and
 *      piecewise constant when more than 16), the rule `check` refuses images with; a float image (the usual
 *      pre-processed T1) fails it at its first fractional voxel, while an integer T1 (Colin27 is uint8) fails the
 *      piecewise-constancy test (91 % of neighbours differ; label maps 9–25 %). A float map of whole numbers counts
 *      as an image, as in `check`.
 *   and volumes of more than one frame.
 *
 * Cost: a volume not recognised by name is read once here (and again when segmented): decoding plus one pass over
 * the voxels, about 0.2 s for a 1 mm brain (AAL and Colin27 together: 0.36 s), against minutes to segment it.
 *
 * @throws Error naming the input when it does not exist, when a folder yields no image (saying what was skipped),
 *   and every error of `readNiftiFile` for a volume that cannot be read.
 */
export async function findImages(inputs: readonly string[], options: FindImagesOptions = {}): Promise<FoundImages> {
  const suffixes = options.bidsSuffixes ?? ['T1w'];
  const files: string[] = [];
  const skipped: SkippedVolume[] = [];
  for (const input of inputs) {
    if (!(await isFolderInput(input))) {
      files.push(input);
      continue;
    }
    const volumes = await listNiftiFiles([input]);
    if ((await bidsDataset(input)) !== null) {
      const wanted = new RegExp(`_(?:${suffixes.join('|')})\\.nii(?:\\.gz)?$`);
      const images = await bidsAnatFiles(input, (name) => wanted.test(name));
      if (images.length === 0) {
        throw new Error(`${input} is a BIDS dataset with no image to segment: expected sub-*/[ses-*/]anat/*_${suffixes.length === 1 ? suffixes[0] : `{${suffixes.join(',')}}`}.nii[.gz]`);
      }
      const taken = new Set(images);
      files.push(...images);
      skipped.push(...volumes.filter((f) => !taken.has(f)).map((file) => ({ file, reason: 'bids' as const })));
      continue;
    }
    const before = files.length;
    const skippedBefore = skipped.length;
    for (const file of volumes) {
      const reason = await labelMapReason(file);
      if (reason === null) files.push(file);
      else skipped.push({ file, reason });
    }
    if (files.length === before) {
      throw new Error(`${input} holds no image to segment: its ${skipped.length - skippedBefore} volumes are label maps, masks or 4D (${describeSkipped(skipped.slice(skippedBefore))})`);
    }
  }
  return { files, skipped };
}

async function labelMapReason(file: string): Promise<SkipReason | null> {
  if (labelMapName(file)) return 'name';
  const volume = await readNiftiFile(file);
  if (volume.frames > 1) return 'frames';
  if (volume.header.intentCode === 1002) return 'content';
  try {
    assertPlausibleLabelMap(volume);
    return 'content';
  } catch {
    return null;
  }
}

const REASONS: Record<SkipReason, string> = {
  name: 'a label map or mask by its name (dseg, aseg, aparc, seg, labels, mask…)',
  content: 'a label map by its header or voxels (intent label, or integer and piecewise constant)',
  frames: '4D',
  bids: 'in a BIDS dataset, not a sub-*/[ses-*/]anat image of the contrast asked for',
};

/** `2 a label map or mask by its name (…), 1 4D`: what was skipped, counted by reason, for one line. */
export function describeSkipped(skipped: readonly SkippedVolume[]): string {
  const counts = new Map<SkipReason, number>();
  for (const s of skipped) counts.set(s.reason, (counts.get(s.reason) ?? 0) + 1);
  return [...counts].map(([reason, n]) => `${n} ${REASONS[reason]}`).join(', ');
}
