/**
 * The sparse NonAdjLoss kernel (METHOD.md §3) in plain JS, and its helpers.
 *
 * Performance notes, measured on Node 20 (V8 11.3) while writing this (bench/loss.bench.ts has the end-to-end
 * figures):
 * - Every access to a typed array passed as an argument reloads its map, length and data pointers in TurboFan's
 *   code: the interrupt check on each loop back edge stops them being hoisted. Work memory is therefore plain JS
 *   arrays of doubles (`PACKED_DOUBLE_ELEMENTS`: one pointer and a length), which made the kernel ~30 % faster;
 *   only the input and the gradient stay typed arrays (they are the tensors' memory).
 * - For the same reason the per-channel loops are unrolled by 4: the per-access overhead is paid once per 4 values
 *   where V8 can share it (the final pass got 40 % faster).
 * - `R = G·Q` runs over 8 pixel lanes at a time (JS has no SIMD; 8 independent accumulators are the next best
 *   thing; 12 or 16 lanes spill registers and were slower).
 *
 * Every function here is self-contained (no imports, no closures, calls only the others listed in
 * {@link SPARSE_KERNEL_SOURCES}): their source is what a worker thread runs.
 */

/**
 * Per-thread work memory of {@link sparseNonAdjacencyKernel}, made by {@link makeSparseScratch} for a row width
 * `W` and `C` classes; every array is overwritten by each job.
 */
export interface SparseScratch {
  W: number;
  C: number;
  /** The 3 (2D) or 9 (3D) input rows around the current one, summed: one row, channels-last `[W][C]`. */
  rowSum: number[];
  /** 3D only: depth sums of 3 consecutive rows (row h lives in slot h mod 3), each `[W][C]`. */
  ring: number[];
  /** Box sums `9·Q` or `27·Q` of one block of pixels, channels-first `[C][SPARSE_BLOCK]`. */
  q: number[];
  /** Per-pixel sums over the classes of `q`, `[SPARSE_BLOCK]`. */
  qSum: number[];
  /** `G·q` of the block, channels-last `[SPARSE_BLOCK][C]`. */
  r: number[];
  /** Offsets of the rows being summed. */
  offsets: Int32Array;
}

/**
 * Arguments of {@link sparseNonAdjacencyKernel}: one job = one batch item, all depth planes, rows `[h0, h1)`.
 * Plain data only (typed arrays and numbers) apart from `scratch`, so a job can be handed to a worker thread.
 */
export interface SparseNonAdjacencyJob {
  /** Probabilities, channels-last `[B, D, H, W, C]` row-major (D = 1 for 2D input), float32. Read only. */
  probs: Float32Array;
  /** Gradient output, same layout as `probs`; only rows `[h0, h1)` of item `b` are written. Null: no gradient. */
  grad: Float32Array | null;
  /** Grid `[B, D, H, W, C]`. */
  dims: readonly [number, number, number, number, number];
  /** 3 for the 3×3×3 window (3D, divisor 27), 1 for the 3×3 window (2D, divisor 9). */
  depthWindow: 1 | 3;
  /**
   * Allowed pairs G (symmetric), CSR with the columns premultiplied: the columns j of row i are
   * `colOffsets[k] / SPARSE_BLOCK` for k in `rowPtr[i] .. rowPtr[i+1]` (see {@link sparseCsr}). Plain arrays, like
   * the work memory, for the cheaper element access.
   */
  rowPtr: readonly number[];
  colOffsets: readonly number[];
  /** Factor s of the gradient, `2λ / (nForbidden · pixels)` (see `makeNonAdjacencyLoss`). */
  gradScale: number;
  /**
   * Which gradient to write, with `R = G·Q` and `s` = gradScale:
   * - `'exact'`: w.r.t. P, `s · (Σ_j Q_j − R_k)`;
   * - `'softmax'`: w.r.t. P minus the first term, which is the same for every class at a pixel and so vanishes
   *   through a softmax (only right for inputs summing to one over the classes);
   * - `'logits'`: w.r.t. the logits z of `P = softmax(z)`, `−s · P_k · (R_k − Σ_i P_i R_i)` (derivation in
   *   `makeNonAdjacencyLoss`).
   */
  gradient: 'exact' | 'softmax' | 'logits';
  /** Batch item and row range of this job. */
  b: number;
  h0: number;
  h1: number;
  /** Work memory of this thread, made by {@link makeSparseScratch} for this `W` and `C`. */
  scratch: SparseScratch;
}

/** Pixels per block along W: the block's box sums are transposed to channels-first so that G·Q runs on pixel lanes. */
export const SPARSE_BLOCK = 64;

