import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmKernels } from '../registerWasmKernels.js';
import { replaceWasmKernels } from '../replaceWasmKernels.js';
import { conv2DBackpropFilterWith, type Conv2DBackpropFilterMethod } from './conv2DBackpropFilter.js';

/** Installs one formulation as the wasm Conv2DBackpropFilter (the others stock; 'auto' is the registered one). */
const useMethod = (method: Conv2DBackpropFilterMethod): string[] =>
  replaceWasmKernels([{ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2DBackpropFilterWith(method) }]);
import {
  assertAllClose,
  backendDataIds,
  runKernelOn,
  seededUniform,
  setupParityBackends,
  type ParityBackend,
} from '../../../test/helpers/tfParity.js';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
interface Case {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number;
  pad: Pad;
}

/** dW[a,b,i,o] = Σ_{n,y,x} xpad[n, y·s+a, x·s+b, i] · dy[n,y,x,o], straight from the definition. */
function bruteFilterGrad(c: Case, x: Float32Array, dy: Float32Array): Float32Array {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad);
  const [B, H, W, Ci] = c.x;
  const [kh, kw, , Co] = c.filter;
  const [Ho, Wo] = [info.outHeight, info.outWidth];
  const out = new Float32Array(kh * kw * Ci * Co);
  for (let a = 0; a < kh; a++)
    for (let b = 0; b < kw; b++)
      for (let i = 0; i < Ci; i++)
        for (let o = 0; o < Co; o++) {
          let acc = 0;
          for (let n = 0; n < B; n++)
            for (let yy = 0; yy < Ho; yy++)
              for (let xx = 0; xx < Wo; xx++) {
                const r = yy * c.strides + a - info.padInfo.top;
                const q = xx * c.strides + b - info.padInfo.left;
                if (r < 0 || r >= H || q < 0 || q >= W) continue;
                acc += x[((n * H + r) * W + q) * Ci + i] * dy[((n * Ho + yy) * Wo + xx) * Co + o];
              }
          out[((a * kw + b) * Ci + i) * Co + o] = acc;
        }
  return out;
}

async function check(backend: ParityBackend, c: Case, label: string): Promise<void> {
  const dyShape = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad).outShape;
  const x = seededUniform(c.x, 1);
  const dy = seededUniform(dyShape, 2);
  await tf.setBackend(backend);
  const ids = backendDataIds();
  const got = await runKernelOn(
    backend,
    'Conv2DBackpropFilter',
    { x: { shape: c.x, values: x }, dy: { shape: dyShape, values: dy } },
    { filterShape: c.filter, strides: c.strides, pad: c.pad, dataFormat: 'NHWC' },
  );
  assert.equal(backendDataIds(), ids, `${label}: leaked data buffers`);
  assertAllClose([got], [bruteFilterGrad(c, x, dy)], 1e-4, label);
}

