import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isProcessAlive } from '../io/isProcessAlive.js';

/**
 * Write a file so that readers never see it half-written: write a temporary sibling
 * (`.<name>.<pid>-<random>.tmp` in the same folder, hence the same file system), then rename it over the target.
 * On failure the temporary file is removed and the target is untouched. Temporary siblings of the same target
 * left by processes that no longer exist (a `kill -9` mid-write) are removed first; those of live processes are
 * left alone.
 *
 * @param file - destination path.
 * @param data - bytes or text (UTF-8).
 * @throws Error naming `file` when the folder cannot be written.
 */
export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  try {
    await removeStaleTemporaries(file);
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, file);
  } catch (error) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new Error(`cannot write ${file}: ${reason}`, { cause: error });
  }
}

/** Remove `.<name>.<pid>-<hex>.tmp` (and pre-pid `.<name>.<hex>.tmp`) siblings whose process is gone. */
async function removeStaleTemporaries(file: string): Promise<void> {
  const dir = path.dirname(file);
  const prefix = `.${path.basename(file)}.`;
  const entries = await fs.readdir(dir).catch(() => [] as string[]);
  for (const name of entries) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const middle = name.slice(prefix.length, -'.tmp'.length);
    const m = /^(\d+)-[0-9a-f]{12}$/.exec(middle);
    if ((m && !isProcessAlive(Number(m[1]))) || /^[0-9a-f]{12}$/.test(middle)) await fs.rm(path.join(dir, name), { force: true });
  }
}
