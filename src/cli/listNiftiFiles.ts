import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** Whether a file name looks like NIfTI (`.nii` or `.nii.gz`). */
export function isNiftiName(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.endsWith('.nii') || lower.endsWith('.nii.gz');
}

/**
 * Expand command-line inputs into NIfTI files: a file is kept as given, a folder contributes every `.nii` /
 * `.nii.gz` below it (recursively, sorted, hidden entries skipped).
 *
 * @throws Error naming the path when it does not exist or a folder holds no NIfTI file.
 */
export async function listNiftiFiles(inputs: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const input of inputs) {
    let info;
    try {
      info = await stat(input);
    } catch (error) {
      throw new Error(`cannot read ${input}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    if (!info.isDirectory()) {
      out.push(input);
      continue;
    }
    const found = (await readdir(input, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile() && isNiftiName(e.name) && !e.name.startsWith('.'))
      .map((e) => path.join(e.parentPath, e.name))
      .filter((f) => !path.relative(input, f).split(path.sep).some((part) => part.startsWith('.')))
      .sort();
    if (found.length === 0) throw new Error(`${input} holds no .nii or .nii.gz file`);
    out.push(...found);
  }
  return out;
}