/** A JS array of `n` doubles, built by push so that V8 keeps it PACKED_DOUBLE_ELEMENTS (`Array(n)` is holey). */
export function doubleArray(n: number): number[] {
  const a: number[] = [];
  for (let i = 0; i < n; i++) a.push(0.5);
  return a;
}

/** The CSR arrays of {@link SparseNonAdjacencyJob} from a plain CSR (`cols[k]` = column index). */
export function sparseCsr(rowPtr: ArrayLike<number>, cols: ArrayLike<number>): { rowPtr: number[]; colOffsets: number[] } {
  return { rowPtr: Array.from(rowPtr), colOffsets: Array.from(cols, (j) => j * SPARSE_BLOCK) };
}

/** Work memory for rows of width `W` with `C` classes (see {@link SparseScratch}). */
export function makeSparseScratch(W: number, C: number): SparseScratch {
  const T = 64; // = SPARSE_BLOCK (repeated: these functions must not refer to anything outside the listed sources)
  const doubles = doubleArray;
  return {
    W,
    C,
    rowSum: doubles(W * C),
    ring: doubles(3 * W * C),
    q: doubles(C * T),
    qSum: doubles(T),
    r: doubles(T * C),
    offsets: new Int32Array(3),
  };
}

/** `dst[dOff + i] = Σ_{j<n} src[offsets[j] + i]` for i < len, n ∈ {1, 2, 3}; float32 in, float64 sums out. */
export function sumRowsF32(src: Float32Array, offsets: Int32Array, n: number, dst: number[], dOff: number, len: number): void {
  const a = offsets[0];
  const b = n > 1 ? offsets[1] : offsets[0];
  const c = n > 2 ? offsets[2] : offsets[0];
  const len4 = len - (len % 4);
  let i = 0;
  if (n === 3) {
    for (; i < len4; i += 4) {
      dst[dOff + i] = src[a + i] + src[b + i] + src[c + i];
      dst[dOff + i + 1] = src[a + i + 1] + src[b + i + 1] + src[c + i + 1];
      dst[dOff + i + 2] = src[a + i + 2] + src[b + i + 2] + src[c + i + 2];
      dst[dOff + i + 3] = src[a + i + 3] + src[b + i + 3] + src[c + i + 3];
    }
    for (; i < len; i++) dst[dOff + i] = src[a + i] + src[b + i] + src[c + i];
  } else if (n === 2) {
    for (; i < len4; i += 4) {
      dst[dOff + i] = src[a + i] + src[b + i];
      dst[dOff + i + 1] = src[a + i + 1] + src[b + i + 1];
      dst[dOff + i + 2] = src[a + i + 2] + src[b + i + 2];
      dst[dOff + i + 3] = src[a + i + 3] + src[b + i + 3];
    }
    for (; i < len; i++) dst[dOff + i] = src[a + i] + src[b + i];
  } else {
    for (; i < len; i++) dst[dOff + i] = src[a + i];
  }
}

/** As {@link sumRowsF32}, from float64 rows (the 3D ring) into `dst[0 .. len)`. */
export function sumRowsF64(src: number[], offsets: Int32Array, n: number, dst: number[], len: number): void {
  const a = offsets[0];
  const b = n > 1 ? offsets[1] : offsets[0];
  const c = n > 2 ? offsets[2] : offsets[0];
  const len4 = len - (len % 4);
  let i = 0;
  if (n === 3) {
    for (; i < len4; i += 4) {
      dst[i] = src[a + i] + src[b + i] + src[c + i];
      dst[i + 1] = src[a + i + 1] + src[b + i + 1] + src[c + i + 1];
      dst[i + 2] = src[a + i + 2] + src[b + i + 2] + src[c + i + 2];
      dst[i + 3] = src[a + i + 3] + src[b + i + 3] + src[c + i + 3];
    }
    for (; i < len; i++) dst[i] = src[a + i] + src[b + i] + src[c + i];
  } else if (n === 2) {
    for (; i < len4; i += 4) {
      dst[i] = src[a + i] + src[b + i];
      dst[i + 1] = src[a + i + 1] + src[b + i + 1];
      dst[i + 2] = src[a + i + 2] + src[b + i + 2];
      dst[i + 3] = src[a + i + 3] + src[b + i + 3];
    }
    for (; i < len; i++) dst[i] = src[a + i] + src[b + i];
  } else {
    for (; i < len; i++) dst[i] = src[a + i];
  }
}

/**
 * Horizontal 3-sums of the summed row `v` (`[W][C]`) for pixels `w0 .. w0+tb`, transposed into `q` (`[C][T]`), with
 * their per-pixel class sums in `qSum`. Lanes `tb .. lanes` are zeroed so that `G·Q` can run on whole groups of 8.
 */
