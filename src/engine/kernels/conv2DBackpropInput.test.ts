import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc } from '@tensorflow/tfjs-core';
import { registerWasmKernels } from '../registerWasmKernels.js';
import { replaceWasmKernels } from '../replaceWasmKernels.js';
import { conv2DBackpropInput, conv2DBackpropInputWith } from './conv2DBackpropInput.js';
import { assertKernelParity, runKernelOn, setupParityBackends } from '../../../test/helpers/tfParity.js';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

function parity(x: number[], filter: number[], strides: number, pad: Pad): Promise<Float32Array> {
  const dyShape = tf.backend_util.computeConv2DInfo(
    x as [number, number, number, number],
    filter as [number, number, number, number],
    strides,
    1,
    pad,
  ).outShape;
  return assertKernelParity(
    'Conv2DBackpropInput',
    { dy: { shape: dyShape }, filter: { shape: filter } },
    { inputShape: x, strides, pad, dataFormat: 'NHWC' },
    `x ${x} filter ${filter} s${strides} ${JSON.stringify(pad)}`,
  );
}

describe('Conv2DBackpropInput (stock cpu kernel as oracle)', () => {
  before(setupParityBackends);
  after(() => registerWasmKernels());

  const variants: Array<[string, KernelFunc]> = [
    ['heap rotation (registered)', conv2DBackpropInput],
    ['Reverse-kernel rotation (a benchmark baseline)', conv2DBackpropInputWith('reverseKernel')],
  ];
  for (const [name, kernelFunc] of variants) {
    it(`${name}: matches on the ModSegNet channel counts (7→32, 32→32, 64→128, 256→256, 512→256, 1×1 32→117)`, async () => {
      replaceWasmKernels([{ kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc }]);
      await parity([2, 6, 6, 7], [3, 3, 7, 32], 1, 'same');
      await parity([1, 6, 5, 32], [3, 3, 32, 32], 1, 'same');
      await parity([1, 5, 5, 64], [3, 3, 64, 128], 1, 'same');
      await parity([1, 4, 4, 256], [3, 3, 256, 256], 1, 'same');
      await parity([1, 3, 3, 512], [3, 3, 512, 256], 1, 'same');
      await parity([2, 5, 5, 32], [1, 1, 32, 117], 1, 'same');
      await parity([2, 8, 8, 16], [2, 2, 16, 32], 2, 'valid');
      registerWasmKernels();
    });
  }

  it('matches on the U-Net cases: 3×3 same, 1×1, 2×2 stride 2 (conv2dTranspose)', async () => {
    await parity([2, 9, 9, 3], [3, 3, 3, 4], 1, 'same');
    await parity([2, 8, 8, 5], [1, 1, 5, 4], 1, 'same');
    await parity([2, 8, 8, 3], [2, 2, 3, 4], 2, 'valid'); // depth-to-space path
    await parity([2, 8, 6, 3], [2, 2, 3, 4], 2, 'same'); // same = valid here, still the exact-tiling path
  });

  it('matches on strided, odd and explicitly padded cases (zero-insertion path)', async () => {
    await parity([2, 9, 9, 3], [2, 2, 3, 4], 2, 'valid');
    await parity([2, 9, 9, 3], [3, 3, 3, 4], 2, 'same');
    await parity([2, 10, 7, 3], [3, 3, 3, 4], 2, 'valid');
    await parity([1, 12, 12, 2], [3, 3, 2, 5], 3, 'same');
    await parity([1, 7, 8, 2], [3, 3, 2, 5], 1, [[0, 0], [2, 1], [0, 2], [0, 0]]);
    await parity([1, 7, 8, 2], [3, 3, 2, 5], 1, [[0, 0], [4, 1], [0, 3], [0, 0]]); // pad > kernel: a crop
  });

  it('golden: a 2×2 stride-2 transposed conv of a single pixel stamps the filter', async () => {
    // dy = 3 at the one low-res pixel → dx = 3·W[a,b] on the 2×2 block: [3, 6, 9, 12].
    const got = await runKernelOn(
      'wasm',
      'Conv2DBackpropInput',
      { dy: { shape: [1, 1, 1, 1], values: new Float32Array([3]) }, filter: { shape: [2, 2, 1, 1], values: new Float32Array([1, 2, 3, 4]) } },
      { inputShape: [1, 2, 2, 1], strides: 2, pad: 'valid', dataFormat: 'NHWC' },
    );
    assert.deepEqual(Array.from(got), [3, 6, 9, 12]);
  });

  it('property: random shapes, kernels 1–3, strides 1–2, same/valid', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          b: fc.integer({ min: 1, max: 2 }),
          h: fc.integer({ min: 3, max: 8 }),
          w: fc.integer({ min: 3, max: 8 }),
          ci: fc.integer({ min: 1, max: 3 }),
          co: fc.integer({ min: 1, max: 3 }),
          k: fc.integer({ min: 1, max: 3 }),
          s: fc.integer({ min: 1, max: 2 }),
          pad: fc.constantFrom<Pad>('same', 'valid'),
        }),
        async ({ b, h, w, ci, co, k, s, pad }) => {
          await parity([b, h, w, ci], [k, k, ci, co], s, pad);
        },
      ),
      { numRuns: 25, seed: 7 },
    );
  });
});
