/**
 * NIfTI test fixtures built byte by byte with DataView, independent of `src/volume/readNifti.ts` and
 * `writeNifti.ts` (which must not be the only judges of each other), plus `verifyVolume`.
 *
 * Offsets are those of `nifti1.h` and `nifti2.h`.
 */
import assert from 'node:assert/strict';
import type { Volume } from '../../src/volume/Volume.js';

/** NIfTI datatype code → bytes per voxel and the DataView setter writing one value. */
export const NIFTI_DATATYPES = {
  2: { name: 'uint8', bytes: 1 },
  256: { name: 'int8', bytes: 1 },
  4: { name: 'int16', bytes: 2 },
  512: { name: 'uint16', bytes: 2 },
  8: { name: 'int32', bytes: 4 },
  768: { name: 'uint32', bytes: 4 },
  16: { name: 'float32', bytes: 4 },
  64: { name: 'float64', bytes: 8 },
  1024: { name: 'int64', bytes: 8 },
  1280: { name: 'uint64', bytes: 8 },
} as const;

/** Everything a raw NIfTI file may need; fields left out take the value of a plain 1 mm, code-0 file. */
export interface RawNiftiSpec {
  version?: 1 | 2;
  littleEndian?: boolean;
  /** `dim[0..7]`; missing entries are 1. */
  dim: readonly number[];
  /** Datatype code (see {@link NIFTI_DATATYPES}); any other code needs `bytesPerVoxel`. */
  datatype: number;
  bytesPerVoxel?: number;
  /** `pixdim[0..7]`; missing entries are 1. */
  pixdim?: readonly number[];
  voxOffset?: number;
  sclSlope?: number;
  sclInter?: number;
  qformCode?: number;
  sformCode?: number;
  quatern?: [number, number, number];
  qoffset?: [number, number, number];
  /** srow_x, srow_y, srow_z, row-major 3×4. */
  srow?: readonly number[];
  intentCode?: number;
  description?: string;
  xyztUnits?: number;
  /** Overrides the magic string (`n+1` / `n+2`). */
  magic?: string;
  sizeofHdr?: number;
  /** Voxel values (bigint for int64/uint64), x fastest; omitted → zeros. */
  data?: ArrayLike<number> | readonly bigint[];
  /** Bytes written between the header and `voxOffset` (e.g. an extension), default zeros. */
  fill?: number;
}

