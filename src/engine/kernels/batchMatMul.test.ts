import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { assertGradParity, assertKernelParity, setupParityBackends, weightedSum } from '../../../test/helpers/tfParity.js';

describe('BatchMatMul as 1×1 convolutions (stock cpu kernel as oracle)', () => {
  before(setupParityBackends);

  it('matches cpu for every transpose combination above the size threshold', async () => {
    // M·K·N·batch ≥ 2¹⁸ so the convolution path runs: 2·20·512·30 = 614 400.
    const cases: Array<[number[], number[], boolean, boolean]> = [
      [[2, 20, 512], [2, 512, 30], false, false],
      [[2, 512, 20], [2, 512, 30], true, false], // Pᵀ·Q, the adjacency loss's product
      [[2, 20, 512], [2, 30, 512], false, true],
      [[2, 512, 20], [2, 30, 512], true, true],
      [[3, 2, 20, 512], [3, 2, 512, 30], false, false], // two batch axes
      [[1, 20, 512], [3, 512, 30], false, false], // broadcast batch of 1
      [[3, 512, 20], [1, 512, 30], true, false],
      [[64, 512], [512, 40], false, false], // rank 2
    ];
    for (const [a, b, transposeA, transposeB] of cases) {
      await assertKernelParity('BatchMatMul', { a: { shape: a }, b: { shape: b } }, { transposeA, transposeB }, `${a} · ${b} tA=${transposeA} tB=${transposeB}`);
    }
  });

  it('small products (stock path) still match', async () => {
    await assertKernelParity('BatchMatMul', { a: { shape: [2, 3, 4] }, b: { shape: [2, 4, 5] } }, { transposeA: false, transposeB: false }, 'small');
  });

  it('gradients of Pᵀ·Q at loss-like sizes match through tf.grads', async () => {
    await assertGradParity([[2, 600, 12], [2, 600, 12]], (p, q) => weightedSum(tf.matMul(p, q, true, false)), 'Pᵀ·Q grads');
  });
});
