// Why these kernels exist: ModSegNet's max-unpooling (`MaxUnpooling2D` in src/model/) composed of tf ops takes
// a reshape + 5-D transpose of the pre-pool map, ArgMax, OneHot, a multiply and the transpose back, each a pass
// over the map, and as many again for its gradient: 14 ms per forward of a [4, 96², 7] batch of the demo's
// ModSegNet on wasm (11 % of whole-volume inference) and ~25 ms per training step. Both directions are one
// loop over the 2×2 windows (on wasm, with 4k channels, the SIMD loops of wasmPool2x2.ts).
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { inputsOf } from './kernelScope.js';
import { isWasmHeapBackend } from './wasmHeap.js';
import { wasmPool2x2 } from './wasmPool2x2.js';

/** Name of the forward kernel: inputs `x` (the map before its 2×2 stride-2 max-pool) and `y`. */
export const MAX_UNPOOL_2D = 'NonadjMaxUnpool2D';
/** Name of its gradient with respect to `y`: inputs `x` and `dy`. */
export const MAX_UNPOOL_2D_GRAD = 'NonadjMaxUnpool2DGrad';

type Values = Float32Array | Int32Array | Uint8Array;

/**
 * For every 2×2 window of `x` ([B, H, W, C], H and W even) and channel, the first maximum (row-major), as tfjs's
 * ArgMax (and PyTorch's max_pool2d indices) pick it: a later value wins only if greater. `gather` false: scatter,
 * `big[winner] = small[window]` (the unpooling; `big` zero-filled by the caller); true: gather,
 * `small[window] = big[winner]` (its gradient). One loop with no call inside, so that V8 keeps it tight.
 */
function unpoolLoop(x: Values, big: Values, small: Values, [b, h, w, c]: number[], gather: boolean): void {
  const h2 = h >> 1;
  const w2 = w >> 1;
  const row = w * c;
  let p = 0;
  for (let n = 0; n < b; n++) {
    for (let i = 0; i < h2; i++) {
      for (let j = 0; j < w2; j++) {
        const o0 = ((n * h + 2 * i) * w + 2 * j) * c;
        for (let k = 0; k < c; k++, p++) {
          const t0 = o0 + k;
          const t1 = t0 + c;
          const t2 = t0 + row;
          const t3 = t2 + c;
          let at = t0;
          let best = x[t0];
          if (x[t1] > best) {
            best = x[t1];
            at = t1;
          }
          if (x[t2] > best) {
            best = x[t2];
            at = t2;
          }
          if (x[t3] > best) at = t3;
          if (gather) small[p] = big[at];
          else big[at] = small[p];
        }
      }
    }
  }
}

function checkShapes(name: string, x: TensorInfo, small: TensorInfo, smallName: string): void {
  const [b, h, w, c] = x.shape;
  const ok =
    x.shape.length === 4 &&
    small.shape.length === 4 &&
    h % 2 === 0 &&
    w % 2 === 0 &&
    small.shape[0] === b &&
    small.shape[1] * 2 === h &&
    small.shape[2] * 2 === w &&
    small.shape[3] === c &&
    x.dtype === 'float32' &&
    small.dtype === 'float32';
  if (!ok) {
    throw new RangeError(
      `${name}: x is ${x.dtype} [${x.shape.join(', ')}] and ${smallName} ${small.dtype} [${small.shape.join(', ')}], expected float32 [B, H, W, C] with H, W even and [B, H/2, W/2, C]`,
    );
  }
}

interface Io {
  read(t: TensorInfo): Values;
  /** A zero-filled float32 output and its values (to fill in place). */
  output(shape: number[]): { info: TensorInfo; values: Values };
}

function ioOf(backend: unknown): Io {
  if (isWasmHeapBackend(backend)) {
    return {
      read: (t) => backend.typedArrayFromHeap(t),
      output: (shape) => {
        const info = backend.makeOutput(shape, 'float32');
        const values = backend.typedArrayFromHeap(info);
        values.fill(0);
        return { info, values };
      },
    };
  }
  // Other CPU backends (tfjs-backend-cpu): read the values, hand back a new buffer.
  const b = backend as { readSync(id: object): Values; makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo };
  return {
    read: (t) => b.readSync(t.dataId),
    output: (shape) => {
      const values = new Float32Array(shape.reduce((p, d) => p * d, 1));
      return {
        values,
        get info() {
          return b.makeTensorInfo(shape, 'float32', values);
        },
      };
    },
  };
}

