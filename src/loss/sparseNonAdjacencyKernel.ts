/**
 * Arguments of {@link sparseNonAdjacencyKernel}: one job = one batch item, all depth planes, rows `[h0, h1)`.
 * Plain data only (typed arrays and numbers), so a job can be handed to a worker thread.
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
  /** Allowed pairs G (symmetric), CSR: columns of row i are `cols[rowPtr[i] .. rowPtr[i+1])`. */
  rowPtr: Int32Array;
  cols: Int32Array;
  /** Factor of the gradient, `2λ / (nForbidden · pixels)` (see `makeNonAdjacencyLoss`). */
  gradScale: number;
  /**
   * `'exact'`: ∂/∂P_k = gradScale · (Σ_j Q_j − (G·Q)_k). `'softmax'`: drops the first term, which is the same for
   * every class at a pixel and so vanishes through a softmax (only right for inputs summing to one over classes).
   */
  gradient: 'exact' | 'softmax';
  /** Batch item and row range of this job. */
  b: number;
  h0: number;
  h1: number;
  /** Work memory, at least {@link sparseNonAdjacencyScratchLength}`(W, C, h1 − h0)` values each; overwritten. */
  scratch32: Float32Array;
  scratch64: Float64Array;
}

/** Pixels per block along W: the block's class vectors are transposed to channels-first so that G·Q runs over
 * contiguous pixel lanes in registers (JS has no SIMD; 8 independent accumulators are the next best thing). */
export const SPARSE_BLOCK = 64;

/** Work memory one job of `rows` rows needs, as float32 and float64 element counts. */
export function sparseNonAdjacencyScratchLength(W: number, C: number, rows: number): { f32: number; f64: number } {
  // float32: 3 box-summed plane slots + a ring of 3 horizontally summed rows + the Q block;
  // float64: the G·Q block and the per-pixel class sums of Q.
  return { f32: 3 * rows * W * C + 3 * W * C + C * SPARSE_BLOCK, f64: C * SPARSE_BLOCK + SPARSE_BLOCK };
}

/**
 * Sparse NonAdjLoss kernel (METHOD.md §3) over one job, in plain JS: returns this job's
 * `Σ_x [ (Σ_i P_i(x)) (Σ_j Q_j(x)) − P(x)ᵀ G Q(x) ]` accumulated in float64 — `N·(ΣA − Σ G⊙A)` restricted to
 * the job's pixels, i.e. `N · Σ F⊙A` — and, when `grad` is given, writes the gradient of the loss w.r.t. P.
 *
 * `Q` is the box mean (3×3 or 3×3×3 incl. the centre, zero padding, divisor 9 or 27), built with separable
 * running sums (W, then H, then D over three rolling planes). It is NaN whenever the input holds a NaN or ±∞.
 *
 * Self-contained on purpose (no imports, no closures, no inner functions): its source is what a worker runs.
 */