export function boxBlock(v: number[], W: number, C: number, w0: number, tb: number, lanes: number, q: number[], qSum: number[]): void {
  const T = 64; // = SPARSE_BLOCK
  const C4 = C - (C % 4);
  for (let t = 0; t < tb; t++) {
    const w = w0 + t;
    const m = w * C;
    // Zero padding: a missing neighbour column contributes nothing; pointing it at a zero-weight copy of the centre
    // would cost a multiply, so the three cases are spelled out.
    const l = w > 0 ? m - C : -1;
    const r = w < W - 1 ? m + C : -1;
    let s = 0;
    let c = 0;
    if (l >= 0 && r >= 0) {
      for (; c < C4; c += 4) {
        const x0 = v[l + c] + v[m + c] + v[r + c];
        const x1 = v[l + c + 1] + v[m + c + 1] + v[r + c + 1];
        const x2 = v[l + c + 2] + v[m + c + 2] + v[r + c + 2];
        const x3 = v[l + c + 3] + v[m + c + 3] + v[r + c + 3];
        const o = c * T + t;
        q[o] = x0;
        q[o + T] = x1;
        q[o + 2 * T] = x2;
        q[o + 3 * T] = x3;
        s += x0 + x1 + x2 + x3;
      }
      for (; c < C; c++) {
        const x = v[l + c] + v[m + c] + v[r + c];
        q[c * T + t] = x;
        s += x;
      }
    } else if (l >= 0 || r >= 0) {
      const o = l >= 0 ? l : r;
      for (; c < C; c++) {
        const x = v[o + c] + v[m + c];
        q[c * T + t] = x;
        s += x;
      }
    } else {
      for (; c < C; c++) {
        const x = v[m + c];
        q[c * T + t] = x;
        s += x;
      }
    }
    qSum[t] = s;
  }
  for (let t = tb; t < lanes; t++) for (let c = 0; c < C; c++) q[c * T + t] = 0;
}

/** `r[t][i] = Σ_{j allowed with i} q[j][t]` for t < lanes (a multiple of 8): G is 0/1, so a sum of gathered rows. */
export function gatherRows(q: number[], r: number[], lanes: number, rowPtr: readonly number[], colOffsets: readonly number[], C: number): void {
  for (let i = 0; i < C; i++) {
    const k0 = rowPtr[i];
    const k1 = rowPtr[i + 1];
    for (let t = 0; t < lanes; t += 8) {
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
      for (let k = k0; k < k1; k++) {
        const qo = colOffsets[k] + t;
        a0 += q[qo];
        a1 += q[qo + 1];
        a2 += q[qo + 2];
        a3 += q[qo + 3];
        a4 += q[qo + 4];
        a5 += q[qo + 5];
        a6 += q[qo + 6];
        a7 += q[qo + 7];
      }
      // Written back channels-last (8 strided stores per ~10 gathers) so that the final pass reads it in order.
      const o = t * C + i;
      r[o] = a0;
      r[o + C] = a1;
      r[o + 2 * C] = a2;
      r[o + 3 * C] = a3;
      r[o + 4 * C] = a4;
      r[o + 5 * C] = a5;
      r[o + 6 * C] = a6;
      r[o + 7 * C] = a7;
    }
  }
}

/**
 * Forward term `Σ_t [(Σ_c P_c)(Σ_c q_c) − Pᵀ r]` of a block (float64, not yet divided by 9 or 27) and, when `grad` is
 * given, its gradient (see {@link SparseNonAdjacencyJob.gradient}; `mode` 0 = softmax, 1 = exact, 2 = logits;
 * `scale` = gradScale / 9 or / 27 since `q` and `r` are box sums, not means).
 */
export function finishBlock(
  probs: Float32Array,
  grad: Float32Array | null,
  po0: number,
  C: number,
  tb: number,
  r: number[],
  qSum: number[],
  mode: number,
  scale: number,
): number {
  const C4 = C - (C % 4);
  let total = 0;
  for (let t = 0; t < tb; t++) {
    const po = po0 + t * C;
    const ro = t * C;
    let sp = 0;
    let pr = 0;
    let c = 0;
    for (; c < C4; c += 4) {
      const p0 = probs[po + c];
      const p1 = probs[po + c + 1];
      const p2 = probs[po + c + 2];
      const p3 = probs[po + c + 3];
      sp += p0 + p1 + p2 + p3;
      pr += p0 * r[ro + c] + p1 * r[ro + c + 1] + p2 * r[ro + c + 2] + p3 * r[ro + c + 3];
    }
    for (; c < C; c++) {
      const p = probs[po + c];
      sp += p;
      pr += p * r[ro + c];
    }
    // Per pixel first, then summed: both terms are about the same size when little mass is forbidden.
    total += sp * qSum[t] - pr;
    if (grad === null) continue;
    if (mode === 2) {
      const f = -scale;
      for (c = 0; c < C4; c += 4) {
        const o = po + c;
        grad[o] = f * probs[o] * (r[ro + c] - pr);
        grad[o + 1] = f * probs[o + 1] * (r[ro + c + 1] - pr);
        grad[o + 2] = f * probs[o + 2] * (r[ro + c + 2] - pr);
        grad[o + 3] = f * probs[o + 3] * (r[ro + c + 3] - pr);
      }
      for (; c < C; c++) grad[po + c] = f * probs[po + c] * (r[ro + c] - pr);
    } else {
      const shift = mode === 1 ? scale * qSum[t] : 0;
      for (c = 0; c < C4; c += 4) {
        const o = po + c;
        grad[o] = shift - scale * r[ro + c];
        grad[o + 1] = shift - scale * r[ro + c + 1];
        grad[o + 2] = shift - scale * r[ro + c + 2];
        grad[o + 3] = shift - scale * r[ro + c + 3];
      }
      for (; c < C; c++) grad[po + c] = shift - scale * r[ro + c];
    }
  }
  return total;
}

