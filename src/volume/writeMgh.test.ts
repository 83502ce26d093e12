import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { verifyVolume } from '../../test/helpers/niftiFixtures.js';
import { readMgh } from './readMgh.js';
import { makeVolume } from './Volume.js';
import { writeMgh } from './writeMgh.js';

/** Row-major affine of a rotation by `degrees` about z, then voxel sizes `zooms`, then `origin`. */
function obliqueAffine(degrees: number, zooms: [number, number, number], origin: [number, number, number]): number[] {
  const a = (degrees * Math.PI) / 180;
  const [c, s] = [Math.cos(a), Math.sin(a)];
  return [c * zooms[0], -s * zooms[1], 0, origin[0], s * zooms[0], c * zooms[1], 0, origin[1], 0, 0, zooms[2], origin[2], 0, 0, 0, 1];
}

describe('writeMgh', () => {
  test('header bytes: delta = column lengths, Mdc = unit columns, c_ras = A·(dims/2), goodRASFlag 1, big-endian', () => {
    // diag(2, 3, 4) with origin (8, 17, 28) on 2×2×1: c_ras = (8 + 2·1, 17 + 3·1, 28 + 4·0.5) = (10, 20, 30).
    const v = makeVolume([2, 2, 1], Int16Array.from([-300, 1, 2, 300]), { affine: [2, 0, 0, 8, 0, 3, 0, 17, 0, 0, 4, 28, 0, 0, 0, 1] });
    const bytes = writeMgh(v, { kind: 'labels' });
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const i32 = (o: number) => view.getInt32(o, false);
    const f32 = (o: number, n: number) => Array.from({ length: n }, (_, i) => view.getFloat32(o + 4 * i, false));
    assert.deepEqual([i32(0), i32(4), i32(8), i32(12), i32(16), i32(20), view.getInt16(28, false)], [1, 2, 2, 1, 1, 4, 1]);
    assert.deepEqual(f32(30, 3), [2, 3, 4]);
    assert.deepEqual(f32(42, 9), [1, 0, 0, 0, 1, 0, 0, 0, 1]);
    assert.deepEqual(f32(78, 3), [10, 20, 30]);
    assert.deepEqual([0, 1, 2, 3].map((i) => view.getInt16(284 + 2 * i, false)), [-300, 1, 2, 300]);
    assert.equal(bytes.length, 284 + 8 + 20); // + TR, flip angle, TE, TI, FoV
  });

  test('round trip through readMgh: oblique anisotropic affine, frames, gzip', () => {
    const affine = obliqueAffine(25, [0.9, 1.3, 2.5], [-40.5, 12, 3.25]);
    const data = Float32Array.from({ length: 3 * 4 * 5 * 2 }, (_, i) => Math.sin(i) * 100);
    const v = makeVolume([3, 4, 5], data, { affine });
    for (const gzip of [false, true]) {
      const bytes = writeMgh(v, { kind: 'image', gzip });
      assert.equal(bytes[0] === 0x1f && bytes[1] === 0x8b, gzip);
      verifyVolume(readMgh(bytes), { dims: [3, 4, 5], frames: 2, spacingMm: [0.9, 1.3, 2.5], affine, dataType: 'Float32Array', data }, 2e-5);
    }
  });

  test('labels: the smallest of uchar, short, int; a preferred type when it fits', () => {
    const type = (data: number[], prefer?: 'uint8' | 'int16' | 'uint16' | 'int32') =>
      new DataView(writeMgh(makeVolume([data.length, 1, 1], Float64Array.from(data)), { kind: 'labels', preferDatatype: prefer }).buffer).getInt32(20, false);
    assert.equal(type([0, 255]), 0);
    assert.equal(type([-1, 255]), 4);
    assert.equal(type([0, 40000]), 1);
    assert.equal(type([0, 3], 'int32'), 1);
    assert.equal(type([0, 40000], 'uint16'), 10);
    assert.equal(type([0, 300], 'uint8'), 4); // does not fit: smallest
    const big = makeVolume([2, 1, 1], Float64Array.from([0, 70000]));
    verifyVolume(readMgh(gunzipSync(writeMgh(big, { kind: 'labels', gzip: true }))), { dims: [2, 1, 1], dataType: 'Int32Array', data: [0, 70000] });
  });

  test('refused: a sheared affine, a non-integer label, labels beyond int32, a data length that does not match', () => {
    const sheared = makeVolume([2, 2, 2], new Float32Array(8), { affine: [1, 0.5, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1] });
    assert.throws(() => writeMgh(sheared, { kind: 'image' }), /writeMgh: affine columns 0 and 1 have cosine 0\.447, expected orthogonal directions/);
    const singular = makeVolume([2, 2, 2], new Float32Array(8), { affine: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1] });
    assert.throws(() => writeMgh(singular, { kind: 'image' }), /writeMgh: affine column lengths 1, 0, 1, expected non-zero voxel sizes/);
    assert.throws(() => writeMgh(makeVolume([2, 1, 1], Float32Array.from([1, 1.5])), { kind: 'labels' }), /writeMgh: label value 1\.5 at voxel 1 \(i=1, j=0, k=0\) is not an integer/);
    assert.throws(() => writeMgh(makeVolume([2, 1, 1], Float64Array.from([0, 2 ** 31])), { kind: 'labels' }), /writeMgh: labels span 0\.\.2147483648, which does not fit in int32/);
    const bad = { ...makeVolume([2, 1, 1], new Float32Array(2)), frames: 2 };
    assert.throws(() => writeMgh(bad, { kind: 'image' }), /writeMgh: data has 2 values, expected 2×1×1×2 = 4/);
  });
});

test("writeMgh / writeNifti: an image with preferDatatype 'uint8' stays uchar when its data are a Uint8Array, else float", async () => {
  const { writeNifti } = await import('./writeNifti.js');
  const { readNifti } = await import('./readNifti.js');
  const bytes = makeVolume([2, 1, 1], Uint8Array.from([0, 255]));
  assert.equal(readMgh(writeMgh(bytes, { kind: 'image', preferDatatype: 'uint8' })).data.constructor, Uint8Array);
  assert.equal(readMgh(writeMgh(bytes, { kind: 'image' })).data.constructor, Float32Array);
  const nifti = readNifti(writeNifti(bytes, { kind: 'image', preferDatatype: 'uint8' }));
  assert.deepEqual([nifti.data.constructor, nifti.header.intentCode], [Uint8Array, 0]);
  const floats = makeVolume([2, 1, 1], Float32Array.from([0, 1.5]));
  assert.equal(readMgh(writeMgh(floats, { kind: 'image', preferDatatype: 'uint8' })).data.constructor, Float32Array);
});
