import { neighbourOffsets, type NeighbourhoodOptions } from '../prior/neighbourhood.js';
import type { LabelRuns } from '../prior/labelRuns.js';

/**
 * Number of labelled voxels whose every in-grid neighbour carries the same label: the denominator of the
 * reference's `m2` (METHOD.md §7; its "contour" estimator counts voxels whose 3×3×3 window, zero-padded at the
 * border, holds no other label). Neighbours outside the grid do not count against a voxel, as with zero padding;
 * a neighbour labelled −1 does (the reference has no ignored label), and −1 voxels are never counted.
 *
 * Works on runs: for every row offset `(dj, dk)` of the neighbourhood, a voxel at x needs the neighbour row to
 * carry its label on `[x − m, x + m]` (m = the largest |di| the neighbourhood allows with that row offset), so the
 * interior of a row is an intersection of shrunken runs, label by label.
 *
 * @param runs - `labelRuns` of the label map (labels as encoded there; −1 = ignored).
 * @param neighbourhood - connectivity and radius, as for the adjacency counts.
 * @returns a voxel count.
 */
export function countInteriorVoxels(runs: LabelRuns, neighbourhood: NeighbourhoodOptions = {}): number {
  const [nx, ny, nz] = runs.dims;
  const { rowPtr, runStart, runLabel } = runs;
  const reach = new Map<string, [number, number, number]>();
  for (const [di, dj, dk] of neighbourOffsets(neighbourhood)) {
    const key = `${dj},${dk}`;
    const m = Math.abs(di);
    const old = reach.get(key);
    if (!old || old[2] < m) reach.set(key, [dj, dk, m]);
  }
  const self = reach.get('0,0');
  const m0 = self ? self[2] : 0;
  const others = [...reach.values()].filter(([dj, dk]) => dj !== 0 || dk !== 0);

  // Current interval list (start, end, label) and the next one, as flat buffers.
  let cur = new Int32Array(3 * (nx + 1));
  let next = new Int32Array(3 * (nx + 1));
  let total = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      const row = j + k * ny;
      let nc = 0;
      const endR = rowPtr[row + 1];
      for (let r = rowPtr[row]; r < endR; r++) {
        const l = runLabel[r];
        if (l < 0) continue;
        const s = runStart[r];
        const e = r + 1 < endR ? runStart[r + 1] : nx;
        const s2 = s === 0 ? 0 : s + m0;
        const e2 = e === nx ? nx : e - m0;
        if (s2 < e2) {
          cur[3 * nc] = s2;
          cur[3 * nc + 1] = e2;
          cur[3 * nc + 2] = l;
          nc++;
        }
      }
      for (let o = 0; o < others.length && nc > 0; o++) {
        const [dj, dk, m] = others[o];
        const j2 = j + dj;
        const k2 = k + dk;
        if (j2 < 0 || j2 >= ny || k2 < 0 || k2 >= nz) continue;
        const row2 = j2 + k2 * ny;
        const end2 = rowPtr[row2 + 1];
        let p = 0;
        let q = rowPtr[row2];
        let nn = 0;
        while (p < nc && q < end2) {
          const s = runStart[q];
          const e = q + 1 < end2 ? runStart[q + 1] : nx;
          const qs = s === 0 ? 0 : s + m;
          const qe = e === nx ? nx : e - m;
          const ps = cur[3 * p];
          const pe = cur[3 * p + 1];
          const lo = ps > qs ? ps : qs;
          const hi = pe < qe ? pe : qe;
          if (lo < hi && cur[3 * p + 2] === runLabel[q]) {
            next[3 * nn] = lo;
            next[3 * nn + 1] = hi;
            next[3 * nn + 2] = cur[3 * p + 2];
            nn++;
          }
          // Runs tile the row, so a candidate ending by the end of run q meets no later run, and vice versa.
          if (pe <= e) p++;
          else q++;
        }
        const t = cur;
        cur = next;
        next = t;
        nc = nn;
      }
      for (let p = 0; p < nc; p++) total += cur[3 * p + 1] - cur[3 * p];
    }
  }
  return total;
}
