import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { bruteForceEdt } from '../../test/helpers/metricOracles.js';
import { euclideanDistanceTransform } from './euclideanDistanceTransform.js';

describe('euclideanDistanceTransform: golden values', () => {
  test('a row with 2 mm voxels: distances 0, 2, 4', () => {
    assert.deepEqual([...euclideanDistanceTransform(Uint8Array.from([1, 0, 0]), [3, 1, 1], { spacingMm: [2, 1, 1] })], [0, 2, 4]);
  });
  test('3×3×1 with the centre set: edges 1, corners √2; anisotropic (1, 3): edges 1 and 3, corners √10', () => {
    const mask = Uint8Array.from([0, 0, 0, 0, 1, 0, 0, 0, 0]);
    const r2 = Math.SQRT2;
    assert.deepEqual([...euclideanDistanceTransform(mask, [3, 3, 1])], [r2, 1, r2, 1, 0, 1, r2, 1, r2]);
    const s = Math.sqrt(10);
    assert.deepEqual([...euclideanDistanceTransform(mask, [3, 3, 1], { spacingMm: [1, 3, 1], output: 'squared' })], [10, 9, 10, 1, 0, 1, 10, 9, 10]);
    assert.equal(euclideanDistanceTransform(mask, [3, 3, 1], { spacingMm: [1, 3, 1] })[0], s);
  });
  test('two features along z: the nearest one wins (z spacing 0.5)', () => {
    const mask = Uint8Array.from([1, 0, 0, 0, 0, 1]);
    assert.deepEqual([...euclideanDistanceTransform(mask, [1, 1, 6], { spacingMm: [1, 1, 0.5] })], [0, 0.5, 1, 1, 0.5, 0]);
  });
  test('an empty mask is infinitely far', () => {
    assert.deepEqual([...euclideanDistanceTransform(new Uint8Array(4), [2, 2, 1])], [Infinity, Infinity, Infinity, Infinity]);
  });
  test('errors', () => {
    assert.throws(() => euclideanDistanceTransform(new Uint8Array(3), [2, 2, 1]), /mask has 3 voxels, expected 2×2×1 = 4/);
    assert.throws(() => euclideanDistanceTransform(new Uint8Array(4), [2, 2, 1], { spacingMm: [1, 0, 1] }), /spacing 1×0×1 mm/);
  });
});

describe('euclideanDistanceTransform: against brute force', () => {
  test('random masks and spacings: squared distances agree to 1e-9', () => {
    const arb = fc
      .record({ nx: fc.integer({ min: 1, max: 7 }), ny: fc.integer({ min: 1, max: 7 }), nz: fc.integer({ min: 1, max: 6 }) })
      .chain(({ nx, ny, nz }) =>
        fc.record({
          dims: fc.constant([nx, ny, nz] as [number, number, number]),
          // Sparse masks exercise long envelopes; dense ones many short ones.
          mask: fc.array(fc.integer({ min: 0, max: 9 }).map((x) => (x < 2 ? 1 : 0)), { minLength: nx * ny * nz, maxLength: nx * ny * nz }),
          spacing: fc.tuple(...[0, 1, 2].map(() => fc.double({ min: 0.3, max: 3, noNaN: true }))) as fc.Arbitrary<[number, number, number]>,
        }),
      );
    fc.assert(
      fc.property(arb, ({ dims, mask, spacing }) => {
        const got = euclideanDistanceTransform(mask, dims, { spacingMm: spacing, output: 'squared' });
        const want = bruteForceEdt(mask, dims, spacing);
        for (let v = 0; v < got.length; v++) {
          if (want[v] === Infinity) assert.equal(got[v], Infinity);
          else assert.ok(Math.abs(got[v] - want[v]) <= 1e-9 * Math.max(1, want[v]), `voxel ${v}: ${got[v]} vs ${want[v]}`);
        }
      }),
      { numRuns: 300, seed: 5 },
    );
  });
});
