import { labelRuns, type LabelRuns } from './labelRuns.js';
import { forwardOffsets } from './neighbourhood.js';

/**
 * Count ordered neighbour pairs (METHOD.md §1) of a run-length-encoded label map whose run labels are already
 * indices `0 … K−1` (−1 = ignored voxels, in no pair). The scan of `countPresentAdjacency`, written as one tight
 * loop per row pair instead of a visitor call per run-against-run segment: a 1 mm AAL brain has ~4 million such
 * segments over the 13 forward offsets of the 26-neighbourhood, and the call per segment was most of the counting.
 *
 * The offsets that compare the same two rows, `(−1, dj, dk)`, `(0, dj, dk)` and `(1, dj, dk)`, are counted by one
 * sweep: shifting row B by one voxel changes which label of B faces a voxel of A only at B's run boundaries, so the
 * ±1 counts are the aligned counts corrected there (and at the row ends, where a shifted pair leaves the grid):
 * for a boundary at `s` where B goes from label `b` to `b'`, offset +1 pairs A[s−1] with `b'` instead of `b`, and
 * offset −1 pairs A[s] with `b` instead of `b'`. Other offsets (6- and 18-neighbourhoods, radius > 1) get a sweep of
 * their own.
 *
 * @param runs - from `labelRuns`, with `runLabel` in `−1 … K−1`.
 * @param K - number of labels (rows of the result).
 * @param offsets - forward offsets `[di, dj, dk]`, one of each ± pair (`forwardOffsets` of `prior/neighbourhood.ts`).
 * @returns `K × K` row-major counts, symmetric: `counts[i·K + j]` ordered pairs (v, u) with label(v) = i and
 *   label(u) = j at one of `±offsets`; exact integers.
 * @throws RangeError when a run label lies outside `−1 … K−1`.
 */
export function countRunAdjacency(runs: LabelRuns, K: number, offsets: ReadonlyArray<readonly [number, number, number]>): Float64Array {
  assertRunLabels(runs, K);
  if (!primed) {
    primed = true;
    countGroups(PRIMER, 3, forwardOffsets({ connectivity: 26 }), new Float64Array(9));
    countGroups(PRIMER, 3, forwardOffsets({ connectivity: 6, radius: 2 }), new Float64Array(9));
  }
  // half[a·K + b]: pairs seen from their forward end; the result is half + halfᵀ.
  const half = new Float64Array(K * K);
  countGroups(runs, K, offsets, half);
  const counts = new Float64Array(K * K);
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < K; j++) counts[i * K + j] = half[i * K + j] + half[j * K + i];
  }
  return counts;
}

/**
 * A 5×3×3 map with label boundaries and ignored voxels, counted once before the first real map: V8 optimises the
 * loops below while they run over the first rows, which in a brain volume are background, so the optimised code
 * had never seen a label boundary and was thrown away at the first one (`--trace-deopt`), then recompiled. Counting
 * this map first (microseconds) takes every branch: the first AAL 1 mm count went from 46 to 32 ms of main-thread
 * CPU (median of 15 fresh processes).
 */
const PRIMER = labelRuns(Int16Array.from({ length: 45 }, (_, v) => [0, 0, 1, 2, -1, 2, 2, 0, 1][v % 9]), [5, 3, 3]);
let primed = false;

/** Adds to `half` the pairs of every offset, grouped by the pair of rows they compare. */
function countGroups(runs: LabelRuns, K: number, offsets: ReadonlyArray<readonly [number, number, number]>, half: Float64Array): void {
  const groups = new Map<string, { dj: number; dk: number; dis: number[] }>();
  for (const [di, dj, dk] of offsets) {
    const key = `${dj},${dk}`;
    const group = groups.get(key) ?? { dj, dk, dis: [] };
    group.dis.push(di);
    groups.set(key, group);
  }
  const [nx, ny, nz] = runs.dims;
  for (const { dj, dk, dis } of groups.values()) {
    // Row A = (j, k) runs over the rows whose neighbour B = (j + dj, k + dk) is in the grid.
    const rows = [Math.max(0, -dj), Math.min(ny, ny - dj), Math.max(0, -dk), Math.min(nz, nz - dk)] as const;
    if (dis.length === 3 && dis.includes(-1) && dis.includes(0) && dis.includes(1)) countThreeOffsets(runs.rowPtr, runs.runStart, runs.runLabel, nx, ny, half, K, dj, dk, ...rows);
    else {
      for (const di of dis) {
        if (di === 1 && dj === 0 && dk === 0) countNextVoxel(runs.rowPtr, runs.runStart, runs.runLabel, nx, ny * nz, half, K);
        else countOffset(runs.rowPtr, runs.runStart, runs.runLabel, nx, ny, half, K, di, dj, dk, ...rows);
      }
    }
  }
}

// The loops below are whole functions, each run once per offset group, rather than a sweep called per row pair:
// V8 then optimises each loop on its own (on-stack replacement) within the first rows, where a driver loop
// inlining per-row calls took 20–30 ms to compile in a single-exam process (`--trace-opt`). They take plain
// arguments, computed by the caller: an expression first met in the second group's call (such as −dj) sent the
// optimised code back to the interpreter.

