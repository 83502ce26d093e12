// Why this kernel exists: both stock ResizeNearestNeighborGrad kernels are wrong in cases a model
// can hit. tfjs-backend-cpu 4.22 offsets dy by the *input's* batch stride, so for batch > 1 it is
// wrong (max error 2.4 on a [2,4,5,3] → [8,10] resize of random gradients, checked against a
// brute-force adjoint); both cpu and wasm ignore `halfPixelCenters` (error 1.1 for 4×5 → 6×13).
// This replacement is the exact adjoint of tfjs's nearest-neighbour forward pass; it is registered
// for wasm and cpu.
import type { KernelConfig, KernelFunc, ResizeNearestNeighborGradAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { inputsOf, withKernelScope, type KernelScope } from './kernelScope.js';
import { matMul, reshape, sum, transpose } from './scopeOps.js';

/**
 * Source row (or column) that tfjs's ResizeNearestNeighbor reads for each output index
 * (the same arithmetic as the forward kernels of tfjs-backend-cpu and -wasm).
 */
export function nearestSourceIndex(
  inSize: number,
  outSize: number,
  alignCorners: boolean,
  halfPixelCenters: boolean,
): Int32Array {
  const effIn = alignCorners && outSize > 1 ? inSize - 1 : inSize;
  const effOut = alignCorners && outSize > 1 ? outSize - 1 : outSize;
  const ratio = effIn / effOut;
  const src = new Int32Array(outSize);
  for (let r = 0; r < outSize; r++) {
    const frac = halfPixelCenters ? ratio * (r + 0.5) : ratio * r;
    let i = Math.min(inSize - 1, alignCorners ? Math.round(frac) : Math.floor(frac));
    if (halfPixelCenters) i = Math.max(0, i);
    src[r] = i;
  }
  return src;
}

/** `[1, inSize, outSize]` 0/1 matrix with a one at `(src[r], r)`: the adjoint of "pick row src[r]". */
function adjointMatrix(s: KernelScope, src: Int32Array, inSize: number): TensorInfo {
  const m = new Float32Array(inSize * src.length);
  src.forEach((i, r) => {
    m[i * src.length + r] = 1;
  });
  return s.constant(m, [1, inSize, src.length]);
}

/** Each input pixel feeds a kh × kw block of outputs: sum the blocks. */
function blockSum(s: KernelScope, dy: TensorInfo, [b, h, w, c]: number[]): TensorInfo {
  const kh = dy.shape[1] / h;
  const kw = dy.shape[2] / w;
  return sum(s, reshape(s, dy, [b, h, kh, w, kw, c]), [2, 4]);
}

/** General ratios: dx = Mₕ · dy · Mᵥᵀ per image and channel, as two matrix products. */
function viaMatrices(s: KernelScope, dy: TensorInfo, [b, h, w, c]: number[], srcH: Int32Array, srcW: Int32Array): TensorInfo {
  const [, oh, ow] = dy.shape;
  // Contract rows: [oh, B·ow·C] → [h, B·ow·C].
  const rows = matMul(s, adjointMatrix(s, srcH, h), reshape(s, transpose(s, dy, [1, 0, 2, 3]), [1, oh, b * ow * c]));
  // Contract columns: [ow, h·B·C] → [w, h·B·C].
  const byCol = reshape(s, transpose(s, reshape(s, rows, [h, b, ow, c]), [2, 0, 1, 3]), [1, ow, h * b * c]);
  const cols = matMul(s, adjointMatrix(s, srcW, w), byCol);
  return transpose(s, reshape(s, cols, [w, h, b, c]), [2, 1, 0, 3]);
}

/**
 * Gradient of `tf.image.resizeNearestNeighbor` w.r.t. the images, composed of the backend's kernels.
 * Inputs `images: [B, H, W, C]` (only its shape is used), `dy: [B, H', W', C]`; output `[B, H, W, C]` float32.
 */
export const resizeNearestNeighborGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const { images, dy } = inputsOf('ResizeNearestNeighborGrad', inputs, ['images', 'dy']);
  const { alignCorners, halfPixelCenters } = attrs as unknown as ResizeNearestNeighborGradAttrs;
  const shape = images.shape;
  const srcH = nearestSourceIndex(shape[1], dy.shape[1], alignCorners, halfPixelCenters);
  const srcW = nearestSourceIndex(shape[2], dy.shape[2], alignCorners, halfPixelCenters);
  const isBlocks = (src: Int32Array, inSize: number): boolean => {
    const k = src.length / inSize;
    return Number.isInteger(k) && src.every((i, r) => i === Math.floor(r / k));
  };
  return withKernelScope(backend, (s) =>
    isBlocks(srcH, shape[1]) && isBlocks(srcW, shape[2])
      ? blockSum(s, dy, shape)
      : viaMatrices(s, dy, shape, srcH, srcW),
  );
};

/** ResizeNearestNeighborGrad for the wasm backend (replaces the stock kernel; registered by `registerWasmKernels`; `registerCpuKernels` registers the same function for cpu). */
export const resizeNearestNeighborGradConfig: KernelConfig = {
  kernelName: 'ResizeNearestNeighborGrad',
  backendName: 'wasm',
  kernelFunc: resizeNearestNeighborGrad,
};
