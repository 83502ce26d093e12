import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * Write a file so that readers never see it half-written: write a temporary sibling
 * (`.<name>.<random>.tmp` in the same folder, hence the same file system), then rename it over the target.
 * On failure the temporary file is removed and the target is untouched.
 *
 * @param file - destination path.
 * @param data - bytes or text (UTF-8).
 * @throws Error naming `file` when the folder cannot be written.
 */
export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, file);
  } catch (error) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new Error(`cannot write ${file}: ${reason}`, { cause: error });
  }
}
