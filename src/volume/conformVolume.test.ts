import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { seededRandom } from '../numeric/seededRandom.js';
import { conformVolume } from './conformVolume.js';
import { orientationCode } from './orientationCode.js';
import { readNifti } from './readNifti.js';
import { resampleVolume } from './resampleVolume.js';
import { makeVolume, voxelToWorld, type Volume } from './Volume.js';

const DATA = path.join(import.meta.dirname, '../../data');

/** Seeded blocky label map (labels 0..9 in 3×3×3-voxel blocks) on the given grid. */
function blockLabels(dims: [number, number, number], affine: number[], seed: number): Volume {
  const rng = seededRandom(seed);
  const table = Array.from({ length: 1000 }, () => Math.floor(rng.next() * 10));
  const data = new Uint8Array(dims[0] * dims[1] * dims[2]);
  for (let k = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++) {
    data[i + dims[0] * (j + dims[1] * k)] = table[(Math.floor(i / 3) + 7 * Math.floor(j / 3) + 49 * Math.floor(k / 3)) % 1000];
  }
  return makeVolume(dims, data, { affine });
}

describe('conformVolume', () => {
  test('labels, conform then back, return the original exactly where the grids share voxel centres', () => {
    // Even dims, 1 mm, RAS: mri_convert's centre (dims/2) is a voxel centre. Odd dims: centre 'voxel' makes it one.
    const cases: Array<[[number, number, number], number[], 'mri_convert' | 'voxel']> = [
      [[20, 14, 10], [1, 0, 0, -9.5, 0, 1, 0, 3, 0, 0, 1, 40.25, 0, 0, 0, 1], 'mri_convert'],
      [[21, 15, 9], [1, 0, 0, -9.5, 0, 1, 0, 3, 0, 0, 1, 40.25, 0, 0, 0, 1], 'voxel'],
      [[13, 16, 11], [0, 0, -1, 5, -1, 0, 0, 7, 0, 1, 0, -3, 0, 0, 0, 1], 'voxel'], // PSL-like axis order
    ];
    for (const [dims, affine, centre] of cases) {
      const labels = blockLabels(dims, affine, dims[0]);
      const { volume: conformed } = conformVolume(labels, { kind: 'labels', size: 32, centre });
      assert.equal(orientationCode(conformed.affine), 'LIA');
      assert.equal(conformed.data.constructor, Uint8Array);
      const back = resampleVolume(conformed, labels, { interpolation: 'nearest' });
      assert.deepEqual([...back.data], [...labels.data], `${dims.join('×')} ${centre}`);
    }
  });

  test("uchar intensities: a non-uint8 image is scaled by FreeSurfer's robust range; zeros stay 0; a uint8 image is not rescaled", () => {
    const dims: [number, number, number] = [16, 16, 16];
    const float = makeVolume(dims, Float32Array.from({ length: 16 ** 3 }, (_, i) => (i % 16 === 0 ? 0 : 1000 + (i % 997))));
    const { volume, scaling } = conformVolume(float, { size: 16, centre: 'voxel' });
    assert.equal(volume.data.constructor, Uint8Array);
    assert.ok(scaling && Math.abs(scaling.srcMin - 0) < 1e-9, JSON.stringify(scaling));
    // Same grid centres (centre 'voxel', 1 mm, only a reorientation): each voxel is clip(round(v · scale)).
    const source = resampleVolume(float, volume, { interpolation: 'nearest' });
    for (let i = 0; i < volume.data.length; i++) {
      const expected = source.data[i] === 0 ? 0 : Math.min(255, Math.round(source.data[i] * scaling!.scale));
      assert.ok(Math.abs(volume.data[i] - expected) <= 0, `voxel ${i}: ${volume.data[i]} vs ${expected}`);
    }
    const bytes = makeVolume(dims, Uint8Array.from({ length: 16 ** 3 }, (_, i) => i % 256));
    // Size 18: flipped about voxel 8, a 16-voxel axis spans conformed voxels 1..16 (size 16 would drop one slice).
    const u = conformVolume(bytes, { size: 18, centre: 'voxel' });
    assert.equal(u.scaling, null);
    assert.deepEqual([...resampleVolume(u.volume, bytes, { interpolation: 'nearest' }).data], [...bytes.data]);
    const kept = conformVolume(float, { size: 16, intensity: 'keep', centre: 'voxel' });
    assert.equal(kept.volume.data.constructor, Float32Array);
    assert.equal(Math.max(...kept.volume.data), Math.max(...float.data));
    assert.throws(() => conformVolume(makeVolume([2, 2, 2], new Float32Array(16))), /conformVolume: volume has 2 frames, expected one 3D volume/);
  });

  test('Colin27 (data/ch2.nii.gz, 181×217×181 1 mm RAS uint8) conforms to 256³ 1 mm LIA around its centre, and AAL goes back exactly', () => {
    const ch2 = readNifti(readFileSync(path.join(DATA, 'ch2.nii.gz')), { source: 'ch2.nii.gz' });
    const { volume, scaling } = conformVolume(ch2);
    assert.deepEqual(volume.dims, [256, 256, 256]);
    assert.deepEqual(volume.spacingMm, [1, 1, 1]);
    assert.equal(orientationCode(volume.affine), 'LIA');
    assert.equal(scaling, null); // uint8 already: FreeSurfer does not rescale
    assert.deepEqual(voxelToWorld(volume.affine, [128, 128, 128]), voxelToWorld(ch2.affine, [90.5, 108.5, 90.5]));
    // Every voxel of the head lies inside the 256 mm cube: the intensity sum is kept up to interpolation (±1 %).
    const sum = (v: ArrayLike<number>) => { let s = 0; for (let i = 0; i < v.length; i++) s += v[i]; return s; };
    const ratio = sum(volume.data) / sum(ch2.data);
    assert.ok(Math.abs(ratio - 1) < 0.01, `sum ratio ${ratio}`);

    const aal = readNifti(readFileSync(path.join(DATA, 'aal.nii.gz')), { source: 'aal.nii.gz' });
    const exact = conformVolume(aal, { kind: 'labels', centre: 'voxel' }).volume;
    assert.deepEqual(resampleVolume(exact, aal, { interpolation: 'nearest' }).data, aal.data);
  });
});
