import type { VoxelArray } from '../volume/Volume.js';
import { assertLabelMap } from './assertLabelMap.js';
import { PRIOR_LIMITS } from './PRIOR_LIMITS.js';

/** Options of {@link labelCodes}. */
export interface LabelCodesOptions {
  /** File name (or other origin) named in error messages. */
  source?: string;
  /** Most distinct labels accepted. @default PRIOR_LIMITS.maxLabels */
  maxLabels?: number;
}

/** Result of {@link labelCodes}: the distinct labels of a label map and a code → index lookup. */
export interface LabelCodes {
  /** Distinct label codes ≥ 0 present, ascending. */
  codes: number[];
  /** Index of `code` in `codes`, or −1 for −1 (ignored voxels) and for codes not present. */
  indexOf: (code: number) => number;
  /** Voxels labelled −1. */
  ignoredVoxels: number;
}

/** Codes below this are tracked in flat tables (fast); larger ones in a Map. */
const SMALL = 1 << 16;

/**
 * The distinct labels of a label map, so that counting, metrics and priors can index labels `0 … K−1` by the labels
 * present rather than by their codes: memory then grows with the number of labels, never with the largest code
 * (a map with labels {0, 2, 11175, 14175} needs 4 rows, not 14 176).
 *
 * Validates as it scans (METHOD.md §1): every value must be an integer in −1 … 2^53 (−1 = ignored voxel).
 *
 * @param data - voxel labels, any layout.
 * @throws RangeError naming `source`, the voxel and the value for a non-integer, NaN, below −1 or beyond 2^53
 *   value; and naming the label and the limit when there are more than `maxLabels` distinct labels (checked while
 *   scanning, so memory stays bounded).
 */
export function labelCodes(data: VoxelArray | ArrayLike<number>, options: LabelCodesOptions = {}): LabelCodes {
  const source = options.source ?? 'label map';
  const maxLabels = options.maxLabels ?? PRIOR_LIMITS.maxLabels;
  const small = new Uint8Array(SMALL);
  const large = new Set<number>();
  let distinct = 0;
  let ignored = 0;
  let prev = NaN;
  const n = data.length;
  // Unsigned 8/16-bit maps (AAL, most atlases) hold only valid codes below SMALL: mark them without the checks. Too
  // many labels fall through to the checked loop below, which names the voxel in its error.
  let v = 0;
  if (data instanceof Uint8Array || data instanceof Uint16Array) {
    for (let i = 0; i < n; i++) small[data[i]] = 1;
    for (let c = 0; c < SMALL; c++) distinct += small[c];
    if (distinct <= maxLabels) v = n;
    else {
      small.fill(0);
      distinct = 0;
    }
  }
  for (; v < n; v++) {
    const x = data[v];
    if (x === prev) continue; // runs of one label are checked once (NaN never equals prev, so it is always checked)
    if (x === -1) {
      ignored++;
      // Count the whole run of −1 here, since the run-skip above would miss it.
      while (v + 1 < n && data[v + 1] === -1) {
        v++;
        ignored++;
      }
      prev = NaN;
      continue;
    }
    prev = x;
    if (x >= 0 && x < SMALL && (x | 0) === x) {
      if (small[x] === 0) {
        small[x] = 1;
        distinct++;
      }
    } else {
      if (!Number.isInteger(x)) {
        throw new RangeError(`${source}: voxel ${v} holds ${String(x)}, expected an integer label (is this an image rather than a label map?)`);
      }
      // Negative labels: the thorough scan names every value and its voxel count.
      if (x < -1) assertLabelMap(data, { source });
      if (x > 2 ** 53) {
        throw new RangeError(`${source}: voxel ${v} holds ${String(x)}, expected a label in 0 … 2^53, or -1 for ignored voxels`);
      }
      if (!large.has(x)) {
        large.add(x);
        distinct++;
      }
    }
    if (distinct > maxLabels) {
      throw new RangeError(`${source}: label ${String(x)} (voxel ${v}) is distinct label number ${distinct}, over the limit of ${maxLabels} distinct labels`);
    }
  }
  const codes: number[] = [];
  for (let c = 0; c < SMALL; c++) if (small[c]) codes.push(c);
  codes.push(...[...large].sort((a, b) => a - b));
  const table = new Int32Array(SMALL).fill(-1);
  const map = new Map<number, number>();
  codes.forEach((c, i) => (c < SMALL ? (table[c] = i) : map.set(c, i)));
  const indexOf = (code: number): number => (code >= 0 && code < SMALL ? table[code] : (map.get(code) ?? -1));
  return { codes, indexOf, ignoredVoxels: ignored };
}
