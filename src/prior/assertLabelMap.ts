import type { VoxelArray } from '../volume/Volume.js';

/** What {@link assertLabelMap} found in a label map. */
export interface LabelMapStats {
  /** Smallest label other than −1 (or −1 if every voxel is ignored). */
  min: number;
  /** Largest label (−1 if every voxel is ignored). */
  max: number;
  /** Number of voxels carrying −1 ("ignored structure"). */
  ignoredVoxels: number;
}

/** Options of {@link assertLabelMap}. */
export interface AssertLabelMapOptions {
  /** Labels must lie in `[0, numLabels)` (or be −1); omit to accept any non-negative integer. */
  numLabels?: number;
  /** File name (or other origin) named in error messages. */
  source?: string;
}

/**
 * Check that `data` is a label map as METHOD.md §1 defines it: integer values in `[0, numLabels)`,
 * with −1 meaning "ignored structure". Returns the label range.
 *
 * @param data - voxel labels, any layout (only values are checked).
 * @throws RangeError for a NaN or non-integer value (naming the first bad voxel index and value), or for
 *   labels outside the range, naming each offending value and how many voxels carry it.
 */
export function assertLabelMap(data: VoxelArray | ArrayLike<number>, options: AssertLabelMapOptions = {}): LabelMapStats {
  const source = options.source ?? 'label map';
  const n = data.length;
  let min = Infinity;
  let max = -Infinity;
  let ignored = 0;
  let negative = false;
  const integerTyped = !(data instanceof Float32Array || data instanceof Float64Array) && ArrayBuffer.isView(data);
  for (let v = 0; v < n; v++) {
    const x = data[v];
    if (!integerTyped && !Number.isInteger(x)) {
      throw new RangeError(
        `${source}: voxel ${v} holds ${String(x)}, expected an integer label (is this an image rather than a label map?)`,
      );
    }
    if (x === -1) {
      ignored++;
      continue;
    }
    if (x < min) min = x;
    if (x > max) max = x;
    if (x < 0) negative = true;
  }
  if (min === Infinity) return { min: -1, max: -1, ignoredVoxels: ignored };
  const limit = options.numLabels;
  if (negative || (limit !== undefined && max >= limit)) {
    // Only on the error path: count the voxels of each offending value so the message can say how many.
    const bad = new Map<number, number>();
    for (let v = 0; v < n; v++) {
      const x = data[v];
      if (x !== -1 && (x < 0 || (limit !== undefined && x >= limit))) bad.set(x, (bad.get(x) ?? 0) + 1);
    }
    const list = [...bad.entries()]
      .sort((a, b) => a[0] - b[0])
      .slice(0, 10)
      .map(([value, count]) => `${value} (${count} voxel${count === 1 ? '' : 's'})`)
      .join(', ');
    const expected = limit === undefined ? 'labels ≥ 0' : `labels in 0..${limit - 1} (nb_labels = ${limit})`;
    throw new RangeError(`${source}: unexpected label${bad.size === 1 ? '' : 's'} ${list}${bad.size > 10 ? ', …' : ''}; expected ${expected}, or -1 for ignored voxels`);
  }
  return { min, max, ignoredVoxels: ignored };
}
