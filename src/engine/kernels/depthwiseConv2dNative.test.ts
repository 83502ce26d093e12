import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { assertKernelParity, runKernelOn, runOn, seededUniform, setupParityBackends } from '../../../test/helpers/tfParity.js';

interface Case {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number;
  pad: 'same' | 'valid';
  dilations: number;
}

const cases: Case[] = [
  { x: [2, 6, 6, 3], filter: [3, 3, 3, 1], strides: 1, pad: 'same', dilations: 1 }, // the loss's box filter
  { x: [2, 6, 6, 3], filter: [3, 3, 3, 1], strides: 1, pad: 'valid', dilations: 1 },
  { x: [2, 7, 7, 3], filter: [3, 3, 3, 2], strides: 2, pad: 'same', dilations: 1 },
  { x: [1, 8, 7, 2], filter: [2, 2, 2, 3], strides: 2, pad: 'valid', dilations: 1 },
];
// tfjs-backend-cpu's depthwise backprop kernels ignore dilations, so dilated cases use the adjoint identity.
const dilated: Case[] = [
  { x: [1, 9, 9, 2], filter: [3, 3, 2, 2], strides: 1, pad: 'same', dilations: 2 },
  { x: [1, 9, 8, 2], filter: [3, 3, 2, 1], strides: 1, pad: 'valid', dilations: 2 },
];

const label = (c: Case): string => `x ${c.x} filter ${c.filter} s${c.strides} ${c.pad} d${c.dilations}`;
const dyShape = (c: Case): number[] =>
  tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, c.dilations, c.pad, undefined, true).outShape;

describe('DepthwiseConv2dNative backprop kernels', () => {
  before(setupParityBackends);

  it('DepthwiseConv2dNativeBackpropInput matches the stock cpu kernel', async () => {
    for (const c of cases) {
      await assertKernelParity(
        'DepthwiseConv2dNativeBackpropInput',
        { dy: { shape: dyShape(c) }, filter: { shape: c.filter } },
        { inputShape: c.x, strides: c.strides, pad: c.pad, dilations: c.dilations },
        label(c),
      );
    }
  });

  it('DepthwiseConv2dNativeBackpropFilter matches the stock cpu kernel', async () => {
    for (const c of cases) {
      await assertKernelParity(
        'DepthwiseConv2dNativeBackpropFilter',
        { x: { shape: c.x }, dy: { shape: dyShape(c) } },
        { filterShape: c.filter, strides: c.strides, pad: c.pad, dilations: c.dilations },
        label(c),
      );
    }
  });

  it('both are adjoints of the forward depthwise conv, dilated too: ⟨conv(x,w),dy⟩ = ⟨x,dx⟩ = ⟨w,dw⟩', async () => {
    for (const c of [...cases, ...dilated]) {
      const x = seededUniform(c.x, 1);
      const w = seededUniform(c.filter, 2);
      const dy = seededUniform(dyShape(c), 3);
      const [y] = await runOn('cpu', () =>
        tf.depthwiseConv2d(tf.tensor4d(x, c.x), tf.tensor4d(w, c.filter), c.strides, c.pad, 'NHWC', c.dilations),
      );
      const dx = await runKernelOn(
        'wasm',
        'DepthwiseConv2dNativeBackpropInput',
        { dy: { shape: dyShape(c), values: dy }, filter: { shape: c.filter, values: w } },
        { inputShape: c.x, strides: c.strides, pad: c.pad, dilations: c.dilations },
      );
      const dw = await runKernelOn(
        'wasm',
        'DepthwiseConv2dNativeBackpropFilter',
        { x: { shape: c.x, values: x }, dy: { shape: dyShape(c), values: dy } },
        { filterShape: c.filter, strides: c.strides, pad: c.pad, dilations: c.dilations },
      );
      const dot = (a: Float32Array, b: Float32Array): number => a.reduce((acc, v, i) => acc + v * b[i], 0);
      const lhs = dot(y, dy);
      assert.ok(Math.abs(dot(x, dx) - lhs) < 1e-4 * Math.max(1, Math.abs(lhs)), `${label(c)}: ⟨x,dx⟩ ${dot(x, dx)} vs ${lhs}`);
      assert.ok(Math.abs(dot(w, dw) - lhs) < 1e-4 * Math.max(1, Math.abs(lhs)), `${label(c)}: ⟨w,dw⟩ ${dot(w, dw)} vs ${lhs}`);
    }
  });
});