function assertRunLabels(runs: LabelRuns, K: number): void {
  const { runLabel } = runs;
  for (let r = 0; r < runs.count; r++) {
    const l = runLabel[r];
    if (l < -1 || l >= K) throw new RangeError(`countRunAdjacency: run ${r} has label index ${l}, expected −1 … ${K - 1}`);
  }
}

/** Pairs (A[x], B[x + di]) for every pair of rows A = (j, k), B = (j + dj, k + dk) and x with both voxels in the grid. */
function countOffset(
  rowPtr: Int32Array,
  runStart: Int32Array,
  runLabel: Int32Array,
  nx: number,
  ny: number,
  half: Float64Array,
  K: number,
  di: number,
  dj: number,
  dk: number,
  jStart: number,
  jEnd: number,
  kStart: number,
  kEnd: number,
): void {
  const x0 = Math.max(0, -di);
  const x1 = Math.min(nx, nx - di);
  if (x1 <= x0) return;
  for (let k = kStart; k < kEnd; k++) {
    for (let j = jStart; j < jEnd; j++) {
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
        const a = runLabel[pa];
        const b = runLabel[pb];
        if (a >= 0 && b >= 0) half[a * K + b] += stop - x;
        x = stop;
        if (x === stopA) pa++;
        if (x === stopB) pb++;
      }
    }
  }
}

/**
 * Pairs (A[x], A[x + 1]) within every row, the offset (1, 0, 0): a run of `n` voxels holds `n − 1` of its own label
 * and each run boundary one of the two labels, so one pass over the runs counts it (`countOffset` compares a row
 * with itself segment by segment, twice the work, 8 of AAL's 46 ms of first counting).
 */
function countNextVoxel(rowPtr: Int32Array, runStart: Int32Array, runLabel: Int32Array, nx: number, rows: number, half: Float64Array, K: number): void {
  for (let row = 0; row < rows; row++) {
    const end = rowPtr[row + 1];
    for (let r = rowPtr[row]; r < end; r++) {
      const a = runLabel[r];
      if (a < 0) continue;
      if (r + 1 < end) {
        half[a * K + a] += runStart[r + 1] - runStart[r] - 1;
        const b = runLabel[r + 1];
        if (b >= 0) half[a * K + b] += 1;
      } else {
        half[a * K + a] += nx - runStart[r] - 1;
      }
    }
  }
}

/**
 * Pairs (A[x], B[x + di]) for di = −1, 0 and 1 at once (see {@link countRunAdjacency}): the aligned sweep counts
 * every segment three times, then each boundary of B and the two row ends correct the shifted offsets.
 */
function countThreeOffsets(
  rowPtr: Int32Array,
  runStart: Int32Array,
  runLabel: Int32Array,
  nx: number,
  ny: number,
  half: Float64Array,
  K: number,
  dj: number,
  dk: number,
  jStart: number,
  jEnd: number,
  kStart: number,
  kEnd: number,
): void {
  for (let k = kStart; k < kEnd; k++) {
    for (let j = jStart; j < jEnd; j++) {
      const rowA = j + k * ny;
      const rowB = j + dj + (k + dk) * ny;
      let pa = rowPtr[rowA];
      const endA = rowPtr[rowA + 1];
      let pb = rowPtr[rowB];
      const endB = rowPtr[rowB + 1];
      // Offset +1 has no pair at x = nx − 1, offset −1 none at x = 0.
      const aFirst = runLabel[pa];
      const bFirst = runLabel[pb];
      if (aFirst >= 0 && bFirst >= 0) half[aFirst * K + bFirst] -= 1;
      const aLast = runLabel[endA - 1];
      const bLast = runLabel[endB - 1];
      if (aLast >= 0 && bLast >= 0) half[aLast * K + bLast] -= 1;
      let x = 0;
      while (x < nx) {
        const stopA = pa + 1 < endA ? runStart[pa + 1] : nx;
        const stopB = pb + 1 < endB ? runStart[pb + 1] : nx;
        const stop = stopA < stopB ? stopA : stopB;
        const a = runLabel[pa];
        const b = runLabel[pb];
        if (a >= 0 && b >= 0) half[a * K + b] += 3 * (stop - x);
        x = stop;
        if (x === stopB && x < nx) {
          // B goes from b to b2 at x; A holds `a` at x − 1 and `a2` at x.
          const b2 = runLabel[pb + 1];
          const a2 = x === stopA ? runLabel[pa + 1] : a;
          if (a >= 0) {
            if (b2 >= 0) half[a * K + b2] += 1;
            if (b >= 0) half[a * K + b] -= 1;
          }
          if (a2 >= 0) {
            if (b >= 0) half[a2 * K + b] += 1;
            if (b2 >= 0) half[a2 * K + b2] -= 1;
          }
        }
        if (x === stopA) pa++;
        if (x === stopB) pb++;
      }
    }
  }
}