export function sparseNonAdjacencyKernel(job: SparseNonAdjacencyJob): number {
  const { probs, grad, dims, depthWindow, rowPtr, cols, gradScale, b, h0, h1, scratch32: f32, scratch64: f64 } = job;
  const D = dims[1];
  const H = dims[2];
  const W = dims[3];
  const C = dims[4];
  const T = 64; // = SPARSE_BLOCK (repeated: this function must not refer to anything outside itself)
  const exact = job.gradient === 'exact';
  const rows = h1 - h0;
  const WC = W * C;
  const planeLen = rows * WC;
  const inv = 1 / (depthWindow === 3 ? 27 : 9);
  // float32 work memory: slots 0..2 = box-summed planes (rows h0..h1 only), then the ring of horizontal row sums,
  // then the channels-first Q block [C][T]. Rounding Q to float32 perturbs the input only: the forward difference
  // below is computed from the same rounded Q in float64, so there is no cancellation error from it.
  const ringOff = 3 * planeLen;
  const qOff = ringOff + 3 * WC;
  // float64 work memory: the G·Q block [C][T], then Σ_j Q_j per pixel.
  const sqOff = C * T;
  let total = 0;

  for (let d = 0; d < D; d++) {
    // Plane p lives in slot p mod 3; compute the planes not there yet (d+1, or d−1..d+1 at the start).
    const first = depthWindow === 3 ? (d === 0 ? 0 : d + 1) : d;
    const last = depthWindow === 3 ? Math.min(d + 1, D - 1) : d;
    for (let pd = first; pd <= last; pd++) {
      const slot = (pd % 3) * planeLen;
      const planeBase = (b * D + pd) * H * WC;
      for (let hr = h0 - 1; hr <= h1; hr++) {
        const dst = ringOff + ((hr + 3) % 3) * WC;
        if (hr < 0 || hr >= H) {
          f32.fill(0, dst, dst + WC);
        } else {
          const src = planeBase + hr * WC;
          for (let c = 0; c < C; c++) f32[dst + c] = probs[src + c] + (W > 1 ? probs[src + C + c] : 0);
          for (let w = 1; w < W - 1; w++) {
            const o = dst + w * C;
            const s = src + w * C;
            for (let c = 0; c < C; c++) f32[o + c] = probs[s - C + c] + probs[s + c] + probs[s + C + c];
          }
          if (W > 1) {
            const o = dst + (W - 1) * C;
            const s = src + (W - 1) * C;
            for (let c = 0; c < C; c++) f32[o + c] = probs[s - C + c] + probs[s + c];
          }
        }
        if (hr >= h0 + 1) {
          const h = hr - 1;
          const r0 = ringOff + ((h + 2) % 3) * WC;
          const r1 = ringOff + ((h + 3) % 3) * WC;
          const r2 = ringOff + ((h + 4) % 3) * WC;
          const o = slot + (h - h0) * WC;
          for (let i = 0; i < WC; i++) f32[o + i] = f32[r0 + i] + f32[r1 + i] + f32[r2 + i];
        }
      }
    }
    const sPrev = depthWindow === 3 && d > 0 ? ((d - 1) % 3) * planeLen : -1;
    const sCur = (d % 3) * planeLen;
    const sNext = depthWindow === 3 && d < D - 1 ? ((d + 1) % 3) * planeLen : -1;

    for (let h = h0; h < h1; h++) {
      for (let w0 = 0; w0 < W; w0 += T) {
        const tb = Math.min(T, W - w0);
        const lanes = (tb + 7) & ~7;
        // Q block, channels-first [C][T], and its per-pixel class sums.
        for (let t = 0; t < tb; t++) {
          const base = (h - h0) * WC + (w0 + t) * C;
          const a = sCur + base;
          let s = 0;
          if (sPrev >= 0 && sNext >= 0) {
            const p = sPrev + base;
            const n = sNext + base;
            for (let c = 0; c < C; c++) {
              const v = (f32[p + c] + f32[a + c] + f32[n + c]) * inv;
              f32[qOff + c * T + t] = v;
              s += f32[qOff + c * T + t];
            }
          } else if (sPrev >= 0 || sNext >= 0) {
            const p = (sPrev >= 0 ? sPrev : sNext) + base;
            for (let c = 0; c < C; c++) {
              const v = (f32[p + c] + f32[a + c]) * inv;
              f32[qOff + c * T + t] = v;
              s += f32[qOff + c * T + t];
            }
          } else {
            for (let c = 0; c < C; c++) {
              f32[qOff + c * T + t] = f32[a + c] * inv;
              s += f32[qOff + c * T + t];
            }
          }
          f64[sqOff + t] = s;
        }
        for (let t = tb; t < lanes; t++) for (let c = 0; c < C; c++) f32[qOff + c * T + t] = 0;
        // R = G·Q over 8 pixel lanes at a time (G is 0/1: a sum of gathered rows), in float64.
        for (let i = 0; i < C; i++) {
          const k0 = rowPtr[i];
          const k1 = rowPtr[i + 1];
          const ro = i * T;
          for (let t = 0; t < lanes; t += 8) {
            let a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
            for (let k = k0; k < k1; k++) {
              const qo = qOff + cols[k] * T + t;
              a0 += f32[qo];
              a1 += f32[qo + 1];
              a2 += f32[qo + 2];
              a3 += f32[qo + 3];
              a4 += f32[qo + 4];
              a5 += f32[qo + 5];
              a6 += f32[qo + 6];
              a7 += f32[qo + 7];
            }
            f64[ro + t] = a0;
            f64[ro + t + 1] = a1;
            f64[ro + t + 2] = a2;
            f64[ro + t + 3] = a3;
            f64[ro + t + 4] = a4;
            f64[ro + t + 5] = a5;
            f64[ro + t + 6] = a6;
            f64[ro + t + 7] = a7;
          }
        }
        // Forward term and gradient, back in channels-last order.
        for (let t = 0; t < tb; t++) {
          const po = (((b * D + d) * H + h) * W + w0 + t) * C;
          const sqt = f64[sqOff + t];
          let sp = 0;
          let pg = 0;
          if (grad === null) {
            for (let c = 0; c < C; c++) {
              const p = probs[po + c];
              sp += p;
              pg += p * f64[c * T + t];
            }
          } else {
            const shift = exact ? gradScale * sqt : 0;
            for (let c = 0; c < C; c++) {
              const p = probs[po + c];
              const r = f64[c * T + t];
              sp += p;
              pg += p * r;
              grad[po + c] = shift - gradScale * r;
            }
          }
          // Per pixel first, then summed: both terms are about the same size when little mass is forbidden.
          total += sp * sqt - pg;
        }
      }
    }
  }
  return total;
}
