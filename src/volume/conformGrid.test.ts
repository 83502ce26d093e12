import assert from 'node:assert/strict';
import { test } from 'node:test';
import { conformGrid } from './conformGrid.js';
import { orientationCode } from './orientationCode.js';
import { voxelToWorld } from './Volume.js';

// Colin27's geometry (data/ch2.nii.gz): 181×217×181, 1 mm RAS, origin (−90, −125, −71).
const ch2 = { dims: [181, 217, 181] as [number, number, number], affine: Float64Array.from([1, 0, 0, -90, 0, 1, 0, -125, 0, 0, 1, -71, 0, 0, 0, 1]) };

test('conformGrid: 256³, 1 mm, LIA, voxel 128 on the input\'s centre (voxel dims/2)', () => {
  const g = conformGrid(ch2);
  assert.deepEqual(g.dims, [256, 256, 256]);
  assert.equal(orientationCode(g.affine), 'LIA');
  // Centre of ch2: (−90 + 90.5, −125 + 108.5, −71 + 90.5) = (0.5, −16.5, 19.5).
  assert.deepEqual(voxelToWorld(g.affine, [128, 128, 128]), [0.5, -16.5, 19.5]);
  // One voxel along i, j, k moves 1 mm left, inferior, anterior.
  assert.deepEqual(voxelToWorld(g.affine, [129, 128, 128]), [-0.5, -16.5, 19.5]);
  assert.deepEqual(voxelToWorld(g.affine, [128, 129, 128]), [0.5, -16.5, 18.5]);
  assert.deepEqual(voxelToWorld(g.affine, [128, 128, 129]), [0.5, -15.5, 19.5]);
});

test("conformGrid centre 'voxel': voxel 128 on the input voxel floor(dims/2), so the two grids share voxel centres", () => {
  const g = conformGrid(ch2, { centre: 'voxel' });
  assert.deepEqual(voxelToWorld(g.affine, [128, 128, 128]), voxelToWorld(ch2.affine, [90, 108, 90]));
  // Any conformed voxel lands on an integer ch2 voxel.
  const w = voxelToWorld(g.affine, [3, 250, 77]);
  const v = [w[0] + 90, w[1] + 125, w[2] + 71];
  assert.ok(v.every(Number.isInteger), v.join(', '));
});

test('conformGrid: an oblique anisotropic input gets the same exact LIA directions; size and voxelMm options', () => {
  const c = Math.cos(0.3);
  const s = Math.sin(0.3);
  const oblique = { dims: [100, 80, 40] as [number, number, number], affine: Float64Array.from([0.9 * c, -1.1 * s, 0, 5, 0.9 * s, 1.1 * c, 0, -7, 0, 0, 3, 11, 0, 0, 0, 1]) };
  const g = conformGrid(oblique, { size: 64, voxelMm: 2 });
  assert.deepEqual(g.dims, [64, 64, 64]);
  assert.deepEqual([...g.affine.subarray(0, 3)], [-2, 0, 0]);
  const [a, b] = [voxelToWorld(g.affine, [32, 32, 32]), voxelToWorld(oblique.affine, [50, 40, 20])];
  a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) < 1e-12, `${a} vs ${b}`));
  assert.throws(() => conformGrid(oblique, { size: 0 }), /conformGrid: size 0, expected a positive integer/);
});

test('orientationCode: RAS, LIA, LPS and the nearest code of an oblique affine', () => {
  assert.equal(orientationCode([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]), 'RAS');
  assert.equal(orientationCode([-1, 0, 0, 0, 0, 0, 1, 0, 0, -1, 0, 0, 0, 0, 0, 1]), 'LIA');
  assert.equal(orientationCode([-2, 0, 0, 0, 0, -2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1]), 'LPS');
  assert.equal(orientationCode([0.9, -0.3, 0, 0, 0.3, 0.9, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]), 'RAS');
});
