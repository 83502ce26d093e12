import { readFile, stat } from 'node:fs/promises';
import { DEFAULT_MAX_NIFTI_BYTES, readNifti, type ReadNiftiOptions } from './readNifti.js';
import type { Volume } from './Volume.js';
import { writeFileAtomic } from '../io/writeFileAtomic.js';
import { writeNifti, type WriteNiftiOptions } from './writeNifti.js';

/**
 * Read a `.nii` or `.nii.gz` file (compression is detected from the bytes, not the name).
 * See {@link readNifti} for what is read and how.
 *
 * @param file - path of the NIfTI file; it names the file in every error message.
 * @throws Error naming `file` when it cannot be read (`ENOENT`, `EACCES`, …), and every error of {@link readNifti}.
 */
export async function readNiftiFile(file: string, options: Omit<ReadNiftiOptions, 'source'> = {}): Promise<Volume> {
  let bytes: Uint8Array;
  try {
    // A file far larger than any volume nonadj reads is refused before it is loaded (a gzip stream is at most
    // about as large as what it inflates to, so the same bound holds for .nii.gz).
    const limit = (options.maxBytes ?? DEFAULT_MAX_NIFTI_BYTES) + 2 ** 20;
    const { size } = await stat(file);
    if (size > limit) throw Object.assign(new Error(`file has ${size} bytes, over the limit of ${limit} (readNifti maxBytes)`), { code: undefined });
    bytes = await readFile(file);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new Error(`readNiftiFile: cannot read ${file}: ${reason}`, { cause: error });
  }
  return readNifti(bytes, { ...options, source: file });
}

/**
 * Write a volume as NIfTI-1, atomically (a temporary sibling renamed over `file`, see `writeFileAtomic`).
 * The name decides compression: `.nii.gz` is gzip-compressed, `.nii` is not. See {@link writeNifti}.
 *
 * @param file - destination ending in `.nii` or `.nii.gz`.
 * @throws RangeError when the name ends otherwise, or `options.gzip` contradicts the name; every error of
 *   {@link writeNifti}; Error naming `file` when the folder cannot be written.
 */
export async function writeNiftiFile(file: string, volume: Volume, options: WriteNiftiOptions): Promise<void> {
  const lower = file.toLowerCase();
  const gzip = lower.endsWith('.nii.gz');
  if (!gzip && !lower.endsWith('.nii')) {
    throw new RangeError(`writeNiftiFile: ${file} must end in .nii or .nii.gz`);
  }
  if (options.gzip !== undefined && options.gzip !== gzip) {
    throw new RangeError(`writeNiftiFile: ${file}: gzip: ${options.gzip} contradicts the name, expected ${gzip} (the name decides)`);
  }
  await writeFileAtomic(file, writeNifti(volume, { ...options, gzip }));
}
