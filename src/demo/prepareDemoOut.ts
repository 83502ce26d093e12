import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { RUN_LOCK_FILE } from '../io/acquireRunLock.js';
import { writeFileAtomic } from '../io/writeFileAtomic.js';

/** The demo's own entries in its output folder: what `force` removes. */
export const DEMO_OWN_ENTRIES = ['baseline', 'data', 'runs', 'predictions', 'eval', 'demo.json', 'report.json', 'report.md', 'report.html'];

const MARKER = 'demo.json';

/**
 * Make `out` ready for a demo with these options (`identity`): an empty or missing folder; a demo folder with the
 * same options when resuming; any folder with `force` (only the demo's own entries are removed). Writes the marker
 * `demo.json` holding `identity`.
 *
 * @throws Error naming `out` and the way on: a non-empty folder without `resume` or `force`, a resume of a folder
 *   that holds no demo or one made with other options.
 */
export async function prepareDemoOut(out: string, identity: Record<string, unknown>, options: { resume?: boolean; force?: boolean }): Promise<void> {
  const entries = await readdir(out).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw new Error(`runDemo: --out ${out} cannot be read (${error.code})`);
  }).then((names) => names.filter((name) => name !== RUN_LOCK_FILE)); // this run's own lock
  const marker = path.join(out, MARKER);
  const saved = await readFile(marker, 'utf8').then((t) => JSON.parse(t) as Record<string, unknown>, () => null);
  if (entries.length > 0) {
    if (options.force) {
      for (const name of DEMO_OWN_ENTRIES) await rm(path.join(out, name), { recursive: true, force: true });
    } else if (options.resume) {
      if (!saved) throw new Error(`runDemo: --resume: ${out} holds no demo (${MARKER} missing); give another --out, or --force to start over there`);
      const diff = Object.keys(identity).filter((k) => saved[k] !== identity[k]);
      if (diff.length > 0) throw new Error(`runDemo: --resume: ${out} is a demo with other options (${diff.map((k) => `${k} ${String(saved[k])}, now ${String(identity[k])}`).join('; ')}); repeat them, or use --force to start over`);
    } else {
      throw new Error(
        saved
          ? `runDemo: ${out} already holds a demo; continue it with --resume, or start over with --force`
          : `runDemo: ${out} is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}) and holds no demo; choose an empty --out, or --force to write into it`,
      );
    }
  }
  await mkdir(out, { recursive: true });
  await writeFileAtomic(marker, JSON.stringify(identity, null, 2) + '\n');
}
