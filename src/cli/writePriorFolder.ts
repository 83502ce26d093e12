import { copyFile, link, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFolderAtomic } from '../io/writeFolderAtomic.js';
import type { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import { encodeGraphPng } from '../prior/encodeGraphPng.js';

/** The files of a prior folder, as `extract` and `merge` write them. */
export const PRIOR_FILES = ['graph.png.csv', 'graph.png', 'graph.json'] as const;

/**
 * The output folder is replaced as a whole (`writeFolderAtomic`), so it may hold only a previous prior and files
 * (carried over); a sub-folder would have to be moved, so it is refused up front, before any counting.
 *
 * @throws Error naming the folder when it holds sub-folders or cannot be read.
 */
export async function checkPriorFolder(output: string): Promise<void> {
  const entries = await readdir(output, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw new Error(`cannot read output folder ${output}: ${error.code ?? error.message}`);
  });
  const folders = entries.filter((e) => e.isDirectory()).map((e) => e.name);
  if (folders.length > 0) {
    throw new Error(`output folder ${output} holds sub-folders (${folders.slice(0, 3).join(', ')}${folders.length > 3 ? ', …' : ''}); the prior's folder is replaced as a whole, so give an empty or new folder`);
  }
}

/**
 * Write the three prior files as one unit: a new folder is filled and swapped in, so a full disk or a kill leaves
 * the previous prior complete, never a new graph.png.csv beside an old graph.json. Other files in the folder are
 * carried over (hard links, or copies across devices).
 */
export async function writePriorFolder(output: string, prior: AdjacencyPrior): Promise<void> {
  await writeFolderAtomic(output, async (tmp) => {
    const entries = await readdir(output, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (!e.isFile() || (PRIOR_FILES as readonly string[]).includes(e.name) || /^\..*\.tmp$/.test(e.name)) continue;
      await link(path.join(output, e.name), path.join(tmp, e.name)).catch(() => copyFile(path.join(output, e.name), path.join(tmp, e.name)));
    }
    await writeFile(path.join(tmp, 'graph.png.csv'), prior.toCsv());
    await writeFile(path.join(tmp, 'graph.png'), encodeGraphPng(prior));
    await writeFile(path.join(tmp, 'graph.json'), JSON.stringify(prior.toJson()) + '\n');
  });
}