/**
 * Max-unpooling with the indices of a 2×2 stride-2 max-pool, recomputed from the pre-pool map: inputs `x`
 * `[B, H, W, C]` and `y` `[B, H/2, W/2, C]`, float32; output `[B, H, W, C]`: `y` at each window's first maximum
 * of `x`, zero elsewhere (PyTorch's `max_unpool2d(y, max_pool2d(x, 2, 2, return_indices=True)[1])`).
 *
 * @throws RangeError for other shapes or dtypes.
 */
export const maxUnpool2D: KernelFunc = ({ inputs, backend }) => {
  const { x, y } = inputsOf(MAX_UNPOOL_2D, inputs, ['x', 'y']);
  checkShapes(MAX_UNPOOL_2D, x, y, 'y');
  const simd = isWasmHeapBackend(backend) && x.shape[3] % 4 === 0 ? wasmPool2x2(backend, 'scatter') : null;
  if (simd !== null && isWasmHeapBackend(backend)) {
    const [b, h, w, c] = x.shape;
    const info = backend.makeOutput([...x.shape], 'float32'); // first: an allocation may grow (and so detach) the heap
    simd(backend.typedArrayFromHeap(x).byteOffset, backend.typedArrayFromHeap(info).byteOffset, backend.typedArrayFromHeap(y).byteOffset, { b, h, w, c });
    return info;
  }
  const io = ioOf(backend);
  const out = io.output([...x.shape]); // first: an allocation may grow (and so detach) the wasm heap
  const xv = io.read(x);
  const yv = io.read(y);
  unpoolLoop(xv, out.values, yv, x.shape, false);
  return out.info;
};

/**
 * Gradient of {@link maxUnpool2D} with respect to `y`: inputs `x` `[B, H, W, C]` and `dy` `[B, H, W, C]`,
 * float32; output `[B, H/2, W/2, C]`: `dy` at each window's first maximum of `x`. (With respect to `x` the
 * gradient is zero: the indices are not differentiable.)
 *
 * @throws RangeError for other shapes or dtypes.
 */
export const maxUnpool2DGrad: KernelFunc = ({ inputs, backend }) => {
  const { x, dy } = inputsOf(MAX_UNPOOL_2D_GRAD, inputs, ['x', 'dy']);
  const [b, h, w, c] = x.shape;
  const small: TensorInfo = { dataId: dy.dataId, dtype: dy.dtype, shape: [b, h / 2, w / 2, c] };
  if (dy.shape.length !== 4 || dy.shape.some((d, i) => d !== x.shape[i])) {
    throw new RangeError(`${MAX_UNPOOL_2D_GRAD}: dy is [${dy.shape.join(', ')}], expected x's shape [${x.shape.join(', ')}]`);
  }
  checkShapes(MAX_UNPOOL_2D_GRAD, x, small, 'dy/2');
  const simd = isWasmHeapBackend(backend) && c % 4 === 0 ? wasmPool2x2(backend, 'gather') : null;
  if (simd !== null && isWasmHeapBackend(backend)) {
    const info = backend.makeOutput([b, h / 2, w / 2, c], 'float32'); // first: an allocation may grow the heap
    simd(backend.typedArrayFromHeap(x).byteOffset, backend.typedArrayFromHeap(dy).byteOffset, backend.typedArrayFromHeap(info).byteOffset, { b, h, w, c });
    return info;
  }
  const io = ioOf(backend);
  const out = io.output([b, h / 2, w / 2, c]); // first: an allocation may grow (and so detach) the wasm heap
  const xv = io.read(x);
  const g = io.read(dy);
  unpoolLoop(xv, g, out.values, x.shape, true);
  return out.info;
};

/** The two kernels for `backendName` (wasm: on the heap; cpu: on its value arrays). */
export function maxUnpool2DConfigs(backendName: 'wasm' | 'cpu'): KernelConfig[] {
  return [
    { kernelName: MAX_UNPOOL_2D, backendName, kernelFunc: maxUnpool2D },
    { kernelName: MAX_UNPOOL_2D_GRAD, backendName, kernelFunc: maxUnpool2DGrad },
  ];
}
