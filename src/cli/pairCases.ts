import path from 'node:path';
import { stripVolumeExtension } from '../volume/volumeExtension.js';

/** One prediction–truth pair. */
export interface CasePair {
  /** Case name: the shared relative path (without `.nii`/`.nii.gz`/`.mgz`/`.mgh`), or the shared folder. */
  case: string;
  prediction: string;
  truth: string;
}

/** One side of the pairing: files and the root they were found under (null for files given one by one). */
export interface CaseSide {
  files: readonly string[];
  root: string | null;
}

const stripNifti = stripVolumeExtension;

/**
 * Key of each file: its path relative to the root without the NIfTI extension, except that a file alone in its
 * sub-folder is keyed by that folder (so `pred/case1/seg.nii.gz` meets `truth/case1/labels.nii.gz`).
 */
function keys(side: CaseSide): Map<string, string> {
  const perFolder = new Map<string, number>();
  for (const f of side.files) perFolder.set(path.dirname(f), (perFolder.get(path.dirname(f)) ?? 0) + 1);
  const out = new Map<string, string>();
  for (const f of side.files) {
    const rel = side.root ? path.relative(side.root, f) : path.basename(f);
    const dir = path.dirname(rel);
    const key = dir !== '.' && perFolder.get(path.dirname(f)) === 1 ? dir : stripNifti(rel);
    const k = key.split(path.sep).join('/');
    if (out.has(k)) throw new Error(`two files share the case name "${k}": ${out.get(k)} and ${f}`);
    out.set(k, f);
  }
  return out;
}

/**
 * Pair predictions with truths. Two folders: by case name (relative path without extension, or the sub-folder of
 * a file alone in it). Two lists of files given one by one: by base name when those match one to one, else in
 * the order given (the lists must then have the same length).
 *
 * @throws Error listing the cases found on one side only, or a count mismatch.
 */
export function pairCases(prediction: CaseSide, truth: CaseSide): CasePair[] {
  if (!prediction.root && !truth.root) {
    if (prediction.files.length !== truth.files.length) {
      throw new Error(`${prediction.files.length} prediction(s) and ${truth.files.length} truth file(s), expected as many of each`);
    }
    const byName = (files: readonly string[]) => files.map((f) => stripNifti(path.basename(f)));
    const p = byName(prediction.files);
    const t = byName(truth.files);
    const sameNames = new Set(p).size === p.length && p.every((n) => t.includes(n));
    return prediction.files.map((f, i) => {
      const j = sameNames ? t.indexOf(p[i]) : i;
      return { case: sameNames ? p[i] : `${p[i]}`, prediction: f, truth: truth.files[j] };
    });
  }
  const kp = keys(prediction);
  const kt = keys(truth);
  const onlyP = [...kp.keys()].filter((k) => !kt.has(k));
  const onlyT = [...kt.keys()].filter((k) => !kp.has(k));
  if (onlyP.length > 0 || onlyT.length > 0) {
    const list = (xs: string[]) => xs.slice(0, 5).join(', ') + (xs.length > 5 ? ', …' : '');
    const parts = [];
    if (onlyP.length) parts.push(`no truth for ${onlyP.length} prediction case(s): ${list(onlyP)}`);
    if (onlyT.length) parts.push(`no prediction for ${onlyT.length} truth case(s): ${list(onlyT)}`);
    throw new Error(`cannot pair predictions with truths: ${parts.join('; ')}`);
  }
  return [...kp.keys()].sort().map((k) => ({ case: k, prediction: kp.get(k)!, truth: kt.get(k)! }));
}
