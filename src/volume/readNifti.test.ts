import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import * as niftiReader from 'nifti-reader-js';
import { assertAffineClose, buildNifti, NIFTI_DATATYPES, verifyVolume } from '../../test/helpers/niftiFixtures.js';
import { readNifti } from './readNifti.js';

const DIM_2x3x2 = [3, 2, 3, 2];

/** assert.throws matching the message itself (a RegExp alone is matched against "Error: …"). */
function throwsMessage(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (error: Error) => {
    assert.match(error.message, message);
    return true;
  });
}
const ramp = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

/** Values exercising each type's range: extremes, zero, negatives where signed, fractions for floats. */
const SAMPLES: Record<number, number[]> = {
  2: [0, 1, 2, 127, 128, 200, 254, 255, 3, 4, 5, 6],
  256: [-128, -1, 0, 1, 127, 5, -5, 6, -6, 7, -7, 8],
  4: [-32768, -1, 0, 1, 32767, 300, -300, 2, 3, 4, 5, 6],
  512: [0, 1, 65535, 32768, 300, 2, 3, 4, 5, 6, 7, 8],
  8: [-2147483648, -1, 0, 1, 2147483647, 70000, -70000, 2, 3, 4, 5, 6],
  768: [0, 1, 4294967295, 2147483648, 70000, 2, 3, 4, 5, 6, 7, 8],
  16: [0, -1.5, 0.25, 3.4028234663852886e38, -1e-30, 1e6, 7, 8, 9, 10, 11, 12],
  64: [0, -1.5, 0.1, 1e300, -1e-300, Math.PI, 7, 8, 9, 10, 11, 12],
  1024: [0, -1, 1, 2 ** 53, -(2 ** 53), 2 ** 40 + 3, -(2 ** 40) - 3, 2, 3, 4, 5, 6],
  1280: [0, 1, 2 ** 53, 2 ** 40 + 3, 2 ** 32, 2 ** 32 - 1, 2, 3, 4, 5, 6, 7],
};
const ARRAY_TYPE: Record<string, string> = {
  uint8: 'Uint8Array', int8: 'Int8Array', int16: 'Int16Array', uint16: 'Uint16Array', int32: 'Int32Array',
  uint32: 'Uint32Array', float32: 'Float32Array', float64: 'Float64Array', int64: 'Float64Array', uint64: 'Float64Array',
};

