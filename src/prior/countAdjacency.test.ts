import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { bruteForceAdjacency } from '../../test/helpers/bruteForceAdjacency.js';
import { countAdjacency } from './countAdjacency.js';

const at = (m: Float64Array, L: number, i: number, j: number) => m[i * L + j];

describe('countAdjacency: golden values', () => {
  test('2×2×2 cube with eight distinct labels', () => {
    const labels = Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
    // 26: every pair of voxels of a 2×2×2 cube is at Chebyshev distance 1 → all off-diagonal entries 1.
    const c26 = countAdjacency(labels, [2, 2, 2]).counts;
    for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) assert.equal(at(c26, 8, i, j), i === j ? 0 : 1);
    // 6: voxel 0 (0,0,0) touches 1 (x), 2 (y), 4 (z) only.
    const c6 = countAdjacency(labels, [2, 2, 2], { connectivity: 6 }).counts;
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7].map((j) => at(c6, 8, 0, j)), [0, 1, 1, 0, 1, 0, 0, 0]);
    // 18: everything but the opposite corner (voxel 7).
    const c18 = countAdjacency(labels, [2, 2, 2], { connectivity: 18 }).counts;
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7].map((j) => at(c18, 8, 0, j)), [0, 1, 1, 1, 1, 1, 1, 0]);
  });

  test('3×3×3 of one label: the diagonal counts every ordered neighbour pair', () => {
    const labels = new Uint8Array(27);
    // Σ over offsets d of Π(3 − |d_a|): 26 → (2+3+2)³ − 27 = 316; 6 → 6·18 = 108; 18 → 108 + 12·12 = 252.
    assert.equal(countAdjacency(labels, [3, 3, 3]).counts[0], 316);
    assert.equal(countAdjacency(labels, [3, 3, 3], { connectivity: 6 }).counts[0], 108);
    assert.equal(countAdjacency(labels, [3, 3, 3], { connectivity: 18 }).counts[0], 252);
  });

  test('radius 2 on a 5-voxel line: offsets ±1 (4 pairs each way) and ±2 (3 each way) → 14', () => {
    assert.equal(countAdjacency(new Uint8Array(5), [5, 1, 1], { radius: 2 }).counts[0], 14);
  });

  test('−1 voxels take part in no pair, but do not block a radius-2 neighbour', () => {
    const labels = Int16Array.from([0, -1, 1]);
    assert.deepEqual([...countAdjacency(labels, [3, 1, 1]).counts], [0, 0, 0, 0]);
    assert.deepEqual([...countAdjacency(labels, [3, 1, 1], { radius: 2 }).counts], [0, 1, 1, 0]);
  });

  test('many runs per row (the run buffers grow past their first size) still match the oracle', () => {
    const dims: [number, number, number] = [400, 2, 2];
    const labels = Uint8Array.from({ length: 1600 }, (_, v) => (v * 7 + (v >> 3)) % 3);
    assert.deepEqual([...countAdjacency(labels, dims).counts], [...bruteForceAdjacency(labels, dims, 3)]);
  });

  test('numLabels defaults to max + 1 and may be larger', () => {
    assert.equal(countAdjacency(Uint8Array.from([0, 2]), [2, 1, 1]).numLabels, 3);
    assert.equal(countAdjacency(Uint8Array.from([0, 2]), [2, 1, 1], { numLabels: 5 }).counts.length, 25);
  });
});

