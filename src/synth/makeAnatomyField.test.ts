import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { seededRandom } from '../numeric/seededRandom.js';
import { makeAnatomyField, type AnatomyGrid } from './makeAnatomyField.js';
import { minJacobianOf } from './minJacobianOf.js';

type Triple = [number, number, number];

/** A grid of `dims` at 1 mm, world = voxel index minus `origin` (so world boxes can be placed). */
function grid(dims: Triple, origin: Triple, label: (x: number, y: number, z: number) => number, image: (x: number, y: number, z: number) => number): AnatomyGrid {
  const n = dims[0] * dims[1] * dims[2];
  const labels = new Int32Array(n), im = new Float32Array(n);
  for (let z = 0, v = 0; z < dims[2]; z++) for (let y = 0; y < dims[1]; y++) for (let x = 0; x < dims[0]; x++, v++) {
    labels[v] = label(x, y, z);
    im[v] = image(x, y, z);
  }
  const affine = [1, 0, 0, -origin[0], 0, 1, 0, -origin[1], 0, 0, 1, -origin[2], 0, 0, 0, 1];
  return { dims, spacingMm: [1, 1, 1], affine, image: im, labels };
}

const dist = (x: number, y: number, z: number, c: Triple) => Math.hypot(x - c[0], y - c[1], z - c[2]);

describe('makeAnatomyField', () => {
  test('a ball of label 1 is scaled radially about its centre by the cube root of its drawn volume factor', () => {
    // Ball of radius 8 voxels: the field's full-weight radius R₁ = 1.29 × RMS radius ≈ 1.29 · √(3/5) · 8 ≈ 8. Inside
    // it the backward map is x ↦ c + (x − c)/s, s = f^(1/3): the ball's volume changes by exactly f.
    const c: Triple = [20, 20, 20];
    const g = grid([41, 41, 41], [0, 0, 0], (x, y, z) => (dist(x, y, z, c) <= 8 ? 1 : 0), () => 1);
    for (const seed of [1, 2, 3, 4]) {
      const { u, info } = makeAnatomyField(g, seededRandom(seed), { ventricleMm: 0, volumeChange: 0.15 });
      const f = info.volumeFactors[1];
      assert.ok(f >= 0.85 && f <= 1.15, `factor ${f}`);
      const s = Math.cbrt(f);
      for (let z = 0, v = 0; z < 41; z++) for (let y = 0; y < 41; y++) for (let x = 0; x < 41; x++, v++) {
        const r = dist(x, y, z, c);
        if (r > 7.5) continue;
        const source = dist(x + u[0][v], y + u[1][v], z + u[2][v], c);
        assert.ok(Math.abs(source - r / s) < 1e-4, `seed ${seed} (${x}, ${y}, ${z}): source at ${source}, expected ${r / s}`);
      }
      assert.ok(info.minJacobian > 0.5, `Jacobian ${info.minJacobian}`);
      assert.equal(info.scale, 1);
      assert.ok(Number.isNaN(info.volumeFactors[0]));
    }
  });

  test('ventricles: a dark unlabelled ellipsoid in the box grows, the more so the larger the push; stray dark voxels are ignored', () => {
    // World origin at the grid centre; ventricle: ellipsoid of semi-axes 3, 8, 5 voxels, dark (0.1), unlabelled,
    // inside labelled tissue (1, intensity 1). A dark unlabelled speck (1 voxel) elsewhere in the box is dropped.
    const c: Triple = [24, 24, 24];
    const inVentricle = (x: number, y: number, z: number) => ((x - c[0]) / 3) ** 2 + ((y - c[1]) / 8) ** 2 + ((z - c[2]) / 5) ** 2 <= 1;
    const speck = (x: number, y: number, z: number) => x === 36 && y === 24 && z === 24;
    const g = grid([49, 49, 49], c, (x, y, z) => (inVentricle(x, y, z) || speck(x, y, z) ? 0 : 1), (x, y, z) => (inVentricle(x, y, z) || speck(x, y, z) ? 0.1 : 1));
    const mask = g.labels.reduce((s, l) => s + (l === 0 ? 1 : 0), 0) - 1;
    let last = 1;
    for (const mm of [1, 2, 3]) {
      // The draw is U(0, ventricleMm): the same seed draws the same fraction of it, so the push grows with `mm`.
      const { info } = makeAnatomyField(g, seededRandom(5), { ventricleMm: mm, ventricleSigmaMm: 4, volumeChange: 0 });
      assert.equal(info.ventricleVoxels, mask);
      assert.ok(info.ventricleVolumeRatio > last, `push ${info.ventricleMm.toFixed(2)} mm: ×${info.ventricleVolumeRatio}`);
      assert.ok(info.minJacobian > 0.1);
      last = info.ventricleVolumeRatio;
    }
    // Outside the box: nothing is found, nothing moves.
    const { u, info } = makeAnatomyField(g, seededRandom(5), { ventricleMm: 3, volumeChange: 0, ventricleBoxMm: [[100, 110], [0, 1], [0, 1]] });
    assert.equal(info.ventricleVoxels, 0);
    assert.ok(u.every((a) => a.every((d) => d === 0)));
  });

  test('the Jacobian guard scales a folding field down until its determinant is above the floor', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.double({ min: 0.1, max: 0.6, noNaN: true }), (seed, floor) => {
        const c: Triple = [16, 16, 16];
        const g = grid([33, 33, 33], c, (x, y, z) => (Math.abs(x - c[0]) <= 1 && Math.abs(y - c[1]) <= 6 ? 0 : 1), (x, y) => (Math.abs(x - c[0]) <= 1 && Math.abs(y - c[1]) <= 6 ? 0 : 1));
        // A 12 mm push on a 3-voxel-wide slab with σ 2 mm folds without the guard.
        const { u, info } = makeAnatomyField(g, seededRandom(seed), { ventricleMm: 12, ventricleSigmaMm: 2, volumeChange: 0.15, minJacobian: floor });
        assert.ok(info.minJacobian >= floor, `${info.minJacobian} < ${floor}`);
        assert.equal(minJacobianOf(u, g.dims), info.minJacobian);
        return true;
      }),
      { numRuns: 4 },
    );
  });

  test('bad input', () => {
    const g = grid([4, 4, 4], [0, 0, 0], () => 1, () => 1);
    assert.throws(() => makeAnatomyField(g, seededRandom(1), { volumeChange: 1 }), /makeAnatomyField: volumeChange is 1, out of range/);
    assert.throws(() => makeAnatomyField(g, seededRandom(1), { ventricleSigmaMm: 0 }), /ventricleSigmaMm is 0, out of range/);
    assert.throws(() => makeAnatomyField({ ...g, labels: new Int32Array(3) }, seededRandom(1)), /makeAnatomyField: 64 intensities and 3 labels for a 4×4×4 grid/);
  });
});