describe('readNifti: header built byte by byte (independent oracle)', () => {
  test('every field lands where nifti1.h puts it', () => {
    // NIfTI-1, little endian, 2×3×2 int16, vox_offset 352; offsets from nifti1.h.
    const bytes = new Uint8Array(352 + 12 * 2);
    const v = new DataView(bytes.buffer);
    v.setInt32(0, 348, true); // sizeof_hdr
    [3, 2, 3, 2, 1, 1, 1, 1].forEach((d, i) => v.setInt16(40 + 2 * i, d, true)); // dim
    v.setInt16(68, 1002, true); // intent_code: label
    v.setInt16(70, 4, true); // datatype: int16
    v.setInt16(72, 16, true); // bitpix
    [-1, 0.5, 0.75, 2, 1, 1, 1, 1].forEach((p, i) => v.setFloat32(76 + 4 * i, p, true)); // pixdim, qfac −1
    v.setFloat32(108, 352, true); // vox_offset
    v.setFloat32(112, 1, true); // scl_slope (1, 0: no scaling)
    v.setUint8(123, 10); // xyzt_units: mm + s
    bytes.set(new TextEncoder().encode('oracle header'), 148); // descrip
    v.setInt16(252, 1, true); // qform_code: scanner
    v.setInt16(254, 4, true); // sform_code: MNI
    v.setFloat32(264, 1, true); // quatern_d = 1: 180° about z
    [5, 6, 7].forEach((o, i) => v.setFloat32(268 + 4 * i, o, true)); // qoffset
    [0.5, 0, 0, -90, 0, 0.75, 0, -126, 0, 0, 2, -72].forEach((x, i) => v.setFloat32(280 + 4 * i, x, true)); // srow_x..z
    bytes.set([0x6e, 0x2b, 0x31, 0], 344); // "n+1\0"
    for (let i = 0; i < 12; i++) v.setInt16(352 + 2 * i, i * 1000 - 5000, true);

    const vol = readNifti(bytes, { source: 'oracle.nii' });
    verifyVolume(vol, {
      dims: [2, 3, 2],
      spacingMm: [0.5, 0.75, 2],
      affine: [0.5, 0, 0, -90, 0, 0.75, 0, -126, 0, 0, 2, -72, 0, 0, 0, 1], // sform wins over qform
      data: ramp(12, (i) => i * 1000 - 5000),
      dataType: 'Int16Array',
    });
    assert.deepEqual(
      { ...vol.header, qform: null, sform: null },
      {
        niftiVersion: 1, datatype: 'int16', sclSlope: 1, sclInter: 0, qformCode: 1, sformCode: 4, qform: null, sform: null,
        intentCode: 1002, description: 'oracle header', xyztUnits: 10, framesInFile: 1,
      },
    );
    // 180° about z flips i and j; qfac −1 flips k: diag(−0.5, −0.75, −2) + (5, 6, 7).
    assertAffineClose(vol.header.qform, [-0.5, 0, 0, 5, 0, -0.75, 0, 6, 0, 0, -2, 7, 0, 0, 0, 1], 1e-12, 'qform');
    assertAffineClose(vol.header.sform, [0.5, 0, 0, -90, 0, 0.75, 0, -126, 0, 0, 2, -72, 0, 0, 0, 1], 0, 'sform');
  });

  test('nifti-reader-js (an independent parser) reads the same fields from the fixture builder', () => {
    const bytes = buildNifti({
      version: 2, littleEndian: false, dim: [4, 3, 2, 2, 2], datatype: 16, pixdim: [1, 1.5, 2, 2.5, 3],
      sformCode: 2, srow: [1.5, 0, 0, 1, 0, 2, 0, 2, 0, 0, 2.5, 3], description: 'cross', data: ramp(24, (i) => i / 4),
    });
    const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const theirs = niftiReader.readHeader(ab as ArrayBuffer);
    const theirData = new Float32Array(niftiReader.readImage(theirs, ab as ArrayBuffer).slice(0));
    // nifti-reader-js leaves big-endian data as stored: swap to compare.
    const swapped = Buffer.from(theirData.buffer).swap32();
    const ours = readNifti(bytes);
    assert.deepEqual([...theirs.dims.slice(1, 4), theirs.dims[4]], [...ours.dims, ours.frames]);
    assert.equal(theirs.datatypeCode, 16);
    assert.equal(theirs.description, ours.header.description);
    assertAffineClose(ours.affine, theirs.affine.flat(), 0, 'sform');
    verifyVolume(ours, { dims: [3, 2, 2], frames: 2, data: new Float32Array(swapped.buffer, swapped.byteOffset, 24) });
  });
});

