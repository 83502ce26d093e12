// Why this kernel exists: tfjs-backend-wasm 4.22's BatchMatMul is slow on the shapes of the
// adjacency loss: Pᵀ·Q for P, Q of [4,16384,135] takes 2.0 s and its gradient-side product
// [4,16384,135]·[4,135,135]ᵀ 2.4 s. The same products as XNNPACK 1×1 convolutions (rows of A as a
// batch of 1×1 images with K channels, B as the 1×1 filter) take 0.66 s and 0.22 s (medians on a
// loaded 2-vCPU EPYC). Small, non-float32 or broadcast-batched products still go to the stock kernel.
import type { BatchMatMulAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { inputsOf, withKernelScope } from './kernelScope.js';
import { reshape, slice, transpose } from './scopeOps.js';

/** Below this many multiply-adds the stock kernel is as fast and skips the operator set-up. */
const MIN_MACS = 1 << 18;
/** Above this many batch items the per-item convolution set-up outweighs the gain. */
const MAX_BATCH = 64;

const product = (xs: readonly number[]): number => xs.reduce((p, d) => p * d, 1);

/**
 * Batched matrix product `[..., M, K] · [..., K, N]` (with optional transposes of either operand)
 * computed as one XNNPACK 1×1 Conv2D per batch item, delegating to `stockBatchMatMul` for float32
 * products smaller than 2¹⁸ multiply-adds, non-float32 inputs, more than 64 batch items, or batch
 * shapes that differ (broadcasting other than a batch of 1).
 */
export function batchMatMulOver(stockBatchMatMul: KernelFunc): KernelFunc {
  return (args) => {
    const { a, b } = inputsOf('BatchMatMul', args.inputs, ['a', 'b']);
    const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
    const [ra, ca] = a.shape.slice(-2);
    const [rb, cb] = b.shape.slice(-2);
    const [m, k] = transposeA ? [ca, ra] : [ra, ca];
    const n = transposeB ? rb : cb;
    const batchShapeA = a.shape.slice(0, -2);
    const batchShapeB = b.shape.slice(0, -2);
    const batchA = product(batchShapeA);
    const batchB = product(batchShapeB);
    const batch = Math.max(batchA, batchB);
    const sameBatch = batchA === batchB && batchShapeA.join() === batchShapeB.join();
    const simpleBroadcast = (batchA === 1 || batchB === 1) && batchShapeA.length === batchShapeB.length;
    if (
      a.dtype !== 'float32' ||
      b.dtype !== 'float32' ||
      m * k * n * batch < MIN_MACS ||
      batch > MAX_BATCH ||
      !(sameBatch || simpleBroadcast)
    ) {
      return stockBatchMatMul(args);
    }
    const outBatchShape = batchA >= batchB ? batchShapeA : batchShapeB;
    return withKernelScope(args.backend, (s) => {
      let a3 = reshape(s, a, [batchA, ra, ca]);
      if (transposeA) a3 = transpose(s, a3, [0, 2, 1]); // [batchA, M, K]
      let b3 = reshape(s, b, [batchB, rb, cb]);
      if (transposeB) b3 = transpose(s, b3, [0, 2, 1]); // [batchB, K, N]
      const item = (t: TensorInfo, count: number, i: number, rows: number, cols: number): TensorInfo =>
        count === 1 ? t : slice(s, t, [i, 0, 0], [1, rows, cols]);
      const outs: TensorInfo[] = [];
      for (let i = 0; i < batch; i++) {
        const x = reshape(s, item(a3, batchA, i, m, k), [m, 1, 1, k]);
        const filter = reshape(s, item(b3, batchB, i, k, n), [1, 1, k, n]);
        outs.push(s.run('Conv2D', { x, filter }, { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1] }));
      }
      const all = outs.length === 1 ? outs[0] : s.run('Concat', outs as unknown as Record<string, TensorInfo>, { axis: 0 });
      return reshape(s, all, [...outBatchShape, m, n]);
    });
  };
}

/**
 * BatchMatMul for the wasm backend over the stock kernel `stock` (registered by `registerWasmKernels`
 * in `registerWasmKernels`, which passes the stock config it replaces).
 */
export function batchMatMulConfigOver(stock: KernelConfig): KernelConfig {
  return {
    kernelName: 'BatchMatMul',
    backendName: 'wasm',
    kernelFunc: batchMatMulOver(stock.kernelFunc),
    ...(stock.setupFunc === undefined ? {} : { setupFunc: stock.setupFunc }),
  };
}
