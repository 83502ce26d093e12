import { realpath } from 'node:fs/promises';
import path from 'node:path';

/**
 * Whether two paths name the same file or folder (after resolving symbolic links where they exist), so that a
 * command never overwrites its input unless told to (`--in-place`).
 */
export async function sameFile(a: string, b: string): Promise<boolean> {
  const resolve = (p: string) => realpath(p).catch(() => path.resolve(p));
  return (await resolve(a)) === (await resolve(b));
}