describe('readNifti: datatypes, byte orders, versions, compression', () => {
  for (const [code, { name }] of Object.entries(NIFTI_DATATYPES)) {
    for (const version of [1, 2] as const) {
      for (const littleEndian of [true, false]) {
        test(`${name}, NIfTI-${version}, ${littleEndian ? 'little' : 'big'} endian, .nii and .nii.gz`, () => {
          const values = SAMPLES[Number(code)];
          const data = Number(code) >= 1024 ? values.map((x) => BigInt(x)) : values;
          const bytes = buildNifti({ version, littleEndian, dim: DIM_2x3x2, datatype: Number(code), data, pixdim: [1, 1, 2, 3] });
          const expected = Number(code) === 16 ? values.map(Math.fround) : values;
          for (const input of [bytes, gzipSync(bytes)]) {
            const vol = readNifti(input);
            verifyVolume(vol, { dims: [2, 3, 2], spacingMm: [1, 2, 3], affine: [1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 3, 0, 0, 0, 0, 1], data: expected, dataType: ARRAY_TYPE[name] });
            assert.equal(vol.header.datatype, name);
            assert.equal(vol.header.niftiVersion, version);
          }
        });
      }
    }
  }

  test('int64 and uint64 beyond 2^53 in magnitude are refused, naming the voxel and value', () => {
    const big = (datatype: number, value: bigint) => buildNifti({ dim: [3, 2, 1, 1], datatype, data: [0n, value] });
    throwsMessage(() => readNifti(big(1024, 2n ** 53n + 1n), { source: 'i64.nii' }), /readNifti: i64\.nii: voxel 1 holds 9007199254740993 \(int64\), which exceeds 2\^53/);
    throwsMessage(() => readNifti(big(1024, -(2n ** 53n) - 1n), { source: 'i64.nii' }), /voxel 1 holds -9007199254740993 \(int64\)/);
    throwsMessage(() => readNifti(big(1280, 2n ** 64n - 1n), { source: 'u64.nii' }), /u64\.nii: voxel 1 holds 18446744073709551615 \(uint64\)/);
    assert.deepEqual([...readNifti(big(1024, -(2n ** 53n))).data], [0, -(2 ** 53)]); // the edges themselves are exact
    const twoFrames = buildNifti({ dim: [4, 1, 1, 1, 2], datatype: 1024, data: [0n, 2n ** 60n] });
    throwsMessage(() => readNifti(twoFrames, { frame: 1 }), /voxel 1 holds 1152921504606846976/); // index in the file, not the frame
  });

  test('plain input is copied, compressed input may be viewed in place', () => {
    const bytes = buildNifti({ dim: [3, 2, 2, 1], datatype: 2, data: [1, 2, 3, 4] });
    const vol = readNifti(bytes);
    bytes[352] = 99;
    assert.equal(vol.data[0], 1); // the caller's bytes do not alias the volume
    const zipped = readNifti(gzipSync(buildNifti({ dim: [3, 4, 4, 4], datatype: 16, data: ramp(64, (i) => i) })));
    assert.equal(zipped.data.byteOffset, 352); // a view after the header of the decompressed buffer: no copy
  });

  test('vox_offset is honoured (extension bytes skipped); 0 in a single file means 352', () => {
    const withExtension = buildNifti({ dim: [3, 2, 1, 1], datatype: 2, voxOffset: 400, fill: 0xee, data: [7, 8] });
    assert.deepEqual([...readNifti(withExtension).data], [7, 8]);
    const zero = buildNifti({ dim: [3, 2, 1, 1], datatype: 2, data: [7, 8] });
    new DataView(zero.buffer).setFloat32(108, 0, true);
    assert.deepEqual([...readNifti(zero).data], [7, 8]);
  });
});

describe('readNifti: dimensions and frames', () => {
  const fourD = buildNifti({ dim: [4, 2, 1, 1, 3], datatype: 4, data: [1, 2, 10, 20, 100, 200] });

  test('4D: every frame by default, or one frame', () => {
    verifyVolume(readNifti(fourD), { dims: [2, 1, 1], frames: 3, data: [1, 2, 10, 20, 100, 200] });
    verifyVolume(readNifti(fourD, { frame: 2 }), { dims: [2, 1, 1], frames: 1, data: [100, 200] });
    verifyVolume(readNifti(gzipSync(fourD), { frame: 1 }), { dims: [2, 1, 1], frames: 1, data: [10, 20] });
    assert.equal(readNifti(fourD, { frame: 0 }).header.framesInFile, 3);
  });

  test('trailing 1s are dropped: 2×2×1×1 is 3D; dim[0] = 2 reads as nz = 1; dim[0] = 5 with dim[5] = 1 is 3D', () => {
    verifyVolume(readNifti(buildNifti({ dim: [4, 2, 2, 1, 1], datatype: 2, data: [1, 2, 3, 4] }), { expect: '3d' }), { dims: [2, 2, 1], data: [1, 2, 3, 4] });
    // dim[3..7] are garbage beyond dim[0] = 2 and must be ignored.
    verifyVolume(readNifti(buildNifti({ dim: [2, 2, 2, 0, 0, 0, 0, 0], datatype: 2, data: [1, 2, 3, 4] })), { dims: [2, 2, 1], data: [1, 2, 3, 4] });
    verifyVolume(readNifti(buildNifti({ dim: [5, 2, 1, 1, 1, 1], datatype: 2, data: [1, 2] })), { dims: [2, 1, 1], data: [1, 2] });
  });
});