const cases: Case[] = [
  { x: [2, 9, 9, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { x: [2, 9, 8, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'valid' },
  { x: [1, 7, 8, 2], filter: [1, 1, 2, 5], strides: 1, pad: 'same' },
  { x: [2, 8, 8, 3], filter: [2, 2, 3, 4], strides: 2, pad: 'valid' }, // conv2dTranspose 2×2 s2 weights
  { x: [2, 9, 9, 3], filter: [2, 2, 3, 4], strides: 2, pad: 'valid' }, // floor rounding drops a row
  { x: [2, 9, 9, 3], filter: [3, 3, 3, 4], strides: 2, pad: 'same' },
  { x: [1, 7, 8, 2], filter: [3, 3, 2, 5], strides: 1, pad: [[0, 0], [2, 1], [0, 2], [0, 0]] },
  { x: [1, 4, 3, 2], filter: [3, 3, 2, 2], strides: 1, pad: 'valid' }, // one output row
  // 'same' at stride 1 and width < 20: shifted whole-channel copies; kernels wider and taller than the image, even sizes.
  { x: [3, 2, 3, 2], filter: [5, 5, 2, 3], strides: 1, pad: 'same' },
  { x: [2, 5, 4, 3], filter: [2, 4, 3, 2], strides: 1, pad: 'same' },
  { x: [2, 1, 6, 2], filter: [3, 3, 2, 2], strides: 1, pad: 'same' },
  // Output width ≥ 32: the wasm GEMM builds its left factor from shifted planes instead of rows.
  { x: [2, 5, 34, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { x: [1, 6, 35, 2], filter: [3, 3, 2, 3], strides: 1, pad: 'valid' },
  { x: [1, 5, 33, 2], filter: [3, 3, 2, 3], strides: 1, pad: [[0, 0], [2, 1], [0, 2], [0, 0]] },
  { x: [1, 4, 40, 2], filter: [3, 3, 2, 2], strides: 2, pad: 'same' }, // wide but strided: rows
  { x: [1, 3, 21, 40], filter: [1, 1, 40, 3], strides: 1, pad: 'same' }, // 1×1 with Ci > Co: x transposed
];

/** The channel counts of the ModSegNet layers (7→32 input, 32→32, 64→128, 256→256, 1×1 classifier, 2×2 s2). */
const modSegNetCases: Case[] = [
  { x: [2, 6, 6, 7], filter: [3, 3, 7, 32], strides: 1, pad: 'same' },
  { x: [1, 6, 5, 32], filter: [3, 3, 32, 32], strides: 1, pad: 'same' },
  { x: [1, 5, 5, 64], filter: [3, 3, 64, 128], strides: 1, pad: 'same' },
  { x: [1, 4, 4, 256], filter: [3, 3, 256, 256], strides: 1, pad: 'same' },
  { x: [2, 5, 5, 32], filter: [1, 1, 32, 117], strides: 1, pad: 'same' },
  { x: [2, 8, 8, 32], filter: [2, 2, 32, 16], strides: 2, pad: 'valid' },
];

describe('Conv2DBackpropFilter', () => {
  before(setupParityBackends);
  after(() => registerWasmKernels());

  // 'auto' is the registered kernel; 'convAuto' and 'im2col' are the benchmarks' baselines.
  for (const method of ['auto', 'convAuto', 'im2col'] as Conv2DBackpropFilterMethod[]) {
    it(`wasm ('${method}' form) matches the definition on every case`, async () => {
      useMethod(method);
      for (const c of [...cases, ...modSegNetCases]) await check('wasm', c, `${method} ${JSON.stringify(c)}`);
    });
  }

  it('the GEMM and the convolution forms agree with each other on the ModSegNet channel counts', async () => {
    // Both run on wasm; a formulation bug would show as a mismatch larger than float32 summation noise.
    const run = async (method: Conv2DBackpropFilterMethod, c: Case): Promise<Float32Array> => {
      useMethod(method);
      const dyShape = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad).outShape;
      return runKernelOn(
        'wasm',
        'Conv2DBackpropFilter',
        { x: { shape: c.x }, dy: { shape: dyShape } },
        { filterShape: c.filter, strides: c.strides, pad: c.pad, dataFormat: 'NHWC' },
      );
    };
    for (const c of modSegNetCases) assertAllClose([await run('auto', c)], [await run('conv', c)], 1e-5, JSON.stringify(c));
  });

  it('cpu (patched, fast) matches the definition', async () => {
    for (const c of cases) await check('cpu', c, `cpu ${JSON.stringify(c)}`);
  });

  it('golden: 1×2×2×1 input, 1×1 output, 2×2 valid filter is x itself times dy', async () => {
    // dW[a,b] = x[a,b]·dy with dy = 2 → [2, 4, 6, 8].
    const got = await runKernelOn(
      'wasm',
      'Conv2DBackpropFilter',
      { x: { shape: [1, 2, 2, 1], values: new Float32Array([1, 2, 3, 4]) }, dy: { shape: [1, 1, 1, 1], values: new Float32Array([2]) } },
      { filterShape: [2, 2, 1, 1], strides: 1, pad: 'valid', dataFormat: 'NHWC' },
    );
    assert.deepEqual(Array.from(got), [2, 4, 6, 8]);
  });

  it('property: random shapes, strides 1–2, same/valid match the definition', async () => {
    registerWasmKernels();
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          b: fc.integer({ min: 1, max: 2 }),
          h: fc.integer({ min: 3, max: 8 }),
          w: fc.constantFrom(3, 5, 8, 21, 33, 40),
          ci: fc.integer({ min: 1, max: 3 }),
          co: fc.integer({ min: 1, max: 3 }),
          k: fc.integer({ min: 1, max: 3 }),
          s: fc.integer({ min: 1, max: 2 }),
          pad: fc.constantFrom<Pad>('same', 'valid'),
        }),
        async ({ b, h, w, ci, co, k, s, pad }) => {
          await check('wasm', { x: [b, h, w, ci], filter: [k, k, ci, co], strides: s, pad }, `b${b} ${h}×${w} ${ci}→${co} k${k} s${s} ${pad}`);
        },
      ),
      { numRuns: 25, seed: 42 },
    );
  });
});
