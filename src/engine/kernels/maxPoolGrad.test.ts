import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmKernels } from '../registerWasmKernels.js';
import { replaceWasmKernels } from '../replaceWasmKernels.js';
import { maxPoolGradWith, type MaxPoolGradMode } from './maxPoolGrad.js';
import { assertKernelParity, runKernelOn, seededUniform, setupParityBackends } from '../../../test/helpers/tfParity.js';

type Pad = 'same' | 'valid';

function parity(x: number[], filterSize: number, strides: number, pad: Pad, values?: Float32Array): Promise<Float32Array> {
  const info = tf.backend_util.computePool2DInfo(x as [number, number, number, number], filterSize, strides, 1, pad);
  return assertKernelParity(
    'MaxPoolGrad',
    { dy: { shape: info.outShape }, input: { shape: x, ...(values ? { values } : {}) }, output: { shape: info.outShape } },
    { filterSize, strides, pad },
    `x ${x} pool ${filterSize} s${strides} ${pad}`,
  );
}

/** Inputs with many exact ties: ReLU zeros and values rounded to a coarse grid. */
function tiedValues(shape: number[], seed: number): Float32Array {
  return seededUniform(shape, seed).map((v) => Math.max(0, Math.round(v * 4)));
}

// 'heap' (the registered kernel) computes the tiling windows on the wasm heap, 'kernels' (a benchmark
// baseline, and the other windows' path) composes kernels: both must match the cpu kernel exactly, ties included.
for (const mode of ['heap', 'kernels'] as MaxPoolGradMode[]) {
  describe(`MaxPoolGrad, '${mode}' mode (stock cpu kernel as oracle)`, () => {
    before(async () => {
      await setupParityBackends();
      replaceWasmKernels([{ kernelName: 'MaxPoolGrad', backendName: 'wasm', kernelFunc: maxPoolGradWith(mode) }]);
    });
    after(() => registerWasmKernels());

    it('golden: each 2×2 window sends dy to its first maximum (row-major), ties included', async () => {
      // Windows: {1,5,0,0}→5 at (0,1); {3,2,0,0}→3 at (0,2); {7,1,4,4}→7 at (2,0); {1,9,4,4}→9 at (2,3).
      // The all-4 bottom row ties inside each window: it never wins, and no 4 gets dy twice.
      const x = new Float32Array([1, 5, 3, 2, 0, 0, 0, 0, 7, 1, 1, 9, 4, 4, 4, 4]);
      const got = await runKernelOn(
        'wasm',
        'MaxPoolGrad',
        { dy: { shape: [1, 2, 2, 1], values: new Float32Array([1, 1, 1, 1]) }, input: { shape: [1, 4, 4, 1], values: x }, output: { shape: [1, 2, 2, 1] } },
        { filterSize: 2, strides: 2, pad: 'valid' },
      );
      assert.deepEqual(Array.from(got), [0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0]);
      // A window of four equal values gives dy to its top-left element only.
      const tie = await runKernelOn(
        'wasm',
        'MaxPoolGrad',
        { dy: { shape: [1, 1, 1, 1], values: new Float32Array([5]) }, input: { shape: [1, 2, 2, 1], values: new Float32Array([0, 0, 0, 0]) }, output: { shape: [1, 1, 1, 1] } },
        { filterSize: 2, strides: 2, pad: 'valid' },
      );
      assert.deepEqual(Array.from(tie), [5, 0, 0, 0]);
    });

    it('matches cpu on random inputs: 2×2/2 (even, odd), 3×3/1 same, 3×3/2 same, 2×2/2 same odd', async () => {
      await parity([2, 6, 6, 3], 2, 2, 'valid');
      await parity([2, 7, 7, 3], 2, 2, 'valid');
      await parity([2, 6, 6, 3], 3, 1, 'same');
      await parity([2, 7, 7, 3], 3, 2, 'same');
      await parity([2, 7, 5, 3], 2, 2, 'same');
      await parity([1, 6, 6, 2], 3, 1, 'valid');
    });

    it('matches cpu where ties are everywhere (ReLU zeros, rounded values)', async () => {
      await parity([2, 8, 8, 3], 2, 2, 'valid', tiedValues([2, 8, 8, 3], 5));
      await parity([2, 6, 6, 3], 3, 1, 'same', tiedValues([2, 6, 6, 3], 6));
      await parity([2, 7, 7, 3], 3, 2, 'same', tiedValues([2, 7, 7, 3], 7));
    });

    it('matches cpu on ModSegNet-like maps (32 and 256 channels, ReLU ties)', async () => {
      await parity([2, 8, 8, 32], 2, 2, 'valid', tiedValues([2, 8, 8, 32], 8));
      await parity([1, 4, 6, 256], 2, 2, 'valid');
    });
  });
}
