import { neighbourOffsets, type Connectivity } from '../prior/neighbourhood.js';
import type { LabelRuns } from '../prior/labelRuns.js';

/** Connected components of a run-length encoded label map. */
export interface RunComponents {
  /** Number of components. */
  count: number;
  /** Component of each run (−1 for runs of ignored voxels), components numbered in order of first voxel. */
  componentOfRun: Int32Array;
  /** Encoded label of each component. */
  labelOf: Int32Array;
  /** Voxels in each component. */
  sizeOf: Float64Array;
}

/**
 * Connected components of every label at once, on runs: two runs on neighbouring rows join when they carry the
 * same label and some voxel of one is a neighbour of some voxel of the other. Union–find over runs, so the cost
 * grows with the number of runs, not voxels.
 *
 * @param runs - `labelRuns` output (−1 = ignored voxels, in no component).
 * @param connectivity - 6, 18 or 26 (radius 1).
 */
export function runComponents(runs: LabelRuns, connectivity: Connectivity = 26): RunComponents {
  const [nx, ny, nz] = runs.dims;
  const { rowPtr, runStart, runLabel, count: nRuns } = runs;
  // Forward row offsets (dj, dk) with how far along x a neighbour may be (m = 1: diagonal contact allowed).
  const rowReach = new Map<string, [number, number, number]>();
  for (const [di, dj, dk] of neighbourOffsets({ connectivity, radius: 1 })) {
    if (!(dk > 0 || (dk === 0 && dj > 0))) continue;
    const key = `${dj},${dk}`;
    const old = rowReach.get(key);
    if (!old || old[2] < Math.abs(di)) rowReach.set(key, [dj, dk, Math.abs(di)]);
  }
  const parent = new Int32Array(nRuns);
  for (let r = 0; r < nRuns; r++) parent[r] = r;
  const find = (r: number): number => {
    while (parent[r] !== r) {
      parent[r] = parent[parent[r]];
      r = parent[r];
    }
    return r;
  };
  const join = (a: number, b: number) => {
    if (runLabel[a] !== runLabel[b] || runLabel[a] < 0) return;
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) {
      if (ra < rb) parent[rb] = ra;
      else parent[ra] = rb;
    }
  };
  const endOf = (r: number, end: number) => (r + 1 < end ? runStart[r + 1] : nx);
  for (const [dj, dk, m] of rowReach.values()) {
    for (let k = 0; k + dk < nz; k++) {
      for (let j = Math.max(0, -dj); j < ny && j + dj < ny; j++) {
        const rowA = j + k * ny;
        const rowB = j + dj + (k + dk) * ny;
        let pa = rowPtr[rowA];
        const endA = rowPtr[rowA + 1];
        let pb = rowPtr[rowB];
        const endB = rowPtr[rowB + 1];
        while (pa < endA && pb < endB) {
          const ea = endOf(pa, endA);
          const eb = endOf(pb, endB);
          if (runStart[pa] < eb + m && runStart[pb] < ea + m) join(pa, pb);
          if (ea < eb) pa++;
          else if (eb < ea) pb++;
          else {
            // Both end at the same x: with diagonal reach each also touches the other's successor.
            if (m > 0) {
              if (pb + 1 < endB) join(pa, pb + 1);
              if (pa + 1 < endA) join(pa + 1, pb);
            }
            pa++;
            pb++;
          }
        }
      }
    }
  }
  const componentOfRun = new Int32Array(nRuns).fill(-1);
  const labels: number[] = [];
  const sizes: number[] = [];
  const idOfRoot = new Int32Array(nRuns).fill(-1);
  for (let row = 0; row < ny * nz; row++) {
    const end = rowPtr[row + 1];
    for (let r = rowPtr[row]; r < end; r++) {
      if (runLabel[r] < 0) continue;
      const root = find(r);
      let id = idOfRoot[root];
      if (id < 0) {
        id = idOfRoot[root] = labels.length;
        labels.push(runLabel[r]);
        sizes.push(0);
      }
      componentOfRun[r] = id;
      sizes[id] += endOf(r, end) - runStart[r];
    }
  }
  return { count: labels.length, componentOfRun, labelOf: Int32Array.from(labels), sizeOf: Float64Array.from(sizes) };
}