/** Build the bytes of a single-file NIfTI-1 (`n+1`) or NIfTI-2 (`n+2`) from `spec`. */
export function buildNifti(spec: RawNiftiSpec): Uint8Array {
  const version = spec.version ?? 1;
  const le = spec.littleEndian ?? true;
  const headerSize = version === 1 ? 348 : 540;
  const voxOffset = spec.voxOffset ?? headerSize + 4;
  const dim = Array.from({ length: 8 }, (_, i) => spec.dim[i] ?? 1);
  const count = dim.slice(1, dim[0] + 1).reduce((a, b) => a * b, 1);
  const known = NIFTI_DATATYPES[spec.datatype as keyof typeof NIFTI_DATATYPES];
  const bytes = spec.bytesPerVoxel ?? known.bytes;
  const out = new Uint8Array(Math.max(voxOffset, headerSize + 4) + count * bytes);
  const v = new DataView(out.buffer);
  out.fill(spec.fill ?? 0, headerSize, voxOffset);
  const pixdim = Array.from({ length: 8 }, (_, i) => spec.pixdim?.[i] ?? 1);
  const srow = spec.srow ?? [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  const ascii = (offset: number, text: string, max: number) => {
    const enc = new TextEncoder().encode(text);
    out.set(enc.subarray(0, max), offset);
  };
  v.setInt32(0, spec.sizeofHdr ?? headerSize, le);
  if (version === 1) {
    dim.forEach((d, i) => v.setInt16(40 + 2 * i, d, le));
    v.setInt16(68, spec.intentCode ?? 0, le);
    v.setInt16(70, spec.datatype, le);
    v.setInt16(72, bytes * 8, le);
    pixdim.forEach((p, i) => v.setFloat32(76 + 4 * i, p, le));
    v.setFloat32(108, voxOffset, le);
    v.setFloat32(112, spec.sclSlope ?? 0, le);
    v.setFloat32(116, spec.sclInter ?? 0, le);
    v.setUint8(123, spec.xyztUnits ?? 0);
    ascii(148, spec.description ?? '', 80);
    v.setInt16(252, spec.qformCode ?? 0, le);
    v.setInt16(254, spec.sformCode ?? 0, le);
    [...(spec.quatern ?? [0, 0, 0]), ...(spec.qoffset ?? [0, 0, 0])].forEach((x, i) => v.setFloat32(256 + 4 * i, x, le));
    srow.forEach((x, i) => v.setFloat32(280 + 4 * i, x, le));
    ascii(344, spec.magic ?? 'n+1', 4);
  } else {
    ascii(4, spec.magic ?? 'n+2', 4);
    out.set([0x0d, 0x0a, 0x1a, 0x0a], 8);
    v.setInt16(12, spec.datatype, le);
    v.setInt16(14, bytes * 8, le);
    dim.forEach((d, i) => v.setBigInt64(16 + 8 * i, BigInt(d), le));
    pixdim.forEach((p, i) => v.setFloat64(104 + 8 * i, p, le));
    v.setBigInt64(168, BigInt(voxOffset), le);
    v.setFloat64(176, spec.sclSlope ?? 0, le);
    v.setFloat64(184, spec.sclInter ?? 0, le);
    ascii(240, spec.description ?? '', 80);
    v.setInt32(344, spec.qformCode ?? 0, le);
    v.setInt32(348, spec.sformCode ?? 0, le);
    [...(spec.quatern ?? [0, 0, 0]), ...(spec.qoffset ?? [0, 0, 0])].forEach((x, i) => v.setFloat64(352 + 8 * i, x, le));
    srow.forEach((x, i) => v.setFloat64(400 + 8 * i, x, le));
    v.setInt32(500, spec.xyztUnits ?? 0, le);
    v.setInt32(504, spec.intentCode ?? 0, le);
  }
  const data = spec.data ?? [];
  for (let i = 0; i < data.length; i++) {
    const at = voxOffset + i * bytes;
    const x = data[i];
    switch (spec.datatype) {
      case 2: v.setUint8(at, Number(x)); break;
      case 256: v.setInt8(at, Number(x)); break;
      case 4: v.setInt16(at, Number(x), le); break;
      case 512: v.setUint16(at, Number(x), le); break;
      case 8: v.setInt32(at, Number(x), le); break;
      case 768: v.setUint32(at, Number(x), le); break;
      case 16: v.setFloat32(at, Number(x), le); break;
      case 64: v.setFloat64(at, Number(x), le); break;
      case 1024: v.setBigInt64(at, BigInt(x), le); break;
      case 1280: v.setBigUint64(at, BigInt(x), le); break;
      default: throw new Error(`buildNifti: cannot write data of datatype ${spec.datatype}`);
    }
  }
  return out;
}

/** What {@link verifyVolume} compares; omitted fields are not checked. */
export interface ExpectedVolume {
  dims: [number, number, number];
  frames?: number;
  spacingMm?: [number, number, number];
  /** Row-major 4×4. */
  affine?: ArrayLike<number>;
  data?: ArrayLike<number>;
  /** Name of the typed-array constructor, e.g. `'Uint8Array'`. */
  dataType?: string;
}

/**
 * Assert that `actual` has the expected dims, frames, spacing, affine (to `tolMm`) and data (exactly, or to
 * `tolData`), naming the first differing voxel.
 */
export function verifyVolume(actual: Volume, expected: ExpectedVolume, tolMm = 1e-6, tolData = 0): void {
  assert.deepEqual(actual.dims, expected.dims, 'dims');
  assert.equal(actual.frames, expected.frames ?? 1, 'frames');
  assert.equal(actual.data.length, expected.dims[0] * expected.dims[1] * expected.dims[2] * (expected.frames ?? 1), 'data length');
  if (expected.spacingMm) {
    expected.spacingMm.forEach((s, i) => assert.ok(Math.abs(actual.spacingMm[i] - s) <= tolMm, `spacingMm[${i}]: ${actual.spacingMm[i]} vs ${s}`));
  }
  if (expected.affine) assertAffineClose(actual.affine, expected.affine, tolMm, 'affine');
  if (expected.dataType) assert.equal(actual.data.constructor.name, expected.dataType, 'data type');
  if (expected.data) {
    assert.equal(actual.data.length, expected.data.length, 'data length');
    for (let i = 0; i < expected.data.length; i++) {
      const a: number = actual.data[i];
      const e: number = expected.data[i];
      const same = Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e)) || Math.abs(a - e) <= tolData;
      if (!same) assert.fail(`data[${i}]: ${a} vs expected ${e}`);
    }
  }
}

/** Assert two row-major 4×4 matrices agree entry by entry to `tol`. */
export function assertAffineClose(actual: ArrayLike<number> | null, expected: ArrayLike<number>, tol: number, what = 'matrix'): void {
  assert.ok(actual !== null, `${what} is null`);
  assert.equal(actual.length, 16, `${what} has ${actual.length} entries`);
  for (let i = 0; i < 16; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `${what}[${i >> 2}][${i & 3}]: ${actual[i]} vs expected ${expected[i]} (tol ${tol})`);
  }
}
