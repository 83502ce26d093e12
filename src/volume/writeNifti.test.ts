import fc from 'fast-check';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import * as niftiReader from 'nifti-reader-js';
import { assertAffineClose, verifyVolume } from '../../test/helpers/niftiFixtures.js';
import { qformToAffine } from './qform.js';
import { readNifti } from './readNifti.js';
import { makeVolume, type Volume, type VoxelArray } from './Volume.js';
import { smallestLabelDatatype } from './smallestLabelDatatype.js';
import { writeNifti } from './writeNifti.js';

function throwsMessage(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (error: Error) => {
    assert.match(error.message, message);
    return true;
  });
}

/** The header of a written file through DataView, at nifti1.h offsets. */
function headerOf(file: Uint8Array) {
  const bytes = file[0] === 0x1f ? gunzipSync(file) : file;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    sizeofHdr: v.getInt32(0, true),
    dim: Array.from({ length: 8 }, (_, i) => v.getInt16(40 + 2 * i, true)),
    intentCode: v.getInt16(68, true),
    datatype: v.getInt16(70, true),
    bitpix: v.getInt16(72, true),
    pixdim: Array.from({ length: 8 }, (_, i) => v.getFloat32(76 + 4 * i, true)),
    voxOffset: v.getFloat32(108, true),
    sclSlope: v.getFloat32(112, true),
    sclInter: v.getFloat32(116, true),
    xyztUnits: v.getUint8(123),
    descrip: new TextDecoder().decode(bytes.subarray(148, 228)).replace(/\0+$/, ''),
    qformCode: v.getInt16(252, true),
    sformCode: v.getInt16(254, true),
    magic: new TextDecoder().decode(bytes.subarray(344, 348)),
    length: bytes.length,
  };
}

const ramp = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

describe('writeNifti: header fields', () => {
  test('labels: n+1, vox_offset 352, intent 1002, smallest datatype, mm units, scl (1, 0), descrip', () => {
    const vol = makeVolume([2, 3, 4], Float32Array.from(ramp(24, (i) => i * 10)), { spacingMm: [0.5, 1, 2] });
    const h = headerOf(writeNifti(vol, { kind: 'labels', description: 'seg of subject 7' }));
    assert.deepEqual(h, {
      sizeofHdr: 348, dim: [3, 2, 3, 4, 1, 1, 1, 1], intentCode: 1002, datatype: 2, bitpix: 8,
      pixdim: [1, 0.5, 1, 2, 1, 1, 1, 1], voxOffset: 352, sclSlope: 1, sclInter: 0, xyztUnits: 2,
      descrip: 'seg of subject 7', qformCode: 2, sformCode: 2, magic: 'n+1\0', length: 352 + 24,
    });
  });

  test('image: float32, intent 0; 4D: dim[0] = 4 and mm + s units', () => {
    const vol = makeVolume([2, 2, 1], new Float64Array(12).fill(0.5));
    const h = headerOf(writeNifti(vol, { kind: 'image', gzip: true }));
    assert.deepEqual([h.dim, h.datatype, h.bitpix, h.intentCode, h.xyztUnits, h.length], [[4, 2, 2, 1, 3, 1, 1, 1], 16, 32, 0, 10, 352 + 12 * 4]);
  });

  test('a description over 80 bytes is refused', () => {
    throwsMessage(() => writeNifti(makeVolume([1, 1, 1], new Uint8Array(1)), { kind: 'labels', description: 'x'.repeat(81) }), /writeNifti: description is 81 bytes, expected at most 80/);
  });
});

