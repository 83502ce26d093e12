import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { isFolderInput } from './isFolderInput.js';
import { VOLUME_EXTENSIONS_TEXT, volumeExtension } from './volumeExtension.js';

/** Whether a file name looks like a volume nonadj reads: NIfTI (`.nii`, `.nii.gz`) or FreeSurfer (`.mgz`, `.mgh`). */
export function isNiftiName(name: string): boolean {
  return volumeExtension(name) !== null;
}

/**
 * Expand command-line inputs into volume files: a file is kept as given, a folder contributes every `.nii`,
 * `.nii.gz`, `.mgz` and `.mgh` below it (recursively, sorted, hidden entries skipped).
 *
 * @throws Error naming the path when it does not exist or a folder holds no volume file.
 */
export async function listNiftiFiles(inputs: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const input of inputs) {
    if (!(await isFolderInput(input))) {
      out.push(input);
      continue;
    }
    const found = (await readdir(input, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile() && isNiftiName(e.name) && !e.name.startsWith('.'))
      .map((e) => path.join(e.parentPath, e.name))
      .filter((f) => !path.relative(input, f).split(path.sep).some((part) => part.startsWith('.')))
      .sort();
    if (found.length === 0) throw new Error(`${input} holds no ${VOLUME_EXTENSIONS_TEXT} file`);
    out.push(...found);
  }
  return out;
}
