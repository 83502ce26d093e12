import { stat } from 'node:fs/promises';

/**
 * Whether a command-line input is a folder (to search for volumes) rather than a file (taken as given): the first
 * step of `listNiftiFiles`, `findLabelMaps` and `findImages`.
 *
 * @throws Error `cannot read <input>: <code>` when it does not exist or cannot be read (`ENOENT`, `EACCES`, …).
 */
export async function isFolderInput(input: string): Promise<boolean> {
  try {
    return (await stat(input)).isDirectory();
  } catch (error) {
    throw new Error(`cannot read ${input}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