describe('writeNifti → readNifti round trips', () => {
  const cases: Array<[string, VoxelArray, string]> = [
    ['uint8 labels', Uint8Array.from([0, 1, 2, 255, 7, 8]), 'uint8'],
    ['int16 labels from Int32Array', Int32Array.from([-5, 0, 300, 32767, -32768, 1]), 'int16'],
    ['uint16 labels from Float32Array', Float32Array.from([0, 65535, 40000, 1, 2, 3]), 'uint16'],
    ['int32 labels from Float64Array', Float64Array.from([-1, 70000, 0, 2147483647, -2147483648, 5]), 'int32'],
  ];
  for (const [name, data, datatype] of cases) {
    for (const gzip of [false, true]) {
      test(`${name}${gzip ? ', gzip' : ''}`, () => {
        const vol = makeVolume([3, 2, 1], data, { spacingMm: [1, 2, 3] });
        const back = readNifti(writeNifti(vol, { kind: 'labels', gzip }));
        verifyVolume(back, { dims: [3, 2, 1], spacingMm: [1, 2, 3], affine: vol.affine, data: Array.from(data) });
        assert.equal(back.header.datatype, datatype);
        assert.equal(back.header.intentCode, 1002);
      });
    }
  }

  test('image: float32 data kept exactly, float64 rounded to float32, NaN kept; 4D frames kept', () => {
    const values = [0.1, -2.5, NaN, 1e-3, 3.4e38, -0, 7, 8];
    const back = readNifti(writeNifti(makeVolume([2, 2, 1], Float64Array.from(values)), { kind: 'image', gzip: true }));
    verifyVolume(back, { dims: [2, 2, 1], frames: 2, data: values.map(Math.fround), dataType: 'Float32Array' });
    assert.equal(back.header.xyztUnits, 10);
  });

  test('geometry: oblique qform (qfac −1) and a different sform both survive with their codes', () => {
    const qform = qformToAffine({ quaternB: 0.1, quaternC: -0.2, quaternD: 0.3, qoffset: [-90.5, 12.25, 7], pixdim: [0.9, 1.1, 1.3], qfac: -1 });
    // Sheared sform (column j leans into x): what a registration tool may write; the qform cannot hold it.
    const sform = Float64Array.from([0.9, 0.25, 0, -91, 0, 1.1, 0, -126, 0, 0, 1.3, -72, 0, 0, 0, 1]);
    const vol = makeVolume([2, 2, 2], new Uint8Array(8), { affine: sform, header: { qform, qformCode: 1, sform, sformCode: 4 } });
    const back = readNifti(writeNifti(vol, { kind: 'labels' }));
    assert.deepEqual([back.header.qformCode, back.header.sformCode], [1, 4]);
    assertAffineClose(back.affine, sform, 1e-6, 'affine'); // float32 on disk: 1e-6 mm
    assertAffineClose(back.header.qform, qform, 1e-6, 'qform');
    back.spacingMm.forEach((s, i) => assert.ok(Math.abs(s - [0.9, 1.1, 1.3][i]) < 1e-6));
  });

  test('geometry read from a file round-trips exactly (its numbers are already float32)', () => {
    const first = readNifti(writeNifti(makeVolume([2, 2, 2], new Uint8Array(8), {
      affine: qformToAffine({ quaternB: 0.5, quaternC: 0.5, quaternD: -0.1, qoffset: [1, 2, 3], pixdim: [2, 2, 2], qfac: 1 }),
    }), { kind: 'labels' }));
    const second = readNifti(writeNifti(first, { kind: 'labels' }));
    assertAffineClose(second.affine, first.affine, 0, 'affine');
    assertAffineClose(second.header.qform, first.header.qform!, 0, 'qform');
  });

  test('no qform in the header: qform_code 0 and pixdim from the affine; sform_code defaults to 2', () => {
    const affine = [-2, 0, 0, 90, 0, 2, 0, -126, 0, 0, 2, -72, 0, 0, 0, 1];
    const vol = makeVolume([2, 1, 1], new Uint8Array(2), { affine, spacingMm: [2, 2, 2], header: { qform: null, qformCode: 0, sform: null, sformCode: 0 } });
    const file = writeNifti(vol, { kind: 'labels' });
    const h = headerOf(file);
    assert.deepEqual([h.qformCode, h.sformCode, h.pixdim.slice(0, 4)], [0, 2, [-1, 2, 2, 2]]); // det < 0 → qfac −1
    const back = readNifti(file);
    assert.equal(back.header.qform, null);
    verifyVolume(back, { dims: [2, 1, 1], affine, spacingMm: [2, 2, 2] }, 0);
  });

  test('random label volumes: data, datatype and frames survive (property)', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 })),
        fc.constantFrom(255, 32767, 65535, 2 ** 31 - 1),
        fc.boolean(),
        fc.boolean(),
        ([nx, ny, nz, frames], top, negative, gzip) => {
          const n = nx * ny * nz * frames;
          const data = Float64Array.from(ramp(n, (i) => ((i * 7919) % (top + 1)) - (negative && i % 3 === 0 ? 1 : 0)));
          data[0] = top; // the top of the range is present
          const vol = makeVolume([nx, ny, nz], data);
          const back = readNifti(writeNifti(vol, { kind: 'labels', gzip }));
          verifyVolume(back, { dims: [nx, ny, nz], frames, data });
          let min = Infinity;
          for (const x of data) min = Math.min(min, x);
          assert.equal(back.header.datatype, smallestLabelDatatype(min, top));
        },
      ),
      { numRuns: 60, seed: 12 },
    );
  });

  test('nifti-reader-js (an independent parser) reads what we write', () => {
    const affine = [0, -1.5, 0, 50, 2, 0, 0, -40, 0, 0, 2.5, 10, 0, 0, 0, 1];
    const vol = makeVolume([3, 2, 2], Int16Array.from(ramp(12, (i) => (i - 6) * 100)), { affine });
    const file = writeNifti(vol, { kind: 'labels', description: 'cross-check' });
    const ab = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
    const h = niftiReader.readHeader(ab);
    assert.deepEqual(h.dims.slice(0, 4), [3, 3, 2, 2]);
    assert.deepEqual([h.datatypeCode, h.intent_code, h.vox_offset, h.description], [4, 1002, 352, 'cross-check']);
    assertAffineClose(h.affine.flat(), affine, 0, 'nifti-reader-js affine');
    assert.deepEqual(Array.from(new Int16Array(niftiReader.readImage(h, ab))), Array.from(vol.data));
  });
});

