import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { buildMgh } from '../../test/helpers/mghFixtures.js';
import { verifyVolume } from '../../test/helpers/niftiFixtures.js';
import { readMgh } from './readMgh.js';

const FIXTURES = path.join(import.meta.dirname, '../../test/fixtures/mgh');

function throwsMessage(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (error: Error) => {
    assert.match(error.message, message);
    return true;
  });
}

/** `bytes` with the big-endian int32 at `offset` set to `value` (a field the builder would size the data by). */
function withInt32(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  new DataView(bytes.buffer, bytes.byteOffset).setInt32(offset, value, false);
  return bytes;
}

describe('readMgh', () => {
  test('a header built byte by byte: affine = [Mdc·diag(delta) | c_ras − M·dims/2], voxels big-endian x fastest', () => {
    // M = diag(2, 3, 4); the centre voxel (dims/2) = (1, 1, 0.5) maps to c_ras (10, 20, 30), so the origin is
    // (10 − 2·1, 20 − 3·1, 30 − 4·0.5) = (8, 17, 28).
    const bytes = buildMgh({ dims: [2, 2, 1, 1], type: 4, delta: [2, 3, 4], mdc: [1, 0, 0, 0, 1, 0, 0, 0, 1], cRas: [10, 20, 30], data: [-300, 1, 2, 32767] });
    const v = readMgh(bytes, { source: 'golden.mgh' });
    verifyVolume(v, { dims: [2, 2, 1], spacingMm: [2, 3, 4], affine: [2, 0, 0, 8, 0, 3, 0, 17, 0, 0, 4, 28, 0, 0, 0, 1], dataType: 'Int16Array', data: [-300, 1, 2, 32767] });
    assert.equal(v.header.format, 'mgh');
    assert.equal(v.header.datatype, 'int16');
    assert.deepEqual([v.header.qformCode, v.header.sformCode], [1, 1]);
  });

  test('goodRASFlag 0: the stored geometry is ignored for FreeSurfer\'s default (1 mm, LIA, c_ras 0)', () => {
    // M = [[-1,0,0],[0,0,1],[0,-1,0]] (i→L, j→I, k→A); origin = −M·(1, 1, 1) = (1, −1, 1).
    const v = readMgh(buildMgh({ dims: [2, 2, 2, 1], type: 0, goodRASFlag: 0, delta: [7, 7, 7], cRas: [5, 5, 5] }));
    verifyVolume(v, { dims: [2, 2, 2], spacingMm: [1, 1, 1], affine: [-1, 0, 0, 1, 0, 0, 1, -1, 0, -1, 0, 1, 0, 0, 0, 1], dataType: 'Uint8Array' });
  });

  test('every type FreeSurfer writes as a scalar, 4D frames, one frame, and the tail ignored', () => {
    const tail = new Uint8Array(20 + 64).fill(7);
    for (const [type, name] of [[0, 'Uint8Array'], [1, 'Int32Array'], [3, 'Float32Array'], [4, 'Int16Array'], [10, 'Uint16Array']] as const) {
      const data = [0, 1, 2, 3, 4, 5, 6, type === 3 ? 0.5 : 200];
      const bytes = buildMgh({ dims: [2, 1, 2, 2], type, data, tail });
      verifyVolume(readMgh(bytes), { dims: [2, 1, 2], frames: 2, dataType: name, data });
      verifyVolume(readMgh(gzipSync(bytes), { frame: 1 }), { dims: [2, 1, 2], dataType: name, data: data.slice(4) });
    }
  });

  test('fixtures written by nibabel 5.0 read as nibabel reads them (shape, dtype, affine, voxels)', () => {
    const expected = JSON.parse(readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8')) as Record<string, { shape: number[]; dtype: string; affine: number[]; data: number[] }>;
    const types: Record<string, string> = { '>i2': 'Int16Array', '>f4': 'Float32Array', uint8: 'Uint8Array', '>i4': 'Int32Array' };
    assert.equal(Object.keys(expected).length, 4);
    for (const [name, e] of Object.entries(expected)) {
      const v = readMgh(readFileSync(path.join(FIXTURES, name)), { source: name });
      verifyVolume(v, { dims: [e.shape[0], e.shape[1], e.shape[2]], frames: e.shape[3] ?? 1, affine: e.affine, dataType: types[e.dtype], data: e.data }, 1e-5);
    }
  });

  test('bad input: one error naming the file, the value and what was expected', () => {
    const ok = { dims: [2, 2, 2, 1] as [number, number, number, number], type: 3 };
    const cases: Array<[Uint8Array, RegExp]> = [
      [new Uint8Array(100), /readMgh: f\.mgh: file has 100 bytes, too short for an MGH header \(284 bytes\)/],
      [buildMgh({ ...ok, version: 2 }), /readMgh: f\.mgh: version is 2, expected 1: not an MGH file/],
      [buildMgh({ ...ok, type: 2, bytesPerVoxel: 8 }), /type 2 \(MRI_LONG\) is not supported, expected 0 \(MRI_UCHAR\)/],
      [buildMgh({ ...ok, type: 77, bytesPerVoxel: 1 }), /type 77 is not supported/],
      [buildMgh({ ...ok, dims: [2, 0, 2, 1] }), /height is 0, expected a positive integer/],
      [withInt32(buildMgh(ok), 16, -1), /nframes is -1, expected a positive integer/],
      [buildMgh(ok).subarray(0, 300), /file has 300 bytes, the header needs 316 \(284 \+ 2×2×2×1 × 4 bytes of MRI_FLOAT\): truncated/],
      [buildMgh({ ...ok, delta: [1, 0, 1] }), /delta\[1\] is 0, expected a voxel size > 0 mm/],
      [buildMgh({ ...ok, mdc: [1, 0, 0, NaN, 0, 0, 0, 0, 1] }), /Mdc\[3\] is NaN with goodRASFlag 1, expected a finite value/],
      [buildMgh({ ...ok, mdc: [1, 0, 0, 1, 0, 0, 0, 0, 1] }), /gives a singular voxel→RAS matrix/],
      [buildMgh({ ...ok, cRas: [0, Infinity, 0] }), /c_ras\[1\] is Infinity/],
    ];
    for (const [bytes, message] of cases) throwsMessage(() => readMgh(bytes, { source: 'f.mgh' }), message);
  });

  test('sizes are checked before allocating: a header declaring 2^31 voxels, a gzip bomb, frames out of range', () => {
    const huge = withInt32(buildMgh({ dims: [1, 1, 1, 1], type: 3 }), 4, 2 ** 31 - 1);
    throwsMessage(() => readMgh(huge, { source: 'h.mgh' }), /readMgh: h\.mgh: header declares 8589934872 bytes .* over the limit of 1073741824 bytes/);
    throwsMessage(() => readMgh(huge, { source: 'h.mgh', maxBytes: 2 ** 40 }), /file has 288 bytes, the header needs 8589934872/);
    const bomb = gzipSync(Buffer.concat([buildMgh({ dims: [2, 2, 2, 1], type: 0 }), Buffer.alloc(8 * 2 ** 20)]));
    throwsMessage(() => readMgh(bomb, { source: 'b.mgz' }), /readMgh: b\.mgz: gzip stream inflates to more than 1048868 bytes/);
    const two = buildMgh({ dims: [1, 1, 1, 2], type: 0 });
    assert.throws(() => readMgh(two, { source: 't.mgh', frame: 2 }), /readMgh: t\.mgh: frame 2 is out of range, expected an integer in 0\.\.1/);
    assert.throws(() => readMgh(two, { source: 't.mgh', expect: '3d' }), /readMgh: t\.mgh is 4D \(1×1×1×2\), expected a 3D volume/);
  });
});