/**
 * Sparse NonAdjLoss kernel (METHOD.md §3) over one job: returns this job's
 * `Σ_x [ (Σ_i P_i(x)) (Σ_j Q_j(x)) − P(x)ᵀ G Q(x) ]` accumulated in float64 — `N·(ΣA − Σ G⊙A)` restricted to
 * the job's pixels, i.e. `N · Σ F⊙A` — and, when `grad` is given, writes the gradient of the loss.
 *
 * `Q` is the box mean (3×3 or 3×3×3 incl. the centre, zero padding, divisor 9 or 27), built separably per output
 * row: depth sums (3D, a ring of 3 rows), then the 3-row sum, then the horizontal 3-sum while transposing a block
 * of 64 pixels to channels-first. Everything after the float32 input is float64, so `Σ_j Q_j` and `G·Q` come from
 * the same numbers and their difference has no cancellation error beyond float64 rounding. The result is NaN
 * whenever the input holds a NaN or ±∞.
 */
export function sparseNonAdjacencyKernel(job: SparseNonAdjacencyJob): number {
  const { probs, grad, dims, depthWindow, rowPtr, colOffsets, b, h0, h1, scratch } = job;
  const D = dims[1];
  const H = dims[2];
  const W = dims[3];
  const C = dims[4];
  const T = 64; // = SPARSE_BLOCK
  const WC = W * C;
  const { rowSum, ring, q, qSum, r, offsets } = scratch;
  const inv = 1 / (depthWindow === 3 ? 27 : 9);
  const scale = job.gradScale * inv;
  const mode = job.gradient === 'logits' ? 2 : job.gradient === 'exact' ? 1 : 0;
  let total = 0;
  for (let d = 0; d < D; d++) {
    // 3D: the ring holds depth sums of rows ringNext−3 .. ringNext−1 (those of this d and job only).
    let ringNext = h0 - 1;
    for (let h = h0; h < h1; h++) {
      const lo = Math.max(0, h - 1);
      const hi = Math.min(H - 1, h + 1);
      if (depthWindow === 1) {
        let n = 0;
        for (let hh = lo; hh <= hi; hh++) offsets[n++] = ((b * D + d) * H + hh) * WC;
        sumRowsF32(probs, offsets, n, rowSum, 0, WC);
      } else {
        for (ringNext = Math.max(ringNext, lo); ringNext <= hi; ringNext++) {
          let n = 0;
          for (let pd = Math.max(0, d - 1); pd <= Math.min(D - 1, d + 1); pd++) offsets[n++] = ((b * D + pd) * H + ringNext) * WC;
          sumRowsF32(probs, offsets, n, ring, (ringNext % 3) * WC, WC);
        }
        let n = 0;
        for (let hh = lo; hh <= hi; hh++) offsets[n++] = (hh % 3) * WC;
        sumRowsF64(ring, offsets, n, rowSum, WC);
      }
      for (let w0 = 0; w0 < W; w0 += T) {
        const tb = Math.min(T, W - w0);
        const lanes = (tb + 7) & ~7;
        boxBlock(rowSum, W, C, w0, tb, lanes, q, qSum);
        gatherRows(q, r, lanes, rowPtr, colOffsets, C);
        total += finishBlock(probs, grad, ((b * D + d) * H + h) * WC + w0 * C, C, tb, r, qSum, mode, scale);
      }
    }
  }
  return total * inv;
}

/** The functions a worker thread needs, in an order where each is defined before the kernel runs. */
export const SPARSE_KERNEL_SOURCES: ReadonlyArray<(...args: never[]) => unknown> = [
  doubleArray,
  makeSparseScratch,
  sumRowsF32,
  sumRowsF64,
  boxBlock,
  gatherRows,
  finishBlock,
  sparseNonAdjacencyKernel,
];
