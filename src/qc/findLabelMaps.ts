import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { listNiftiFiles } from '../volume/listNiftiFiles.js';

/** Where {@link findLabelMaps} found each file. */
export interface FoundLabelMaps {
  /** Label maps, in the order of the inputs; within a folder, sorted by path. */
  files: string[];
  /** Inputs recognised as BIDS derivatives datasets (`dataset_description.json` with `DatasetType: "derivative"`). */
  bidsDatasets: string[];
}

const isDseg = (name: string) => /_dseg\.nii(\.gz)?$/i.test(name);
const hidden = (rel: string) => rel.split(path.sep).some((part) => part.startsWith('.'));

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
    let info;
    try {
      info = await stat(input);
    } catch (error) {
      throw new Error(`cannot read ${input}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    if (!info.isDirectory()) {
      files.push(input);
      continue;
    }
    const kind = await bidsKind(input);
    if (kind === null) {
      files.push(...(await listNiftiFiles([input])));
      continue;
    }
    const datasets = kind === 'derivative' ? [input] : await derivativesOf(input);
    if (datasets.length === 0) throw new Error(`${input} is a BIDS raw dataset with no derivatives dataset under derivatives/ (label maps are derivatives: sub-*/[ses-*/]anat/*_dseg.nii.gz)`);
    const before = files.length;
    for (const dataset of datasets) {
      bidsDatasets.push(dataset);
      files.push(...(await bidsDsegFiles(dataset)));
    }
    if (files.length === before) throw new Error(`${input} is a BIDS dataset with no label map: expected sub-*/[ses-*/]anat/*_dseg.nii[.gz]`);
  }
  return { files, bidsDatasets };
}

/** `'derivative'`, `'raw'` (a `dataset_description.json` of another kind) or null (no BIDS description). */
async function bidsKind(folder: string): Promise<'derivative' | 'raw' | null> {
  let text: string;
  try {
    text = await readFile(path.join(folder, 'dataset_description.json'), 'utf8');
  } catch {
    return null;
  }
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${path.join(folder, 'dataset_description.json')}: not valid JSON (${(error as Error).message})`);
  }
  const derivative = doc.DatasetType === 'derivative' || (doc.DatasetType === undefined && (doc.PipelineDescription !== undefined || doc.GeneratedBy !== undefined));
  return derivative ? 'derivative' : 'raw';
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
    if ((await bidsKind(path.join(root, e.name))) === 'derivative') out.push(path.join(root, e.name));
  }
  return out;
}

// sub-<label>/anat/<name>_dseg.nii[.gz] and sub-<label>/ses-<label>/anat/<name>_dseg.nii[.gz], sorted.
async function bidsDsegFiles(dataset: string): Promise<string[]> {
  const found = await walk(dataset, isDseg);
  return found.filter((file) => {
    const parts = path.relative(dataset, file).split(path.sep);
    return (parts.length === 3 && /^sub-/.test(parts[0]) && parts[1] === 'anat') || (parts.length === 4 && /^sub-/.test(parts[0]) && /^ses-/.test(parts[1]) && parts[2] === 'anat');
  });
}

async function walk(folder: string, keep: (name: string) => boolean): Promise<string[]> {
  return (await readdir(folder, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile() && keep(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .filter((f) => !hidden(path.relative(folder, f)))
    .sort();
}
