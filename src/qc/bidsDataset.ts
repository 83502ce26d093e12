import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * What a folder is for BIDS: `'derivative'` (its `dataset_description.json` says `"DatasetType": "derivative"`, or,
 * before BIDS 1.4, has `PipelineDescription` / `GeneratedBy`), `'raw'` (a `dataset_description.json` of another
 * kind) or null (none: not a BIDS dataset). Shared by `findLabelMaps` (label maps are derivatives) and `findImages`
 * (images are raw data).
 *
 * @throws Error naming the file when `dataset_description.json` is not valid JSON.
 */
export async function bidsDataset(folder: string): Promise<'derivative' | 'raw' | null> {
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

/**
 * The files of a BIDS dataset at `sub-<label>/anat/<name>` or `sub-<label>/ses-<label>/anat/<name>` whose name `keep`
 * accepts (e.g. `*_dseg.nii[.gz]`, `*_T1w.nii[.gz]`), sorted by path; hidden files and folders (`.name`) skipped.
 */
export async function bidsAnatFiles(dataset: string, keep: (name: string) => boolean): Promise<string[]> {
  const found = (await readdir(dataset, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile() && keep(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .filter((f) => !path.relative(dataset, f).split(path.sep).some((part) => part.startsWith('.')))
    .sort();
  return found.filter((file) => {
    const parts = path.relative(dataset, file).split(path.sep);
    return (parts.length === 3 && /^sub-/.test(parts[0]) && parts[1] === 'anat') || (parts.length === 4 && /^sub-/.test(parts[0]) && /^ses-/.test(parts[1]) && parts[2] === 'anat');
  });
}