describe('readNifti: geometry (nibabel rule: sform, else qform, else pixdim diagonal)', () => {
  const srow = [0, -2, 0, 100, 3, 0, 0, -50, 0, 0, 4, -20];
  const sformAffine = [...srow, 0, 0, 0, 1];
  const base = { dim: [3, 2, 2, 2], datatype: 2, pixdim: [1, 3, 2, 4] } as const;
  const [c, s] = [Math.sqrt(3) / 2, 0.5];
  // q = (cos 15°, 0, 0, sin 15°): 30° about z; qfac −1 flips k; pixdim (3, 2, 4) scales the columns.
  const obliqueByHand = [3 * c, -2 * s, 0, 10, 3 * s, 2 * c, 0, -20, 0, 0, -4, 30, 0, 0, 0, 1];
  const qformFields = { qformCode: 1, quatern: [0, 0, Math.sin(Math.PI / 12)] as [number, number, number], qoffset: [10, -20, 30] as [number, number, number] };

  test('qform only: the oblique qform, 30° about z with qfac −1, equals the affine computed by hand', () => {
    const vol = readNifti(buildNifti({ ...base, pixdim: [-1, 3, 2, 4], ...qformFields }));
    // quatern_d is float32 on disk: sin 15° to ~3e-8, times 3 mm → 1e-7.
    verifyVolume(vol, { dims: [2, 2, 2], spacingMm: [3, 2, 4], affine: obliqueByHand }, 2e-7);
    assert.equal(vol.header.sform, null);
    assertAffineClose(vol.header.qform, obliqueByHand, 2e-7, 'qform');
  });

  test('sform only', () => {
    const vol = readNifti(buildNifti({ ...base, sformCode: 2, srow }));
    verifyVolume(vol, { dims: [2, 2, 2], spacingMm: [3, 2, 4], affine: sformAffine }, 0);
    assert.equal(vol.header.qform, null);
  });

  test('sform preferred when both are set', () => {
    const vol = readNifti(buildNifti({ ...base, pixdim: [-1, 3, 2, 4], ...qformFields, sformCode: 4, srow }));
    verifyVolume(vol, { dims: [2, 2, 2], affine: sformAffine }, 0);
    assertAffineClose(vol.header.qform, obliqueByHand, 2e-7, 'qform');
  });

  test('neither: the diagonal of |pixdim|, origin at voxel 0', () => {
    const vol = readNifti(buildNifti({ ...base, pixdim: [1, -3, 2, 4], quatern: [0, 0, 1], srow }));
    verifyVolume(vol, { dims: [2, 2, 2], spacingMm: [3, 2, 4], affine: [3, 0, 0, 0, 0, 2, 0, 0, 0, 0, 4, 0, 0, 0, 0, 1] }, 0);
    assert.equal(vol.header.qform, null);
    assert.equal(vol.header.sform, null);
  });
});

describe('readNifti: scl_slope / scl_inter (nibabel semantics)', () => {
  const scaled = (datatype: number, data: number[], sclSlope: number, sclInter: number) =>
    readNifti(buildNifti({ dim: [3, 2, 1, 1], datatype, data, sclSlope, sclInter }));

  test('applied when the slope is set and not (1, 0): float32 for small sources, float64 for wide ones', () => {
    verifyVolume(scaled(2, [0, 10], 2, 1), { dims: [2, 1, 1], data: [1, 21], dataType: 'Float32Array' }); // 0·2+1, 10·2+1
    verifyVolume(scaled(4, [-3, 3], 0.5, 0), { dims: [2, 1, 1], data: [-1.5, 1.5], dataType: 'Float32Array' });
    verifyVolume(scaled(16, [1.5, -2], 1, 0.25), { dims: [2, 1, 1], data: [1.75, -1.75], dataType: 'Float32Array' });
    // int32 · float32 promotes to float64 in numpy: 2^31−1 stays exact.
    verifyVolume(scaled(8, [2147483647, -7], 1, 1), { dims: [2, 1, 1], data: [2147483648, -6], dataType: 'Float64Array' });
    verifyVolume(scaled(64, [0.1, 1e300], 2, 0), { dims: [2, 1, 1], data: [0.2, 2e300], dataType: 'Float64Array' });
    const header = scaled(2, [0, 10], 2, 1).header;
    assert.deepEqual([header.sclSlope, header.sclInter, header.datatype], [2, 1, 'uint8']);
  });

  test('ignored when the slope is 0, NaN, or exactly (1, 0): the stored type is kept', () => {
    for (const [slope, inter] of [[0, 5], [NaN, 5], [1, 0]]) {
      verifyVolume(scaled(2, [3, 4], slope, inter), { dims: [2, 1, 1], data: [3, 4], dataType: 'Uint8Array' });
    }
  });

  test('a valid slope with a non-finite intercept is an error (as in nibabel)', () => {
    throwsMessage(() => readNifti(buildNifti({ dim: [3, 1, 1, 1], datatype: 2, sclSlope: 2, sclInter: Infinity }), { source: 's.nii' }), /readNifti: s\.nii: scl_inter is Infinity with scl_slope 2/);
  });
});

