import { promises as fs } from 'node:fs';
import path from 'node:path';
import { stripVolumeExtension } from '../volume/volumeExtension.js';

/** One exam: an identifier and its label-map file. */
export interface ExamFile {
  /** Exam identifier: its folder name (dataset layout) or the file name without `.nii[.gz]`. */
  id: string;
  /** Path of the label map. */
  file: string;
}

/** Options of {@link findExams}. */
export interface FindExamsOptions {
  /** Label-map file name inside each exam folder (the seed's layout). @default 'prepro_seg_mni.nii.gz' */
  segName?: string;
  /** Continue when some folders lack the label map (they are reported in `skipped`); otherwise throw. @default false */
  skipMissing?: boolean;
}

/** Result of {@link findExams}. */
export interface FindExamsResult {
  exams: ExamFile[];
  /** Sub-folders left out, with the reason. */
  skipped: Array<{ id: string; reason: string }>;
}

/** The seed's label-map name. */
export const DEFAULT_SEG_NAME = 'prepro_seg_mni.nii.gz';

// Made on first use: building an ICU collator costs ~6 ms, which `extract --files` on one exam need not pay.
let collator: Intl.Collator | undefined;

/**
 * List the exams of a dataset folder laid out as the seed describes: one sub-folder per exam, each holding the
 * label map `segName`. Sub-folders are sorted naturally (`2` before `10`); plain files in `dataDir` are ignored.
 *
 * @throws Error when `dataDir` is missing, not a folder, has no sub-folders, when a folder lacks the label map
 *   (unless `skipMissing`, and even then when no exam is left), naming each folder and why.
 */
export async function findExams(dataDir: string, options: FindExamsOptions = {}): Promise<FindExamsResult> {
  const segName = options.segName ?? DEFAULT_SEG_NAME;
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(dataDir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'ENOTDIR' ? 'is not a folder' : `cannot be read (${code})`;
    throw new Error(`data folder ${dataDir} ${why}; expected one sub-folder per exam holding ${segName}`);
  }
  const folders = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort((collator ??= new Intl.Collator('en', { numeric: true })).compare);
  if (folders.length === 0) {
    throw new Error(`data folder ${dataDir} has no exam sub-folders; expected one sub-folder per exam holding ${segName}`);
  }
  const exams: ExamFile[] = [];
  const skipped: FindExamsResult['skipped'] = [];
  for (const id of folders) {
    const file = path.join(dataDir, id, segName);
    try {
      const stat = await fs.stat(file);
      if (stat.isFile()) exams.push({ id, file });
      else skipped.push({ id, reason: `${segName} is not a file` });
    } catch {
      skipped.push({ id, reason: `no ${segName}` });
    }
  }
  if (skipped.length > 0 && !options.skipMissing) {
    const list = skipped.map((s) => `${s.id} (${s.reason})`).join(', ');
    throw new Error(`${skipped.length} of ${folders.length} exam folders in ${dataDir} lack the label map: ${list}; use --seg-name to name it, or --skip-missing to continue without them`);
  }
  if (exams.length === 0) throw new Error(`no exam in ${dataDir} holds ${segName}`);
  return { exams, skipped };
}

/** Exams from explicit label-map files: the id is the file name without `.nii` / `.nii.gz` / `.mgz` / `.mgh`. */
export function examsFromFiles(files: readonly string[]): ExamFile[] {
  return files.map((file) => ({ id: stripVolumeExtension(path.basename(file)), file }));
}
