import { SparseHelperThread } from './sparseHelperThread.js';
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
  /** 2: share the work with a helper thread when there is one; 1: this thread only. */
  threads: 1 | 2;
}

/**
 * Rows per job when a helper thread shares the work (the unit of sharing). In 3D each job recomputes the depth sums
 * of 2 halo rows per plane, so with one thread a job is a whole batch item.
 */
const ROWS_PER_JOB = 16;

let scratch: SparseScratch | null = null;
let sharedProbs: Float32Array<ArrayBufferLike> = new Float32Array(0);
let sharedGrad: Float32Array<ArrayBufferLike> = new Float32Array(0);

function growShared(current: Float32Array<ArrayBufferLike>, length: number): Float32Array<ArrayBufferLike> {
  return current.length >= length ? current : new Float32Array(new SharedArrayBuffer(4 * length));
}

/**
 * Run the sparse NonAdjLoss kernel over a whole probability array (channels-last `[B, D, H, W, C]`): splits the
 * grid into jobs (whole batch items, or {@link ROWS_PER_JOB} rows of one with a helper thread), runs them on this
 * thread, or half of them on a helper thread (the input is then copied once into shared memory, and the helper's
 * gradient rows copied back).
 *
 * @returns `pixels · Σ F⊙A` as a float64 (NaN when the input holds NaN/±∞); fills `grad` when given.
 */
export function runSparseNonAdjacency(probs: Float32Array, grad: Float32Array | null, options: RunSparseNonAdjacencyOptions): number {
  const { dims } = options;
  const [B, D, H, W, C] = dims;
  const helperThread = options.threads === 2 ? SparseHelperThread.get() : null;
  const rows = helperThread ? Math.min(ROWS_PER_JOB, H) : H;
  const jobs: Array<[number, number, number]> = [];
  for (let b = 0; b < B; b++) for (let h0 = 0; h0 < H; h0 += rows) jobs.push([b, h0, Math.min(H, h0 + rows)]);
  if (scratch === null || scratch.W !== W || scratch.C !== C) scratch = makeSparseScratch(W, C);
  const template: Omit<SparseNonAdjacencyJob, 'b' | 'h0' | 'h1'> = {
    probs,
    grad,
    dims,
    depthWindow: options.depthWindow,
    rowPtr: options.rowPtr,
    colOffsets: options.colOffsets,
    gradScale: options.gradScale,
    gradient: options.gradient,
    scratch,
  };

  const helper = jobs.length >= 2 ? helperThread : null;
  let mine = jobs;
  let helped: Array<[number, number, number]> = [];
  if (helper) {
    // The helper takes the first half of the jobs; it needs those batch items in shared memory.
    const split = jobs.length >> 1;
    helped = jobs.slice(0, split);
    mine = jobs.slice(split);
    const item = D * H * W * C;
    const end = (helped[helped.length - 1][0] + 1) * item;
    sharedProbs = growShared(sharedProbs, probs.length);
    sharedProbs.set(probs.subarray(0, end));
    if (grad) sharedGrad = growShared(sharedGrad, grad.length);
    const { scratch: _own, ...rest } = template;
    helper.start({ ...rest, probs: sharedProbs, grad: grad ? sharedGrad : null, jobs: helped });
  }

  let total = 0;
  const job: SparseNonAdjacencyJob = { ...template, b: 0, h0: 0, h1: 0 };
  for (const [b, h0, h1] of mine) {
    job.b = b;
    job.h0 = h0;
    job.h1 = h1;
    total += sparseNonAdjacencyKernel(job);
  }

  if (helper) {
    total += helper.wait();
    if (grad) {
      const WC = W * C;
      for (const [b, h0, h1] of helped) {
        for (let d = 0; d < D; d++) {
          const from = ((b * D + d) * H + h0) * WC;
          const to = ((b * D + d) * H + h1) * WC;
          grad.set(sharedGrad.subarray(from, to), from);
        }
      }
    }
  }
  return total;
}