describe('readNifti: errors name the file, the value and what was expected', () => {
  const ok = () => buildNifti({ dim: [4, 2, 2, 1, 2], datatype: 4, data: ramp(8, (i) => i) }); // 2×2×1, 2 frames
  const cases: Array<[string, () => Uint8Array, RegExp, object?]> = [
    ['header size', () => { const b = ok(); new DataView(b.buffer).setInt32(0, 123, true); return b; }, /^readNifti: a\.nii: sizeof_hdr is 123, expected 348 \(NIfTI-1\) or 540 \(NIfTI-2\): not NIfTI$/],
    ['bad magic', () => buildNifti({ dim: [3, 1, 1, 1], datatype: 2, magic: 'abc' }), /^readNifti: a\.nii: magic is "abc", expected "n\+1": not NIfTI$/],
    ['Analyze (empty magic)', () => buildNifti({ dim: [3, 1, 1, 1], datatype: 2, magic: '' }), /^readNifti: a\.nii: magic is "", expected "n\+1"/],
    ['.hdr/.img pair', () => buildNifti({ dim: [3, 1, 1, 1], datatype: 2, magic: 'ni1' }), /magic is "ni1" \(header of a \.hdr\/\.img pair\), expected "n\+1" \(single \.nii file\)/],
    ['too short', () => new Uint8Array(100), /^readNifti: a\.nii: file has 100 bytes, too short for a NIfTI header \(348 bytes\): not NIfTI$/],
    ['truncated data', () => ok().subarray(0, 360), /^readNifti: a\.nii: file has 360 bytes, header needs 368 \(vox_offset 352 \+ 2×2×1×2 × 2 bytes\): truncated$/],
    ['truncated gzip stream', () => gzipSync(ok()).subarray(0, 30), /^readNifti: a\.nii: corrupt gzip stream \(unexpected end of file\)$/],
    ['unsupported datatype', () => buildNifti({ dim: [3, 1, 1, 1], datatype: 128, bytesPerVoxel: 3 }), /^readNifti: a\.nii: datatype 128 \(RGB24\) is not supported, expected a scalar type/],
    ['unknown datatype', () => buildNifti({ dim: [3, 1, 1, 1], datatype: 77, bytesPerVoxel: 1 }), /^readNifti: a\.nii: datatype 77 is not supported/],
    ['5D', () => buildNifti({ dim: [5, 2, 1, 1, 1, 3], datatype: 2 }), /^readNifti: a\.nii: is 5D \(2×1×1×1×3\), expected at most 4 dimensions$/],
    ['zero dim', () => buildNifti({ dim: [3, 2, 0, 1], datatype: 2 }), /^readNifti: a\.nii: dim\[2\] is 0, expected a positive integer$/],
    ['bad dim[0]', () => buildNifti({ dim: [9, 1, 1, 1], datatype: 2 }), /^readNifti: a\.nii: dim\[0\] is 9, expected 1\.\.7$/],
    ['frame out of range', ok, /^readNifti: a\.nii: frame 2 is out of range, expected an integer in 0\.\.1 \(file has 2 frames\)$/, { frame: 2 }],
    ['4D where 3D expected', ok, /^readNifti: a\.nii is 4D \(2×2×1×2\), expected a 3D volume$/, { expect: '3d' }],
  ];
  for (const [name, make, message, options] of cases) {
    test(name, () => throwsMessage(() => readNifti(make(), { source: 'a.nii', ...options }), message));
  }

  test('without a source the message says <buffer>', () => {
    throwsMessage(() => readNifti(new Uint8Array(10)), /^readNifti: <buffer>: file has 10 bytes/);
  });
});

