import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ballMask, boxVolume, bruteForceSurface, bruteForceSurfaceDistances, numpyPercentile } from '../../test/helpers/metricOracles.js';
import { averageSurfaceDistance } from './averageSurfaceDistance.js';
import { hausdorff95 } from './hausdorff95.js';
import { percentile } from './percentile.js';
import { surfaceDistances } from './surfaceDistances.js';
import { surfaceMask } from './surfaceMask.js';

describe('percentile', () => {
  test('numpy.percentile values', () => {
    // np.percentile([1, 2, 3, 4], 50) = 2.5; q = 95 → rank 2.85 → 3 + 0.85 = 3.85.
    assert.equal(percentile([4, 1, 3, 2], 50), 2.5);
    assert.ok(Math.abs(percentile([1, 2, 3, 4], 95) - 3.85) < 1e-12);
    assert.equal(percentile([7], 95), 7);
    assert.equal(percentile([1, 9], 0), 1);
    assert.equal(percentile([1, 9], 100), 9);
    assert.throws(() => percentile([], 50), /empty sample/);
    assert.throws(() => percentile([1], 101), /q is 101/);
  });
});

describe('surfaceMask', () => {
  test('a 3×3×3 cube in a 5³ grid: all but its centre; the same cube filling the grid: all (grid border)', () => {
    const cube = boxVolume([5, 5, 5], [1, 1, 1], [3, 3, 3]);
    assert.equal(surfaceMask(cube, [5, 5, 5]).reduce((s, x) => s + x, 0), 26);
    assert.equal(surfaceMask(new Uint8Array(27).fill(1), [3, 3, 3]).reduce((s, x) => s + x, 0), 26);
  });
});

describe('surfaceDistances, hausdorff95, averageSurfaceDistance: known shapes', () => {
  test('two cubes shifted by 2 voxels along x (spacing 1.5 mm): HD95 = 3 mm', () => {
    const dims = [12, 8, 8] as const;
    const a = boxVolume(dims, [2, 2, 2], [5, 5, 5]);
    const b = boxVolume(dims, [4, 2, 2], [7, 5, 5]);
    const d = surfaceDistances(a, b, dims, { spacingMm: [1.5, 1, 1] });
    // Surfaces: 4³ − 2³ = 56 voxels each. From A: the x = 2 face (16 voxels) is 2 voxels = 3 mm from B's x = 4
    // face; the x = 3 ring (12) is 1.5 mm from it; the x = 4 ring and x = 5 ring (24) lie on B's side faces (0);
    // the 4 centre voxels of A's x = 5 face are 1 mm (one y step) from B's y = 2 side.
    assert.equal(d.aToB.length, 56);
    assert.deepEqual([...d.aToB].sort((x, y) => x - y), [...Array(24).fill(0), ...Array(4).fill(1), ...Array(12).fill(1.5), ...Array(16).fill(3)]);
    assert.equal(hausdorff95(d), 3);
    assert.equal(hausdorff95(d, { percentile: 100 }), 3);
    // ASSD: each direction (symmetric by mirroring) holds 16 × 3 + 12 × 1.5 + 4 × 1 = 70 mm over 56 voxels.
    assert.ok(Math.abs(averageSurfaceDistance(d) - 140 / 112) < 1e-12);
  });

  test('concentric balls of radius 6 and 3: every directed distance is about 3 voxels, anisotropy scales it', () => {
    const dims = [17, 17, 17] as const;
    const big = ballMask(dims, [8, 8, 8], 6);
    const small = ballMask(dims, [8, 8, 8], 3);
    const d = surfaceDistances(big, small, dims);
    // Digital spheres: surface voxels sit within one voxel of their ideal radius.
    assert.ok(hausdorff95(d) >= 2 && hausdorff95(d) <= 4, `HD95 ${hausdorff95(d)}`);
    assert.ok(averageSurfaceDistance(d) >= 2 && averageSurfaceDistance(d) <= 4);
    // The same voxels with 2 mm spacing: every distance doubles.
    const d2 = surfaceDistances(big, small, dims, { spacingMm: [2, 2, 2] });
    assert.ok(Math.abs(hausdorff95(d2) - 2 * hausdorff95(d)) < 1e-12);
  });

  test('identical masks: all distances 0', () => {
    const ball = ballMask([9, 9, 9], [4, 4, 4], 3);
    const d = surfaceDistances(ball, ball, [9, 9, 9]);
    assert.equal(hausdorff95(d), 0);
    assert.equal(averageSurfaceDistance(d), 0);
  });

  test('an empty mask is an error', () => {
    assert.throws(() => surfaceDistances(new Uint8Array(8), Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0]), [2, 2, 2]), /mask a is empty/);
  });
});

describe('surfaceDistances: against a brute-force pair search', () => {
  test('random masks, random anisotropic spacing: directed distances, HD95 and ASSD agree', () => {
    const arb = fc
      .record({ nx: fc.integer({ min: 2, max: 7 }), ny: fc.integer({ min: 2, max: 7 }), nz: fc.integer({ min: 1, max: 6 }) })
      .chain(({ nx, ny, nz }) =>
        fc.record({
          dims: fc.constant([nx, ny, nz] as [number, number, number]),
          a: fc.array(fc.integer({ min: 0, max: 2 }).map((x) => (x === 0 ? 1 : 0)), { minLength: nx * ny * nz, maxLength: nx * ny * nz }),
          b: fc.array(fc.integer({ min: 0, max: 2 }).map((x) => (x === 0 ? 1 : 0)), { minLength: nx * ny * nz, maxLength: nx * ny * nz }),
          spacing: fc.tuple(...[0, 1, 2].map(() => fc.double({ min: 0.4, max: 2.5, noNaN: true }))) as fc.Arbitrary<[number, number, number]>,
        }),
      );
    fc.assert(
      fc.property(arb, ({ dims, a, b, spacing }) => {
        fc.pre(a.includes(1) && b.includes(1));
        const got = surfaceDistances(a, b, dims, { spacingMm: spacing });
        const want = bruteForceSurfaceDistances(a, b, dims, spacing);
        assert.equal(got.aToB.length, bruteForceSurface(a, dims).length);
        want.aToB.forEach((x, t) => assert.ok(Math.abs(got.aToB[t] - x) < 1e-9));
        want.bToA.forEach((x, t) => assert.ok(Math.abs(got.bToA[t] - x) < 1e-9));
        const hd = Math.max(numpyPercentile(want.aToB, 95), numpyPercentile(want.bToA, 95));
        assert.ok(Math.abs(hausdorff95(got) - hd) < 1e-9);
        const all = [...want.aToB, ...want.bToA];
        assert.ok(Math.abs(averageSurfaceDistance(got) - all.reduce((s, x) => s + x, 0) / all.length) < 1e-9);
      }),
      { numRuns: 150, seed: 3 },
    );
  });
});
