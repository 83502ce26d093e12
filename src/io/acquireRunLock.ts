import { promises as fs, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isProcessAlive } from './isProcessAlive.js';

/** A held lock; see {@link acquireRunLock}. */
export interface RunLock {
  /** The lock file, `<dir>/.nonadj.lock`. */
  file: string;
  /** Give the lock up (idempotent). */
  release: () => Promise<void>;
}

/** Options of {@link acquireRunLock}. */
export interface AcquireRunLockOptions {
  /** What holds the lock, recorded in the file and named to others, e.g. `nonadj train`. */
  purpose?: string;
}

/** Name of the lock file inside a locked folder (folders that must be empty otherwise may ignore it). */
export const RUN_LOCK_FILE = '.nonadj.lock';

/** Locks this process holds, with how many times each was taken (the CLI and the library may both take one). */
const held = new Map<string, number>();

/**
 * Take an exclusive lock on a run folder (a training run, the demo's output), so that two processes never write
 * one run at once (two trainings in one `--out` wrote every epoch twice into log.jsonl and mixed their
 * command.json and checkpoint).
 *
 * The lock is a file created with `O_EXCL` holding the owner's pid, host and start time. A lock whose pid is no
 * longer alive on this host (its process was killed with `kill -9`) is stale and taken over. The lock is
 * re-entrant within one process (a count per folder), and released at exit if not before.
 *
 * @param dir - the folder to lock (created if missing).
 * @throws Error naming the folder and the holder's pid (and what it is) when another live process holds it, or when
 *   the lock cannot be written.
 */
export async function acquireRunLock(dir: string, options: AcquireRunLockOptions = {}): Promise<RunLock> {
  const file = path.resolve(dir, RUN_LOCK_FILE);
  const count = held.get(file);
  if (count !== undefined) {
    held.set(file, count + 1);
    return { file, release: makeRelease(file) };
  }
  await fs.mkdir(dir, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
    throw new Error(`cannot lock ${dir}: ${error.code ?? error.message}`);
  });
  const content = JSON.stringify({ pid: process.pid, host: os.hostname(), purpose: options.purpose ?? 'nonadj', started: new Date().toISOString() }) + '\n';
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await fs.writeFile(file, content, { flag: 'wx' });
      held.set(file, 1);
      process.once('exit', () => releaseSync(file));
      return { file, release: makeRelease(file) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new Error(`cannot lock ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
    }
    const holder = await readHolder(file);
    if (holder === null && (await isFresh(file))) {
      // Created an instant ago by a writer that has not written its pid yet: give it time.
      await new Promise((resolve) => setTimeout(resolve, 200));
      continue;
    }
    if (holder && (holder.host !== os.hostname() || isProcessAlive(holder.pid))) {
      throw new Error(
        `${dir} is in use by process ${holder.pid}${holder.host !== os.hostname() ? ` on ${holder.host}` : ''} (${holder.purpose}, since ${holder.started}); ` +
          `wait for it to finish or stop it, or choose another folder (lock file ${file})`,
      );
    }
    // Stale (its process is gone) or unreadable (a writer killed between create and write): move it aside, then
    // check that what was moved is still that stale lock, since another process may have taken over meanwhile.
    const aside = `${file}.stale-${process.pid}`;
    const moved = await fs.rename(file, aside).then(() => true, () => false);
    if (moved) {
      const taken = await readHolder(aside);
      if (taken && taken.pid !== holder?.pid && isProcessAlive(taken.pid)) {
        await fs.rename(aside, file).catch(() => undefined);
        continue;
      }
      await fs.rm(aside, { force: true });
    }
  }
  throw new Error(`cannot lock ${dir}: the lock file ${file} keeps changing hands`);
}

interface Holder {
  pid: number;
  host: string;
  purpose: string;
  started: string;
}

async function isFresh(file: string): Promise<boolean> {
  const stat = await fs.stat(file).catch(() => null);
  return stat !== null && Date.now() - stat.mtimeMs < 2000;
}

async function readHolder(file: string): Promise<Holder | null> {
  try {
    const h = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<Holder>;
    return typeof h.pid === 'number' ? { pid: h.pid, host: String(h.host), purpose: String(h.purpose), started: String(h.started) } : null;
  } catch {
    return null;
  }
}

function makeRelease(file: string): () => Promise<void> {
  let done = false;
  return async () => {
    if (done) return;
    done = true;
    const count = held.get(file) ?? 0;
    if (count > 1) held.set(file, count - 1);
    else if (count === 1) {
      held.delete(file);
      const holder = await readHolder(file);
      if (holder?.pid === process.pid) await fs.rm(file, { force: true });
    }
  };
}

function releaseSync(file: string): void {
  if (!held.has(file)) return;
  held.delete(file);
  try {
    unlinkSync(file);
  } catch {
    // Already gone: nothing to release.
  }
}