describe('readNifti: bundled real files (values checked against nibabel 5.0)', () => {
  test('data/aal.nii.gz: 181×217×181 uint8 labels 0..116 in MNI space', () => {
    const vol = readNifti(readFileSync('data/aal.nii.gz'), { source: 'data/aal.nii.gz', expect: '3d' });
    verifyVolume(vol, { dims: [181, 217, 181], spacingMm: [1, 1, 1], affine: [1, 0, 0, -90, 0, 1, 0, -125, 0, 0, 1, -71, 0, 0, 0, 1], dataType: 'Uint8Array' }, 0);
    const present = new Set(vol.data);
    assert.equal(present.size, 117); // 0 and the 116 AAL regions
    assert.equal(Math.max(...present), 116);
    let label1 = 0;
    for (const x of vol.data) if (x === 1) label1++;
    assert.equal(label1, 28174); // nibabel: (d == 1).sum()
    assert.equal(vol.data[100 + 120 * 181 + 80 * 181 * 217], 78); // nibabel: d[100, 120, 80]
    assert.deepEqual([vol.header.sformCode, vol.header.qformCode, vol.header.intentCode], [4, 0, 1002]);
  });

  test('data/JHU-WhiteMatter-labels-1mm.nii.gz: qform with qfac −1 differs from the sform, which wins', () => {
    const vol = readNifti(readFileSync('data/JHU-WhiteMatter-labels-1mm.nii.gz'));
    verifyVolume(vol, { dims: [182, 218, 182], affine: [1, 0, 0, -91, 0, 1, 0, -126, 0, 0, 1, -72, 0, 0, 0, 1] }, 0);
    assertAffineClose(vol.header.qform, [1, 0, 0, -91, 0, 1, 0, -126, 0, 0, -1, -72, 0, 0, 0, 1], 0, 'qform'); // nibabel get_qform()
    assert.equal(vol.data[90 + 108 * 182 + 90 * 182 * 218], 6); // nibabel: d[90, 108, 90]
  });
});

