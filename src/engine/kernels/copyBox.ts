import type { CopyRows } from './wasmCopyRows.js';

/** A typed array on the wasm heap (float32, int32 or bool data). */
export type HeapArray = Float32Array | Int32Array | Uint8Array;

/** Below this many elements a row is copied by an element loop: `set(subarray)` costs ~100 ns a call. */
const MIN_SET_RUN = 32;

/**
 * Copies the box `begin … begin + size` of `src` (row-major, `shape`) into `dst` (row-major, `size`).
 *
 * Axes are merged first: an axis of length 1 disappears, and an axis merges into the next one when
 * the next one is taken whole, so a slice of any rank is copied as a few long contiguous runs
 * whenever its layout allows (e.g. a channel slice of `[B, D, H, W, C]` is `B·D·H·W` runs of its
 * channel count). Short runs are copied element by element, or, given the wasm row copier `copyRows` (both arrays
 * views of that memory, 4-byte elements), every run by it, one call per sweep of the second group.
 *
 * @param shape - `src`'s shape; `begin`/`size` - non-negative, in bounds, one entry per axis.
 */
export function copyBox(
  src: HeapArray,
  shape: readonly number[],
  begin: readonly number[],
  size: readonly number[],
  dst: HeapArray,
  copyRows: CopyRows | null = null,
): void {
  // Groups of merged axes, innermost first: [extent in src, begin, size].
  const dims: number[] = [];
  const starts: number[] = [];
  const counts: number[] = [];
  for (let i = shape.length - 1; i >= 0; i--) {
    if (size[i] === 0) return;
    if (shape[i] === 1) continue;
    const g = dims.length - 1;
    if (g >= 0 && starts[g] === 0 && counts[g] === dims[g]) {
      // The inner group is taken whole: this axis scales it.
      starts[g] = begin[i] * dims[g];
      counts[g] = size[i] * dims[g];
      dims[g] = shape[i] * dims[g];
    } else {
      dims.push(shape[i]);
      starts.push(begin[i]);
      counts.push(size[i]);
    }
  }
  if (dims.length === 0) {
    dst[0] = src[0];
    return;
  }
  const m = dims.length;
  const run = counts[0];
  // srcStride[g]: elements between consecutive indices of group g.
  const srcStride = new Array<number>(m);
  srcStride[0] = 1;
  for (let g = 1; g < m; g++) srcStride[g] = srcStride[g - 1] * dims[g - 1];
  let rows = 1;
  for (let g = 1; g < m; g++) rows *= counts[g];
  const index = new Array<number>(m).fill(0);
  let base = 0;
  for (let g = 0; g < m; g++) base += starts[g] * srcStride[g];
  let d = 0;
  if (copyRows !== null && src.BYTES_PER_ELEMENT === 4 && dst.BYTES_PER_ELEMENT === 4) {
    // One call of the wasm row copier per sweep of group 1 (all rows, when the box has at most two groups).
    const inner = m > 1 ? counts[1] : 1;
    const step = m > 1 ? 4 * srcStride[1] : 0;
    for (let r = 0; r < rows / inner; r++) {
      copyRows(src.byteOffset + 4 * base, dst.byteOffset + 4 * d, inner, 4 * run, step, 4 * run);
      d += inner * run;
      for (let g = 2; g < m; g++) {
        if (++index[g] < counts[g]) {
          base += srcStride[g];
          break;
        }
        base -= (counts[g] - 1) * srcStride[g];
        index[g] = 0;
      }
    }
    return;
  }
  for (let r = 0; r < rows; r++) {
    if (run >= MIN_SET_RUN) {
      dst.set(src.subarray(base, base + run), d);
    } else {
      for (let j = 0; j < run; j++) dst[d + j] = src[base + j];
    }
    d += run;
    // Odometer over the outer groups (group 1 fastest).
    for (let g = 1; g < m; g++) {
      if (++index[g] < counts[g]) {
        base += srcStride[g];
        break;
      }
      base -= (counts[g] - 1) * srcStride[g];
      index[g] = 0;
    }
  }
}
