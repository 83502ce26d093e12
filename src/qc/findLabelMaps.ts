import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { isFolderInput } from '../volume/isFolderInput.js';
import { listNiftiFiles } from '../volume/listNiftiFiles.js';
import { bidsAnatFiles, bidsDataset } from './bidsDataset.js';

/** Where {@link findLabelMaps} found each file. */
export interface FoundLabelMaps {
  /** Label maps, in the order of the inputs; within a folder, sorted by path. */
  files: string[];
  /** Inputs recognised as BIDS derivatives datasets (`dataset_description.json` with `DatasetType: "derivative"`). */
  bidsDatasets: string[];
}

const isDseg = (name: string) => /_dseg\.nii(\.gz)?$/i.test(name);

/**
 * Expand `nonadj check` inputs into label map files:
 *
 * - a file is kept as given;
 * - a **BIDS derivatives dataset** (a folder whose `dataset_description.json` says `"DatasetType": "derivative"`, or,
 *   before BIDS 1.4, has `PipelineDescription` / `GeneratedBy`) contributes its discrete segmentations
 *   `sub-<label>/[ses-<label>/]anat/*_dseg.nii[.gz]` (FreeSurfer, FastSurfer, SynthSeg or fMRIPrep outputs, e.g.
 *   `sub-01_ses-1_space-MNI152NLin2009cAsym_desc-aparcaseg_dseg.nii.gz`), and nothing else: no probabilistic
 *   segmentations (`_probseg`), masks (`_mask`) or images;
 * - a BIDS raw dataset (`dataset_description.json` of another type) contributes the derivatives datasets under its
 *   `derivatives/` folder, each as above;
 * - any other folder contributes every volume file below it (`.nii`, `.nii.gz`, `.mgz`, `.mgh`; recursively).
 *
 * Hidden files and folders (`.name`) are skipped.
 *
 * @throws Error naming the input when it does not exist, or when a folder yields no label map (saying what was looked for).
 */
export async function findLabelMaps(inputs: readonly string[]): Promise<FoundLabelMaps> {
  const files: string[] = [];
  const bidsDatasets: string[] = [];
  for (const input of inputs) {
    if (!(await isFolderInput(input))) {
      files.push(input);
      continue;
    }
    const kind = await bidsDataset(input);
    if (kind === null) {
      files.push(...(await listNiftiFiles([input])));
      continue;
    }
    const datasets = kind === 'derivative' ? [input] : await derivativesOf(input);
    if (datasets.length === 0) throw new Error(`${input} is a BIDS raw dataset with no derivatives dataset under derivatives/ (label maps are derivatives: sub-*/[ses-*/]anat/*_dseg.nii.gz)`);
    const before = files.length;
    for (const dataset of datasets) {
      bidsDatasets.push(dataset);
      files.push(...(await bidsAnatFiles(dataset, isDseg)));
    }
    if (files.length === before) throw new Error(`${input} is a BIDS dataset with no label map: expected sub-*/[ses-*/]anat/*_dseg.nii[.gz]`);
  }
  return { files, bidsDatasets };
}

async function derivativesOf(raw: string): Promise<string[]> {
  const root = path.join(raw, 'derivatives');
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).sort((a, b) => a.name.localeCompare(b.name))) {
    if ((await bidsDataset(path.join(root, e.name))) === 'derivative') out.push(path.join(root, e.name));
  }
  return out;
}