describe('writeNifti: label errors name the value and the voxel', () => {
  test('a non-integer label', () => {
    const data = new Float32Array(2 * 3 * 2 * 2);
    data[1 + 2 * 2 + 1 * 6 + 1 * 12] = 2.5; // (i, j, k, t) = (1, 2, 1, 1) in a 2×3×2 grid → index 23
    throwsMessage(
      () => writeNifti(makeVolume([2, 3, 2], data), { kind: 'labels' }),
      /^writeNifti: label value 2\.5 at voxel 23 \(i=1, j=2, k=1, frame 1\) is not an integer, expected integer labels/,
    );
  });

  test('NaN and out-of-int32 labels', () => {
    throwsMessage(() => writeNifti(makeVolume([2, 1, 1], Float32Array.from([0, NaN])), { kind: 'labels' }), /label value NaN at voxel 1 \(i=1, j=0, k=0\)/);
    throwsMessage(() => writeNifti(makeVolume([2, 1, 1], Uint32Array.from([0, 2 ** 32 - 1])), { kind: 'labels' }), /writeNifti: labels span 0\.\.4294967295, which does not fit in int32/);
  });

  test('mismatched data length and oversized dims', () => {
    const vol: Volume = { ...makeVolume([2, 2, 2], new Uint8Array(8)), dims: [2, 2, 3] };
    throwsMessage(() => writeNifti(vol, { kind: 'labels' }), /writeNifti: data has 8 values, expected 2×2×3×1 = 12/);
    const wide: Volume = { ...makeVolume([40000, 1, 1], new Uint8Array(40000)) };
    throwsMessage(() => writeNifti(wide, { kind: 'labels' }), /shape 40000×1×1 has a dimension above 32767/);
  });
});

describe('writeNifti: keeping the input header (repair, segment)', () => {
  const read = (bytes: Uint8Array) => readNifti(bytes);
  test('preferDatatype is kept when the labels fit it, else the smallest type holding them', () => {
    const labels = makeVolume([2, 2, 1], Uint8Array.from([0, 1, 2, 200]));
    for (const prefer of ['uint8', 'int8', 'int16', 'uint16', 'int32', 'uint32'] as const) {
      const back = read(writeNifti(labels, { kind: 'labels', preferDatatype: prefer }));
      assert.equal(back.header.datatype, prefer === 'int8' ? 'uint8' : prefer, prefer); // 200 does not fit int8
      assert.deepEqual([...back.data], [0, 1, 2, 200]);
    }
    assert.equal(read(writeNifti(labels, { kind: 'labels', preferDatatype: 'float32' })).header.datatype, 'uint8');
    assert.equal(read(writeNifti(makeVolume([2, 1, 1], Int8Array.from([-1, 5])), { kind: 'labels', preferDatatype: 'int8' })).header.datatype, 'int8');
  });

  test('a qform-only file comes back qform-only (sform_code 0); a volume without codes gets sform_code 2', () => {
    const affine = qformToAffine({ quaternB: 0, quaternC: 0, quaternD: Math.sin(Math.PI / 12), qoffset: [-90, -126, -72], pixdim: [2, 2, 2], qfac: 1 });
    const base = makeVolume([2, 1, 1], Uint8Array.from([0, 1]), { affine });
    const qformOnly: Volume = { ...base, header: { ...base.header, qformCode: 1, sformCode: 0, qform: Float64Array.from(affine), sform: null } };
    const back = read(writeNifti(qformOnly, { kind: 'labels' }));
    assert.deepEqual([back.header.qformCode, back.header.sformCode], [1, 0]);
    assertAffineClose(back.affine, affine, 1e-4);
    assert.equal(read(writeNifti(base, { kind: 'labels' })).header.sformCode, 2);
    // An affine changed in memory must not be lost behind sform_code 0.
    const moved: Volume = { ...qformOnly, affine: Float64Array.from(affine, (x, i) => (i === 3 ? x + 5 : x)) };
    assert.equal(read(writeNifti(moved, { kind: 'labels' })).header.sformCode, 2);
  });
});
