import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { backendDataIds, runKernelOn, runOn, seededUniform, setupParityBackends, type ParityBackend } from '../../../test/helpers/tfParity.js';

interface Case {
  images: [number, number, number, number];
  size: [number, number];
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

const cases: Case[] = [
  { images: [2, 4, 5, 3], size: [8, 10], alignCorners: false, halfPixelCenters: false }, // U-Net ×2, batch 2
  { images: [2, 4, 5, 3], size: [8, 10], alignCorners: false, halfPixelCenters: true },
  { images: [1, 4, 5, 2], size: [6, 13], alignCorners: false, halfPixelCenters: false },
  { images: [1, 4, 5, 2], size: [6, 13], alignCorners: true, halfPixelCenters: false },
  { images: [1, 4, 5, 2], size: [6, 13], alignCorners: false, halfPixelCenters: true },
  { images: [2, 3, 3, 2], size: [7, 5], alignCorners: false, halfPixelCenters: false },
  { images: [1, 8, 8, 2], size: [4, 4], alignCorners: false, halfPixelCenters: false }, // downsampling
];

/**
 * The adjoint identity, with the forward resize (not under test) as the oracle:
 * ⟨resize(x), dy⟩ = ⟨x, grad(dy)⟩ for every x; checked for three random x.
 */
async function checkAdjoint(backend: ParityBackend, c: Case): Promise<void> {
  const dyShape = [c.images[0], c.size[0], c.size[1], c.images[3]];
  const dy = seededUniform(dyShape, 3);
  await tf.setBackend(backend);
  const ids = backendDataIds();
  const dx = await runKernelOn(
    backend,
    'ResizeNearestNeighborGrad',
    { images: { shape: c.images }, dy: { shape: dyShape, values: dy } },
    { alignCorners: c.alignCorners, halfPixelCenters: c.halfPixelCenters },
  );
  assert.equal(backendDataIds(), ids, 'leaked data buffers');
  for (const seed of [10, 11, 12]) {
    const x = seededUniform(c.images, seed);
    const [y] = await runOn('cpu', () =>
      tf.image.resizeNearestNeighbor(tf.tensor4d(x, c.images), c.size, c.alignCorners, c.halfPixelCenters),
    );
    const lhs = y.reduce((acc, v, i) => acc + v * dy[i], 0);
    const rhs = x.reduce((acc, v, i) => acc + v * dx[i], 0);
    assert.ok(Math.abs(lhs - rhs) <= 1e-4 * Math.max(1, Math.abs(lhs)), `${backend} ${JSON.stringify(c)}: ⟨Rx,dy⟩=${lhs} vs ⟨x,R*dy⟩=${rhs}`);
  }
}

describe('ResizeNearestNeighborGrad (adjoint of the forward resize as oracle)', () => {
  before(setupParityBackends);

  it('golden: 2×2 → 4×4 gradient sums each 2×2 block of dy', async () => {
    // dy = 0…15 row-major: blocks {0,1,4,5}=10, {2,3,6,7}=18, {8,9,12,13}=42, {10,11,14,15}=50.
    const got = await runKernelOn(
      'wasm',
      'ResizeNearestNeighborGrad',
      { images: { shape: [1, 2, 2, 1] }, dy: { shape: [1, 4, 4, 1], values: Float32Array.from({ length: 16 }, (_, i) => i) } },
      { alignCorners: false, halfPixelCenters: false },
    );
    assert.deepEqual(Array.from(got), [10, 18, 42, 50]);
  });

  for (const backend of ['wasm', 'cpu'] as ParityBackend[]) {
    it(`${backend}: is the exact adjoint of the forward resize (batch > 1, alignCorners, halfPixelCenters, down-sampling)`, async () => {
      for (const c of cases) await checkAdjoint(backend, c);
    });
  }
});
