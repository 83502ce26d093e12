/** Options of {@link patchGrid}. */
export interface PatchGridOptions {
  /** Patch size `[sx, sy, sz]` in voxels. */
  size: readonly [number, number, number];
  /** Overlap between neighbouring patches in voxels, one for all axes or per axis; must be below the size. @default 0 */
  overlap?: number | readonly [number, number, number];
}

/**
 * Origins of a sliding window covering a volume, for patch-wise (3D) inference: along each axis patches start
 * every `size − overlap` voxels, and the last one is moved back to end exactly at the border (so no patch sticks
 * out unless the volume is smaller than a patch, in which case a single origin 0 is used and the patch is padded).
 * Every voxel is covered at least once; neighbours overlap by at least `overlap` voxels.
 *
 * @param dims - `[nx, ny, nz]` in voxels.
 * @returns origins `[i, j, k]`, x varying fastest.
 * @throws RangeError when a size is not a positive integer or an overlap is not an integer in `[0, size)`.
 * @example
 * patchGrid([10, 4, 4], { size: [4, 4, 4], overlap: 1 }); // x origins 0, 3, 6 (last patch covers 6..9)
 */
export function patchGrid(dims: readonly [number, number, number], options: PatchGridOptions): Array<[number, number, number]> {
  const { size } = options;
  const overlap = typeof (options.overlap ?? 0) === 'number'
    ? [0, 1, 2].map(() => (options.overlap ?? 0) as number)
    : [...(options.overlap as readonly number[])];
  const starts = [0, 1, 2].map((a) => {
    const s = size[a], o = overlap[a], n = dims[a];
    if (!Number.isInteger(s) || s < 1) throw new RangeError(`patchGrid: size ${JSON.stringify(size)}, expected positive integers`);
    if (!Number.isInteger(o) || o < 0 || o >= s) {
      throw new RangeError(`patchGrid: overlap ${o} along axis ${a}, expected an integer in 0..${s - 1} (below the patch size ${s})`);
    }
    if (n <= s) return [0];
    const list: number[] = [];
    for (let x = 0; x + s < n; x += s - o) list.push(x);
    list.push(n - s);
    return list;
  });
  const out: Array<[number, number, number]> = [];
  for (const k of starts[2]) for (const j of starts[1]) for (const i of starts[0]) out.push([i, j, k]);
  return out;
}