describe('countAdjacency: errors', () => {
  test('a label ≥ numLabels names the value, its voxel count and the file', () => {
    assert.throws(
      () => countAdjacency(Uint8Array.from([0, 7, 7]), [3, 1, 1], { numLabels: 5, source: 'a.nii.gz' }),
      /a\.nii\.gz: unexpected label 7 \(2 voxels\); expected labels in 0\.\.4 \(nb_labels = 5\)/,
    );
  });
  test('a negative label other than −1', () => {
    assert.throws(() => countAdjacency(Int8Array.from([0, -3]), [2, 1, 1]), /unexpected label -3 \(1 voxel\)/);
  });
  test('non-integer and NaN values', () => {
    assert.throws(() => countAdjacency(Float32Array.from([0, 1.5]), [2, 1, 1]), /voxel 1 holds 1\.5, expected an integer label/);
    assert.throws(() => countAdjacency(Float32Array.from([NaN, 1]), [2, 1, 1]), /voxel 0 holds NaN/);
  });
  test('length mismatch', () => {
    assert.throws(() => countAdjacency(new Uint8Array(5), [2, 2, 1]), /5 labels for a 2×2×1 grid, expected 4/);
  });
});

/** Random small label volumes: dims 1..6 per axis, labels −1..L−1. */
const volumeArb = fc
  .record({ nx: fc.integer({ min: 1, max: 6 }), ny: fc.integer({ min: 1, max: 6 }), nz: fc.integer({ min: 1, max: 6 }), L: fc.integer({ min: 1, max: 5 }) })
  .chain(({ nx, ny, nz, L }) =>
    fc.record({
      dims: fc.constant([nx, ny, nz] as [number, number, number]),
      L: fc.constant(L),
      // Few labels so runs form and the run-length code paths get exercised.
      labels: fc.array(fc.integer({ min: -1, max: L - 1 }), { minLength: nx * ny * nz, maxLength: nx * ny * nz }),
      connectivity: fc.constantFrom(6 as const, 18 as const, 26 as const),
      radius: fc.integer({ min: 1, max: 3 }),
    }),
  );

describe('countAdjacency: properties', () => {
  test('equals the brute-force oracle (6/18/26, radius 1..3, with −1)', () => {
    fc.assert(
      fc.property(volumeArb, ({ dims, L, labels, connectivity, radius }) => {
        const got = countAdjacency(Int16Array.from(labels), dims, { numLabels: L, connectivity, radius }).counts;
        assert.deepEqual([...got], [...bruteForceAdjacency(labels, dims, L, connectivity, radius)]);
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  test('symmetric, and invariant to flips and axis permutations; relabelling permutes the matrix', () => {
    fc.assert(
      fc.property(volumeArb, fc.integer({ min: 0, max: 5 }), ({ dims, L, labels, connectivity, radius }, permIndex) => {
        const [nx, ny, nz] = dims;
        const base = countAdjacency(labels, dims, { numLabels: L, connectivity, radius }).counts;
        for (let i = 0; i < L; i++) for (let j = 0; j < L; j++) assert.equal(base[i * L + j], base[j * L + i]);
        // Flip x, y and z together and permute axes by `perm`.
        const perms = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
        const perm = perms[permIndex];
        const newDims = perm.map((a) => dims[a]) as [number, number, number];
        const moved = new Int16Array(labels.length);
        for (let z = 0; z < nz; z++)
          for (let y = 0; y < ny; y++)
            for (let x = 0; x < nx; x++) {
              const c = [nx - 1 - x, ny - 1 - y, nz - 1 - z];
              const q = perm.map((a) => c[a]);
              moved[q[0] + newDims[0] * (q[1] + newDims[1] * q[2])] = labels[x + nx * (y + ny * z)];
            }
        assert.deepEqual([...countAdjacency(moved, newDims, { numLabels: L, connectivity, radius }).counts], [...base]);
        // Relabel with the cyclic shift l → (l + 1) mod L.
        const shifted = labels.map((l) => (l < 0 ? l : (l + 1) % L));
        const c = countAdjacency(shifted, dims, { numLabels: L, connectivity, radius }).counts;
        for (let i = 0; i < L; i++) for (let j = 0; j < L; j++) assert.equal(c[((i + 1) % L) * L + ((j + 1) % L)], base[i * L + j]);
      }),
      { numRuns: 150, seed: 7 },
    );
  });
});
