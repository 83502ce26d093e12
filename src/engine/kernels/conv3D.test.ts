import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { assertKernelParity, setupParityBackends } from '../../../test/helpers/tfParity.js';

type Strides = number | [number, number, number];
interface Case {
  x: [number, number, number, number, number];
  filter: [number, number, number, number, number];
  strides: Strides;
  pad: 'same' | 'valid';
}

const cases: Case[] = [
  { x: [1, 5, 5, 5, 2], filter: [3, 3, 3, 2, 3], strides: 1, pad: 'same' }, // 3D U-Net conv
  { x: [2, 4, 5, 6, 3], filter: [1, 1, 1, 3, 4], strides: 1, pad: 'same' },
  { x: [1, 5, 6, 7, 2], filter: [3, 2, 3, 2, 3], strides: 1, pad: 'valid' },
  { x: [1, 4, 4, 4, 2], filter: [2, 2, 2, 2, 3], strides: 2, pad: 'valid' }, // strided: stock FilterV2 is wrong here
  { x: [2, 5, 6, 7, 2], filter: [3, 3, 3, 2, 3], strides: 2, pad: 'same' },
  { x: [1, 5, 6, 7, 2], filter: [3, 3, 3, 2, 3], strides: [1, 2, 2], pad: 'same' },
];

const label = (c: Case): string => `x ${c.x} filter ${c.filter} s${c.strides} ${c.pad}`;
const outShape = (c: Case): number[] => tf.backend_util.computeConv3DInfo(c.x, c.filter, c.strides, 1, c.pad).outShape;

describe('Conv3D kernels via Conv2D (stock cpu kernels as oracle)', () => {
  before(setupParityBackends);

  it('Conv3D forward matches cpu', async () => {
    for (const c of cases) {
      await assertKernelParity('Conv3D', { x: { shape: c.x }, filter: { shape: c.filter } }, { strides: c.strides, pad: c.pad, dataFormat: 'NDHWC', dilations: 1 }, label(c));
    }
  });

  it('Conv3DBackpropInputV2 matches cpu', async () => {
    for (const c of cases) {
      await assertKernelParity('Conv3DBackpropInputV2', { dy: { shape: outShape(c) }, filter: { shape: c.filter } }, { strides: c.strides, pad: c.pad, inputShape: c.x }, label(c));
    }
  });

  it('Conv3DBackpropFilterV2 matches cpu', async () => {
    for (const c of cases) {
      await assertKernelParity('Conv3DBackpropFilterV2', { x: { shape: c.x }, dy: { shape: outShape(c) } }, { strides: c.strides, pad: c.pad, filterShape: c.filter }, label(c));
    }
  });
});