describe('readNifti: hostile headers and streams (issue 12)', () => {
  const labels40 = () => buildNifti({ dim: [3, 40, 40, 40], datatype: 512, data: ramp(64000, (i) => i % 7) });

  for (const offset of [1, 347, 348, 349, 350, 351]) {
    test(`vox_offset ${offset} in a .nii points inside the header: an error, not data read shifted`, () => {
      const bytes = buildNifti({ dim: [3, 2, 1, 1], datatype: 2, data: [7, 8] });
      new DataView(bytes.buffer).setFloat32(108, offset, true);
      throwsMessage(() => readNifti(bytes, { source: 'a.nii' }), new RegExp(`^readNifti: a\\.nii: vox_offset is ${offset}, inside the 352-byte header, expected 0 or ≥ 352$`));
    });
  }

  test('vox_offset inside a NIfTI-2 header, fractional or negative: errors', () => {
    const two = buildNifti({ version: 2, dim: [3, 2, 1, 1], datatype: 2, data: [7, 8] });
    new DataView(two.buffer).setBigInt64(168, 540n, true);
    throwsMessage(() => readNifti(two, { source: 'b.nii' }), /vox_offset is 540, inside the 544-byte header/);
    for (const bad of [352.5, -4]) {
      const one = buildNifti({ dim: [3, 2, 1, 1], datatype: 2, data: [7, 8] });
      new DataView(one.buffer).setFloat32(108, bad, true);
      throwsMessage(() => readNifti(one, { source: 'c.nii' }), new RegExp(`vox_offset is ${bad}, expected 0 or an integer ≥ 352`));
    }
  });

  const nonFinite: Array<[string, Partial<Parameters<typeof buildNifti>[0]>, RegExp]> = [
    ['an infinite srow with sform_code 2', { sformCode: 2, srow: [1, 0, 0, 0, 0, 1, 0, -Infinity, 0, 0, 1, 0] }, /srow_y\[3\] is -Infinity with sform_code 2, expected a finite value/],
    ['a NaN srow with sform_code 1', { sformCode: 1, srow: [NaN, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0] }, /srow_x\[0\] is NaN with sform_code 1/],
    ['an infinite qoffset with qform_code 1', { qformCode: 1, qoffset: [0, Infinity, 0] }, /qoffset_y is Infinity with qform_code 1/],
    ['a NaN quaternion with qform_code 1', { qformCode: 1, quatern: [NaN, 0, 0] }, /quatern_b is NaN with qform_code 1/],
    ['an infinite pixdim', { pixdim: [1, 1, Infinity, 1] }, /pixdim\[2\] is Infinity, expected a finite voxel size/],
  ];
  for (const [name, spec, message] of nonFinite) {
    test(`${name}: an error`, () => {
      const bytes = buildNifti({ dim: [3, 2, 1, 1], datatype: 2, data: [7, 8], ...spec });
      throwsMessage(() => readNifti(bytes, { source: 'a.nii' }), message);
    });
  }

  test('non-finite srow with sform_code 0 is unused, so accepted', () => {
    const bytes = buildNifti({ dim: [3, 2, 1, 1], datatype: 2, data: [7, 8], srow: [Infinity, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0] });
    assert.deepEqual([...readNifti(bytes).affine], [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  });

  test('a gzip bomb: a valid file followed by 64 MiB of zeros is refused after inflating at most 1 MiB past the data', () => {
    const valid = labels40();
    const bomb = gzipSync(Buffer.concat([valid, Buffer.alloc(64 * 2 ** 20)]));
    assert.ok(bomb.length < 200_000, `bomb is ${bomb.length} bytes`);
    const before = process.memoryUsage().arrayBuffers;
    throwsMessage(
      () => readNifti(bomb, { source: 'bomb.nii.gz' }),
      /^readNifti: bomb\.nii\.gz: gzip stream inflates to more than 1176928 bytes, the header needs 128352 \(vox_offset \+ data\) and at most 1048576 trailing bytes are ignored: refused \(a gzip bomb\?\)$/,
    );
    assert.ok(process.memoryUsage().arrayBuffers - before < 32 * 2 ** 20);
  });

  test('up to 1 MiB of trailing bytes in a gzip stream is ignored', () => {
    const valid = labels40();
    const padded = gzipSync(Buffer.concat([valid, Buffer.alloc(1000)]));
    assert.equal(readNifti(padded).data[8], 1);
  });

  test('a header declaring more than maxBytes is refused before any allocation (plain and gzip)', () => {
    const huge = buildNifti({ dim: [3, 2, 1, 1], datatype: 2, data: [7, 8] });
    const view = new DataView(huge.buffer);
    [2, 3, 4].forEach((axis, i) => view.setInt16(40 + 2 * axis - 2, [2048, 2048, 1024][i], true));
    view.setInt16(40, 3, true);
    view.setInt16(70, 64, true); // float64: 2048·2048·1024·8 = 32 GiB
    const message = /header declares 34359738720 bytes \(vox_offset 352 \+ 2048×2048×1024×1 × 8 bytes\), over the limit of 1073741824 bytes/;
    throwsMessage(() => readNifti(huge, { source: 'h.nii' }), message);
    throwsMessage(() => readNifti(gzipSync(Buffer.concat([huge, Buffer.alloc(8192)])), { source: 'h.nii.gz' }), message);
    throwsMessage(() => readNifti(labels40(), { maxBytes: 1000 }), /over the limit of 1000 bytes/);
  });

  test('a truncated large gzip stream is a corrupt stream, not a crash', () => {
    const zipped = gzipSync(buildNifti({ dim: [3, 64, 64, 64], datatype: 16, data: ramp(64 ** 3, (i) => Math.sin(i)) }));
    throwsMessage(() => readNifti(zipped.subarray(0, zipped.length >> 1), { source: 'cut.nii.gz' }), /^readNifti: cut\.nii\.gz: corrupt gzip stream \(unexpected end of file\)$/);
  });
});
