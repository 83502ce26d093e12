import { copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { EpochRecord } from '../train/runFolder.js';

/** The folder of each atlas's shipped baseline, under the repository root. */
export const SHIPPED_BASELINE_DIRS: Readonly<Record<string, string>> = { aal: 'demo/baseline', inia19: 'demo/baseline-inia19' };

/**
 * The shipped baseline of the atlas (`demo/baseline/` for AAL, `demo/baseline-inia19/` for the macaque) when it
 * fits the options, copied to `dest` (kept if already there: a resumed demo goes on with the baseline it started
 * from), with its command and a note on its state.
 */
export async function copyShippedBaseline(
  root: string,
  dest: string,
  want: { atlas: string; labels: string; downsample: number },
): Promise<{ dir: string; command: string; note: string; logs: string[]; cohort: 'warp' | 'varied' } | null> {
  const parse = (dir: string) => readFile(path.join(dir, 'manifest.json'), 'utf8').then((t) => JSON.parse(t) as Record<string, unknown>, () => null);
  let manifest = await parse(dest);
  if (!manifest) {
    const folder = SHIPPED_BASELINE_DIRS[want.atlas];
    if (!folder) return null;
    const source = path.join(root, ...folder.split('/'));
    manifest = await parse(source);
    if (!manifest || !(await isFile(path.join(source, 'model.json')))) return null;
    if (manifest.atlas !== want.atlas || manifest.labels !== want.labels || manifest.downsample !== want.downsample) return null;
    await mkdir(dest, { recursive: true });
    // The manifest last: its presence marks a complete copy.
    for (const f of ['model.json', 'weights.bin', 'graph.json', ...logsOf(manifest), 'command.txt', 'manifest.json']) await copyFile(path.join(source, f), path.join(dest, f));
  }
  // A manifest without a cohort predates the varied cohort: its training subjects were warps of the atlas.
  const cohort = manifest.cohort === 'varied' ? 'varied' : 'warp';
  return { dir: dest, command: String(manifest.command), note: String(manifest.note), logs: logsOf(manifest), cohort };
}

/** The training logs a baseline manifest lists, one per stage (`logs`), or the single `log.jsonl` of older ones. */
function logsOf(manifest: Record<string, unknown>): string[] {
  const logs = manifest.logs;
  return Array.isArray(logs) && logs.every((l) => typeof l === 'string' && !l.includes('/') && !l.includes('\\')) ? (logs as string[]) : ['log.jsonl'];
}

/**
 * The logs of a baseline trained in stages (e.g. Adam at 1e-3, then a second run from its best model at 1e-4), one
 * after the other, as one curve: each stage's epochs are numbered on from the previous stage's last (the files keep
 * their own numbering).
 */
export async function readStagedLogs(dir: string, files: string[]): Promise<EpochRecord[]> {
  const all: EpochRecord[] = [];
  for (const file of files) {
    const offset = all.length > 0 ? all[all.length - 1].epoch + 1 : 0;
    const text = await readFile(path.join(dir, file), 'utf8').catch(() => '');
    const records = text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as EpochRecord);
    for (const record of records) all.push({ ...record, epoch: record.epoch + offset });
  }
  return all;
}

async function isFile(file: string): Promise<boolean> {
  return stat(file).then((s) => s.isFile(), () => false);
}
