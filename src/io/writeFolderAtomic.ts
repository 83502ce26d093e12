import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isProcessAlive } from './isProcessAlive.js';

/**
 * Write a folder as one unit: fill a new temporary sibling `<dir>.tmp-<pid>-<random>` with `fill`, then swap it in
 * place of `dir` with two renames (`<dir>` → `<dir>.old`, new → `<dir>`) and remove the old one. Readers see the
 * old folder complete or the new one complete, never a mix of files from both (a disk filling up or a `kill -9`
 * during the fill leaves `dir` untouched).
 *
 * Recovery of earlier interrupted writes, done first: temporary siblings whose process is no longer alive are
 * removed (the pid in their name says whose they are, so a concurrent writer's folder is left alone), and when a
 * crash struck between the two renames (`<dir>` missing, `<dir>.old` complete) the old folder is put back.
 *
 * @param dir - the folder to write (its parent is created if missing).
 * @param fill - writes the folder's content into the temporary folder it is given.
 * @throws Error naming `dir` when a step fails (the temporary folder is removed, `dir` is left as it was).
 */
export async function writeFolderAtomic(dir: string, fill: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  const old = `${dir}.old`;
  try {
    await fs.mkdir(path.dirname(dir), { recursive: true });
    await removeStaleSiblings(dir);
    const exists = (p: string) => fs.stat(p).then(() => true, () => false);
    if (!(await exists(dir)) && (await exists(old))) await fs.rename(old, dir);
    await fs.mkdir(tmp);
    await fill(tmp);
    if (await exists(dir)) {
      // `<dir>` is complete here, so a stale `<dir>.old` is not needed any more.
      await fs.rm(old, { recursive: true, force: true });
      await fs.rename(dir, old);
    }
    await fs.rename(tmp, dir);
    await fs.rm(old, { recursive: true, force: true });
  } catch (error) {
    await fs.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new Error(`cannot write ${dir}: ${reason}`, { cause: error });
  }
}

/** Remove `<dir>.tmp-<pid>-*` siblings left by processes that are gone (and pre-pid `<dir>.tmp-<hex>` ones). */
async function removeStaleSiblings(dir: string): Promise<void> {
  const parent = path.dirname(dir);
  const prefix = `${path.basename(dir)}.tmp-`;
  const entries = await fs.readdir(parent).catch(() => [] as string[]);
  for (const name of entries) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(\d+)-[0-9a-f]{12}$/.exec(name.slice(prefix.length));
    const legacy = /^[0-9a-f]{12}$/.test(name.slice(prefix.length));
    if ((m && !isProcessAlive(Number(m[1]))) || legacy) await fs.rm(path.join(parent, name), { recursive: true, force: true });
  }
}
