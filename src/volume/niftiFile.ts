import { readFile, stat } from 'node:fs/promises';
import { DEFAULT_MAX_NIFTI_BYTES, type ReadNiftiOptions } from './readNifti.js';
import { readVolume } from './readVolume.js';
import type { Volume } from './Volume.js';
import { writeFileAtomic } from '../io/writeFileAtomic.js';
import { writeMgh } from './writeMgh.js';
import { writeNifti, type WriteNiftiOptions } from './writeNifti.js';

/**
 * Read a volume file: NIfTI (`.nii`, `.nii.gz`) or FreeSurfer MGH (`.mgh`, `.mgz`). Format and compression are
 * detected from the bytes, not the name (see `readVolume`). See `readNifti` and `readMgh` for what is read and how.
 *
 * @param file - path of the file; it names the file in every error message.
 * @throws Error naming `file` when it cannot be read (`ENOENT`, `EACCES`, …), and every error of `readNifti` / `readMgh`.
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
  return readVolume(bytes, { ...options, source: file });
}

/**
 * Write a volume atomically (a temporary sibling renamed over `file`, see `writeFileAtomic`), the format and
 * compression decided by the name: `.nii` NIfTI-1, `.nii.gz` gzipped NIfTI-1 (see {@link writeNifti}), `.mgh`
 * FreeSurfer MGH, `.mgz` gzipped MGH (see `writeMgh`; `options.description` is not stored there).
 *
 * @param file - destination ending in `.nii`, `.nii.gz`, `.mgh` or `.mgz` (any case).
 * @throws RangeError when the name ends otherwise, or `options.gzip` contradicts the name; every error of
 *   {@link writeNifti} / `writeMgh`; Error naming `file` when the folder cannot be written.
 */
export async function writeNiftiFile(file: string, volume: Volume, options: WriteNiftiOptions): Promise<void> {
  const lower = file.toLowerCase();
  const mgh = lower.endsWith('.mgh') || lower.endsWith('.mgz');
  const gzip = lower.endsWith('.nii.gz') || lower.endsWith('.mgz');
  if (!gzip && !mgh && !lower.endsWith('.nii')) {
    throw new RangeError(`writeNiftiFile: ${file} must end in .nii, .nii.gz, .mgh or .mgz`);
  }
  if (options.gzip !== undefined && options.gzip !== gzip) {
    throw new RangeError(`writeNiftiFile: ${file}: gzip: ${options.gzip} contradicts the name, expected ${gzip} (the name decides)`);
  }
  const bytes = mgh
    ? writeMgh(volume, { kind: options.kind, gzip, preferDatatype: options.preferDatatype })
    : writeNifti(volume, { ...options, gzip });
  await writeFileAtomic(file, bytes);
}
