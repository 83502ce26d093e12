import type { LabelRuns } from './labelRuns.js';

/**
 * Called for each maximal segment of voxel pairs `(v, v + offset)` along which both voxels stay in one run each:
 * voxels `v = rowA·nx + x` for `x0 ≤ x < x1` lie in run `runA`, and their neighbours `u = rowB·nx + x + di` in
 * run `runB`.
 */
export type RunPairVisitor = (runA: number, runB: number, x0: number, x1: number, rowA: number, rowB: number, di: number) => void;

/**
 * Visit every unordered neighbour pair of a label map once, grouped into run-against-run segments, for a list of
 * forward offsets (one of each ± pair, e.g. `forwardOffsets()` of `prior/neighbourhood.ts`). Nothing crosses the
 * grid border.
 *
 * @param runs - run-length encoding from `labelRuns`.
 * @param offsets - `[di, dj, dk]` voxel offsets.
 */
export function forEachRunPair(runs: LabelRuns, offsets: ReadonlyArray<readonly [number, number, number]>, visit: RunPairVisitor): void {
  const [nx, ny, nz] = runs.dims;
  const { rowPtr, runStart } = runs;
  for (const [di, dj, dk] of offsets) {
    const x0 = Math.max(0, -di);
    const x1 = Math.min(nx, nx - di);
    if (x1 <= x0) continue;
    for (let k = Math.max(0, -dk); k < Math.min(nz, nz - dk); k++) {
      for (let j = Math.max(0, -dj); j < Math.min(ny, ny - dj); j++) {
        const rowA = j + k * ny;
        const rowB = j + dj + (k + dk) * ny;
        let pa = rowPtr[rowA];
        const endA = rowPtr[rowA + 1];
        let pb = rowPtr[rowB];
        const endB = rowPtr[rowB + 1];
        while (pa + 1 < endA && runStart[pa + 1] <= x0) pa++;
        while (pb + 1 < endB && runStart[pb + 1] <= x0 + di) pb++;
        let x = x0;
        while (x < x1) {
          const stopA = pa + 1 < endA ? runStart[pa + 1] : nx;
          const stopB = (pb + 1 < endB ? runStart[pb + 1] : nx) - di;
          const stop = stopA < stopB ? (stopA < x1 ? stopA : x1) : stopB < x1 ? stopB : x1;
          visit(pa, pb, x, stop, rowA, rowB, di);
          x = stop;
          if (x === stopA) pa++;
          if (x === stopB) pb++;
        }
      }
    }
  }
}
