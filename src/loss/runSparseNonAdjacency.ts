import {
  makeSparseScratch,
  sparseNonAdjacencyKernel,
  type SparseNonAdjacencyJob,
  type SparseScratch,
} from './sparseNonAdjacencyKernel.js';

/** Options of {@link runSparseNonAdjacency}. */
export interface RunSparseNonAdjacencyOptions {
  /** Grid `[B, D, H, W, C]` of `probs` (D = 1 for 2D). */
  dims: readonly [number, number, number, number, number];
  /** 3 for 3D input (3×3×3 window), 1 for 2D. */
  depthWindow: 1 | 3;
  /** Allowed pairs (symmetric), CSR as {@link sparseCsr} makes it. */
  rowPtr: readonly number[];
  colOffsets: readonly number[];
  /** Gradient factor `2λ / (nForbidden · pixels)`. */
  gradScale: number;
  /** See {@link SparseNonAdjacencyJob.gradient}. */
  gradient: SparseNonAdjacencyJob['gradient'];
}

let scratch: SparseScratch | null = null;

/**
 * Run the sparse NonAdjLoss kernel over a whole probability array (channels-last `[B, D, H, W, C]`), one job per
 * batch item, on this thread. (A helper thread sharing the jobs was measured to give no gain on the 2-core
 * machine and was removed; data-parallel training is where a second core pays.)
 *
 * @returns `pixels · Σ F⊙A` as a float64 (NaN when the input holds NaN/±∞); fills `grad` when given.
 */
export function runSparseNonAdjacency(probs: Float32Array, grad: Float32Array | null, options: RunSparseNonAdjacencyOptions): number {
  const { dims } = options;
  const [B, , H, W, C] = dims;
  if (scratch === null || scratch.W !== W || scratch.C !== C) scratch = makeSparseScratch(W, C);
  const job: SparseNonAdjacencyJob = {
    probs,
    grad,
    dims,
    depthWindow: options.depthWindow,
    rowPtr: options.rowPtr,
    colOffsets: options.colOffsets,
    gradScale: options.gradScale,
    gradient: options.gradient,
    scratch,
    b: 0,
    h0: 0,
    h1: H,
  };
  let total = 0;
  for (let b = 0; b < B; b++) {
    job.b = b;
    total += sparseNonAdjacencyKernel(job);
  }
  return total;
}
