import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelScope } from './kernelScope.js';

// Thin, typed wrappers over the kernels our composed kernels are built from. Every function runs
// exactly one kernel (or none, when the op is a no-op: then it still returns a scope-owned alias so
// that the caller may hand the result back to the engine), so the cost of a composed kernel reads
// straight off its source.

/** `x` reshaped to `shape` (no copy: the backend aliases the data). */
export function reshape(s: KernelScope, x: TensorInfo, shape: number[]): TensorInfo {
  return s.run('Reshape', { x }, { shape });
}

/** `x` with its axes permuted by `perm`. */
export function transpose(s: KernelScope, x: TensorInfo, perm: number[]): TensorInfo {
  return s.run('Transpose', { x }, { perm });
}

/** `x` padded with `value`; `paddings[i] = [before, after]` for axis `i`, both ≥ 0. */
export function pad(s: KernelScope, x: TensorInfo, paddings: Array<[number, number]>, value = 0): TensorInfo {
  return s.run('PadV2', { x }, { paddings, constantValue: value });
}

/** The box `begin … begin + size` of `x`. */
export function slice(s: KernelScope, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  return s.run('Slice', { x }, { begin, size });
}

/** Elements `begin, begin + strides, … < end` along every axis of `x`. */
export function stridedSlice(
  s: KernelScope,
  x: TensorInfo,
  begin: number[],
  end: number[],
  strides: number[],
): TensorInfo {
  return s.run(
    'StridedSlice',
    { x },
    { begin, end, strides, beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0 },
  );
}

/** `x` reversed along `dims`. */
export function reverse(s: KernelScope, x: TensorInfo, dims: number[]): TensorInfo {
  return s.run('Reverse', { x }, { dims });
}

/** Batched matrix product `a · b`, `a: [n, p, q]`, `b: [n, q, r]` → `[n, p, r]`, no transposes. */
export function matMul(s: KernelScope, a: TensorInfo, b: TensorInfo): TensorInfo {
  return s.run('BatchMatMul', { a, b }, { transposeA: false, transposeB: false });
}

/** Sum of `x` over `axis`, without keeping the reduced axes. */
export function sum(s: KernelScope, x: TensorInfo, axis: number[]): TensorInfo {
  return s.run('Sum', { x }, { axis, keepDims: false });
}

/** Element-wise `a + b` (broadcasting). */
export function add(s: KernelScope, a: TensorInfo, b: TensorInfo): TensorInfo {
  return s.run('Add', { a, b });
}

/** Element-wise `a · b` (broadcasting). */
export function mul(s: KernelScope, a: TensorInfo, b: TensorInfo): TensorInfo {
  return s.run('Multiply', { a, b });
}

/** Concatenation of `xs` along `axis`. */
export function concat(s: KernelScope, xs: TensorInfo[], axis: number): TensorInfo {
  return s.run('Concat', xs as unknown as Record<string, TensorInfo>, { axis });
}

/** A copy-free alias of `x` owned by the scope (so that a kernel may return "its input"). */
export function identity(s: KernelScope, x: TensorInfo): TensorInfo {
  return s.run('Identity', { x });
}

/**
 * Inserts `stride − 1` zeros after every element of `x` along `axis` (the trailing ones are dropped):
 * length `n` becomes `(n − 1)·stride + 1`. This is the "dilated input" of a transposed convolution.
 * Works on any rank by viewing `x` as `[prefix, n, 1, suffix]`, so the pad is always rank 4.
 */
export function insertZeros(s: KernelScope, x: TensorInfo, axis: number, stride: number): TensorInfo {
  if (stride === 1) return identity(s, x);
  const shape = x.shape;
  const n = shape[axis];
  const prefix = shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const suffix = shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  const padded = pad(s, reshape(s, x, [prefix, n, 1, suffix]), [[0, 0], [0, 0], [0, stride - 1], [0, 0]]);
  const longShape = [...shape.slice(0, axis), n * stride, ...shape.slice(axis + 1)];
  const long = reshape(s, padded, longShape);
  const begin = shape.map(() => 0);
  const size = [...longShape];
  size[axis] = (n - 1) * stride + 1;
  return slice(s, long, begin, size);
}

/**
 * `x` padded (positive) or cropped (negative) by `[before, after]` per axis, zeros for padding.
 * Transposed convolutions need both: a large 'valid' padding of the forward pass becomes a crop.
 */
export function padOrCrop(s: KernelScope, x: TensorInfo, amounts: Array<[number, number]>): TensorInfo {
  const needsCrop = amounts.some(([b, a]) => b < 0 || a < 0);
  const needsPad = amounts.some(([b, a]) => b > 0 || a > 0);
  let out = x;
  if (needsCrop) {
    const begin = amounts.map(([b]) => Math.max(0, -b));
    const size = out.shape.map((d, i) => d - begin[i] - Math.max(0, -amounts[i][1]));
    out = slice(s, out, begin, size);
  }
  if (needsPad) out = pad(s, out, amounts.map(([b, a]) => [Math.max(0, b), Math.max(0, a)]));
  return out === x ? identity(s, x) : out;
}
