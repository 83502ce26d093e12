import { inflate, inflatePrefix, TRAILING_ALLOWANCE } from './inflateNifti.js';
import { applyScaling, readVoxels } from './readVoxels.js';
import { qformToAffine } from './qform.js';
import type { NiftiDatatype, Volume, VolumeHeader, VoxelArray } from './Volume.js';

/** Options of {@link readNifti}. */
export interface ReadNiftiOptions {
  /** File name used in error messages (default `'<buffer>'`). */
  source?: string;
  /** Which 3D frame (0-based) of a 4D file to keep; default `'all'` (every frame, `Volume.frames` = nt). */
  frame?: number | 'all';
  /** `'3d'`: throw when the file has more than one frame; default `'any'`. */
  expect?: '3d' | 'any';
  /**
   * Largest file nonadj reads, in bytes after decompression (header, extensions and data): a header declaring
   * more is refused before anything is allocated, and a gzip stream is never inflated past it. @default 2^30 (1 GiB)
   */
  maxBytes?: number;
}

/** Default of {@link ReadNiftiOptions.maxBytes}: 1 GiB, 140 1 mm brains in float32. */
export const DEFAULT_MAX_NIFTI_BYTES = 2 ** 30;


/** On-disk datatype codes nonadj reads, with their names and sizes in bytes. */
const DATATYPES: ReadonlyMap<number, { name: NiftiDatatype; bytes: number }> = new Map([
  [2, { name: 'uint8', bytes: 1 }],
  [4, { name: 'int16', bytes: 2 }],
  [8, { name: 'int32', bytes: 4 }],
  [16, { name: 'float32', bytes: 4 }],
  [64, { name: 'float64', bytes: 8 }],
  [256, { name: 'int8', bytes: 1 }],
  [512, { name: 'uint16', bytes: 2 }],
  [768, { name: 'uint32', bytes: 4 }],
  [1024, { name: 'int64', bytes: 8 }],
  [1280, { name: 'uint64', bytes: 8 }],
]);

/** Standard NIfTI datatypes that are not scalar (or not a JS number), for the error message. */
const UNSUPPORTED_DATATYPES: Readonly<Record<number, string>> = {
  1: 'BINARY',
  32: 'COMPLEX64',
  128: 'RGB24',
  1536: 'FLOAT128',
  1792: 'COMPLEX128',
  2048: 'COMPLEX256',
  2304: 'RGBA32',
};


/** The header fields nonadj uses, in one shape for NIfTI-1 and NIfTI-2. */
interface RawHeader {
  version: 1 | 2;
  littleEndian: boolean;
  dim: number[];
  datatypeCode: number;
  pixdim: number[];
  voxOffset: number;
  sclSlope: number;
  sclInter: number;
  qformCode: number;
  sformCode: number;
  quatern: [number, number, number];
  qoffset: [number, number, number];
  srow: number[];
  intentCode: number;
  description: string;
  xyztUnits: number;
}

/**
 * Read a NIfTI-1 or NIfTI-2 single file (`n+1` / `n+2`), plain or gzip-compressed, into a {@link Volume}.
 *
 * - Gzip is detected from the `1f 8b` magic, not the name. Little- and big-endian files are read.
 * - Data: uint8, int8, int16, uint16, int32, uint32, float32, float64 keep their type; int64/uint64 become
 *   `Float64Array`. When `scl_slope` is finite, non-zero and `(scl_slope, scl_inter) ≠ (1, 0)`, the scaled
 *   values are returned as `Float32Array` for 8/16-bit and float32 sources and `Float64Array` for 32/64-bit
 *   integer and float64 sources (numpy's promotion of the source type with a float32 slope, which nibabel follows;
 *   float32 cannot hold every int32).
 * - Geometry: `affine` is the sform when `sform_code > 0`, else the qform when `qform_code > 0`, else
 *   `diag(|pixdim[1]|, |pixdim[2]|, |pixdim[3]|)` with the origin at voxel 0; `spacingMm` = `|pixdim[1..3]|`
 *   (taken as millimetres whatever `xyzt_units` says).
 * - Dimensions: `dim[0]` < 3 reads as nz = 1 (and ny = 1); trailing dimensions of size 1 are dropped, so a
 *   181×217×181×1 file is 3D.
 * - Memory: when the file was compressed and the data can be viewed in place (aligned, native byte order),
 *   `data` is a view into the decompressed buffer (its `.buffer` also holds the 352-byte header); for plain
 *   input `data` never shares memory with `bytes`.
 *
 * @param bytes - the whole file.
 * @throws Error naming `source` when the bytes are not NIfTI (header size not 348/540, bad magic, a `.hdr/.img`
 *   pair header), the gzip stream is corrupt, the data are truncated, the datatype is not a supported scalar,
 *   the file has more than 4 dimensions, or an int64/uint64 value exceeds 2^53 in magnitude; when `vox_offset`
 *   points inside the header (1 … 351 in NIfTI-1, 1 … 543 in NIfTI-2; 0 means "right after the header"); when
 *   pixdim[1..3] or an in-use qform/sform field is not finite; when the file would exceed `maxBytes`; and when a
 *   gzip stream inflates to more than 1 MiB past `vox_offset` + data (a plain file's trailing bytes are ignored).
 * @throws RangeError when `frame` is out of range, or the file is 4D and `expect` is `'3d'`.
 */
export function readNifti(bytes: Uint8Array, options: ReadNiftiOptions = {}): Volume {
  const source = options.source ?? '<buffer>';
  const fail = (message: string) => new Error(`readNifti: ${source}: ${message}`);

  const maxBytes = options.maxBytes ?? DEFAULT_MAX_NIFTI_BYTES;
  const gzipped = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  let file = bytes;
  let hdr: RawHeader;
  let plan: DataPlan;
  if (gzipped) {
    // The header is read from the start of the stream first, so the data size is known before anything large is
    // inflated; the stream is then inflated once, stopping with an error past that size (gzip bombs).
    const small = bytes.length <= 4096;
    const head = small ? inflate(bytes, maxBytes, source) : inflatePrefix(bytes, 4096, source, 'readNifti', 540); // 540: a NIfTI-2 header
    hdr = parseHeader(head, fail);
    plan = planData(hdr, options, maxBytes, fail);
    checkGeometry(hdr, fail);
    file = small ? head : inflate(bytes, plan.needed + TRAILING_ALLOWANCE, source, plan.needed);
    if (file.length > plan.needed + TRAILING_ALLOWANCE) {
      throw fail(`decompressed file has ${file.length} bytes, the header needs ${plan.needed} (vox_offset + data) and at most ${TRAILING_ALLOWANCE} trailing bytes are ignored: refused`);
    }
  } else {
    hdr = parseHeader(file, fail);
    plan = planData(hdr, options, maxBytes, fail);
    checkGeometry(hdr, fail);
  }
  const owned = gzipped;
  const { dt, nx, ny, nz, nt, frame, perFrame, voxOffset, needed } = plan;
  if (file.length < needed) {
    throw fail(
      `${owned ? 'decompressed file' : 'file'} has ${file.length} bytes, header needs ${needed} ` +
        `(vox_offset ${voxOffset} + ${[nx, ny, nz, nt].join('×')} × ${dt.bytes} bytes): truncated`,
    );
  }

  const first = frame === 'all' ? 0 : frame;
  const frames = frame === 'all' ? nt : 1;
  // A single frame out of many is copied so that the other frames' memory can be freed.
  const canView = owned && frames === nt;
  let data = readVoxels(file, { first: first * perFrame, count: perFrame * frames, voxOffset }, dt, hdr.littleEndian, canView, fail);

  const slope = hdr.sclSlope;
  if (Number.isFinite(slope) && slope !== 0 && !(slope === 1 && hdr.sclInter === 0)) {
    if (!Number.isFinite(hdr.sclInter)) throw fail(`scl_inter is ${hdr.sclInter} with scl_slope ${slope}, expected a finite intercept`);
    data = applyScaling(data, dt.name, slope, hdr.sclInter);
  }

  const qform =
    hdr.qformCode > 0
      ? qformToAffine({
          quaternB: hdr.quatern[0],
          quaternC: hdr.quatern[1],
          quaternD: hdr.quatern[2],
          qoffset: hdr.qoffset,
          pixdim: [hdr.pixdim[1], hdr.pixdim[2], hdr.pixdim[3]],
          qfac: hdr.pixdim[0] < 0 ? -1 : 1,
        })
      : null;
  const sform = hdr.sformCode > 0 ? Float64Array.from([...hdr.srow, 0, 0, 0, 1]) : null;
  const spacingMm: [number, number, number] = [Math.abs(hdr.pixdim[1]), Math.abs(hdr.pixdim[2]), Math.abs(hdr.pixdim[3])];
  const affine = Float64Array.from(
    sform ?? qform ?? [spacingMm[0], 0, 0, 0, 0, spacingMm[1], 0, 0, 0, 0, spacingMm[2], 0, 0, 0, 0, 1],
  );

  const header: VolumeHeader = {
    niftiVersion: hdr.version,
    datatype: dt.name,
    sclSlope: hdr.sclSlope,
    sclInter: hdr.sclInter,
    qformCode: hdr.qformCode,
    sformCode: hdr.sformCode,
    qform,
    sform,
    intentCode: hdr.intentCode,
    description: hdr.description,
    xyztUnits: hdr.xyztUnits,
    framesInFile: nt,
  };
  return { dims: [nx, ny, nz], frames, spacingMm, affine, data, header };
}

/** What {@link planData} works out from a header: datatype, grid, frame to keep and where the data lie. */
interface DataPlan {
  dt: { name: NiftiDatatype; bytes: number };
  nx: number;
  ny: number;
  nz: number;
  nt: number;
  frame: number | 'all';
  perFrame: number;
  voxOffset: number;
  /** `vox_offset` + all frames' data, in bytes: what the file must hold. */
  needed: number;
}

/** Check the header's datatype, dimensions, frame and `vox_offset`, and size the data, before any allocation. */
function planData(hdr: RawHeader, options: ReadNiftiOptions, maxBytes: number, fail: (message: string) => Error): DataPlan {
  const source = options.source ?? '<buffer>';
  const dt = DATATYPES.get(hdr.datatypeCode);
  if (!dt) {
    const name = UNSUPPORTED_DATATYPES[hdr.datatypeCode];
    throw fail(
      `datatype ${hdr.datatypeCode}${name ? ` (${name})` : ''} is not supported, expected a scalar type ` +
        '(uint8, int8, int16, uint16, int32, uint32, int64, uint64, float32, float64)',
    );
  }
  const ndim = hdr.dim[0];
  const size = (axis: number) => (axis <= ndim ? hdr.dim[axis] : 1);
  const shape = [1, 2, 3, 4, 5, 6, 7].map(size);
  for (let axis = 1; axis <= ndim; axis++) {
    if (!Number.isSafeInteger(hdr.dim[axis]) || hdr.dim[axis] < 1) {
      throw fail(`dim[${axis}] is ${hdr.dim[axis]}, expected a positive integer`);
    }
  }
  if (shape.slice(4).some((n) => n > 1)) {
    throw fail(`is ${ndim}D (${shape.slice(0, ndim).join('×')}), expected at most 4 dimensions`);
  }
  const [nx, ny, nz, nt] = shape;
  if (options.expect === '3d' && nt > 1) {
    throw new RangeError(`readNifti: ${source} is 4D (${nx}×${ny}×${nz}×${nt}), expected a 3D volume`);
  }
  const frame = options.frame ?? 'all';
  if (frame !== 'all' && !(Number.isInteger(frame) && frame >= 0 && frame < nt)) {
    throw new RangeError(`readNifti: ${source}: frame ${frame} is out of range, expected an integer in 0..${nt - 1} (file has ${nt} frames)`);
  }
  const minOffset = hdr.version === 1 ? 352 : 544;
  // Some writers leave vox_offset at 0 in single files; the data then start right after the header. Any other
  // value inside the header (and its 4-byte extension flag) would read header bytes as voxels, shifted.
  if (!Number.isSafeInteger(hdr.voxOffset) || hdr.voxOffset < 0) {
    throw fail(`vox_offset is ${hdr.voxOffset}, expected 0 or an integer ≥ ${minOffset}`);
  }
  if (hdr.voxOffset > 0 && hdr.voxOffset < minOffset) {
    throw fail(`vox_offset is ${hdr.voxOffset}, inside the ${minOffset}-byte header, expected 0 or ≥ ${minOffset}`);
  }
  const voxOffset = hdr.voxOffset === 0 ? minOffset : hdr.voxOffset;
  const perFrame = nx * ny * nz;
  const needed = voxOffset + perFrame * nt * dt.bytes;
  if (!Number.isSafeInteger(needed) || needed > maxBytes) {
    throw fail(
      `header declares ${needed} bytes (vox_offset ${voxOffset} + ${[nx, ny, nz, nt].join('×')} × ${dt.bytes} bytes), ` +
        `over the limit of ${maxBytes} bytes (readNifti maxBytes)`,
    );
  }
  return { dt, nx, ny, nz, nt, frame, perFrame, voxOffset, needed };
}


/**
 * Refuse transforms that cannot map voxels to millimetres: a non-finite pixdim (spacing), or a non-finite field of
 * a qform or sform that the codes say is in use (an infinite srow gave centroids of `-Infinity` mm).
 */
function checkGeometry(hdr: RawHeader, fail: (message: string) => Error): void {
  const bad = (values: number[]) => values.findIndex((x) => !Number.isFinite(x));
  const p = bad(hdr.pixdim.slice(1, 4));
  if (p >= 0) throw fail(`pixdim[${p + 1}] is ${hdr.pixdim[p + 1]}, expected a finite voxel size`);
  if (hdr.qformCode > 0) {
    const q = [...hdr.quatern, ...hdr.qoffset];
    const i = bad(q);
    if (i >= 0) {
      const field = ['quatern_b', 'quatern_c', 'quatern_d', 'qoffset_x', 'qoffset_y', 'qoffset_z'][i];
      throw fail(`${field} is ${q[i]} with qform_code ${hdr.qformCode}, expected a finite value`);
    }
  }
  if (hdr.sformCode > 0) {
    const i = bad(hdr.srow);
    if (i >= 0) {
      throw fail(`srow_${'xyz'[Math.floor(i / 4)]}[${i % 4}] is ${hdr.srow[i]} with sform_code ${hdr.sformCode}, expected a finite value`);
    }
  }
}

function parseHeader(file: Uint8Array, fail: (message: string) => Error): RawHeader {
  if (file.length < 348) throw fail(`file has ${file.length} bytes, too short for a NIfTI header (348 bytes): not NIfTI`);
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const sizeLe = view.getInt32(0, true);
  const sizeBe = view.getInt32(0, false);
  const littleEndian = sizeLe === 348 || sizeLe === 540;
  if (!littleEndian && sizeBe !== 348 && sizeBe !== 540) {
    throw fail(`sizeof_hdr is ${sizeLe}, expected 348 (NIfTI-1) or 540 (NIfTI-2): not NIfTI`);
  }
  const version = (littleEndian ? sizeLe : sizeBe) === 348 ? 1 : 2;
  if (version === 2 && file.length < 540) throw fail(`file has ${file.length} bytes, too short for a NIfTI-2 header (540 bytes)`);
  const le = littleEndian;
  const text = (offset: number, length: number) => {
    const raw = file.subarray(offset, offset + length);
    const end = raw.indexOf(0);
    return new TextDecoder().decode(end < 0 ? raw : raw.subarray(0, end));
  };
  const magic = text(version === 1 ? 344 : 4, 4);
  const expected = version === 1 ? 'n+1' : 'n+2';
  if (magic === (version === 1 ? 'ni1' : 'ni2')) {
    throw fail(`magic is "${magic}" (header of a .hdr/.img pair), expected "${expected}" (single .nii file)`);
  }
  if (magic !== expected) throw fail(`magic is ${JSON.stringify(magic)}, expected "${expected}": not NIfTI`);

  if (version === 1) {
    const dim = Array.from({ length: 8 }, (_, i) => view.getInt16(40 + 2 * i, le));
    checkDim0(dim[0], fail);
    return {
      version,
      littleEndian,
      dim,
      datatypeCode: view.getInt16(70, le),
      pixdim: Array.from({ length: 8 }, (_, i) => view.getFloat32(76 + 4 * i, le)),
      voxOffset: view.getFloat32(108, le),
      sclSlope: view.getFloat32(112, le),
      sclInter: view.getFloat32(116, le),
      xyztUnits: view.getUint8(123),
      description: text(148, 80),
      qformCode: view.getInt16(252, le),
      sformCode: view.getInt16(254, le),
      quatern: [view.getFloat32(256, le), view.getFloat32(260, le), view.getFloat32(264, le)],
      qoffset: [view.getFloat32(268, le), view.getFloat32(272, le), view.getFloat32(276, le)],
      srow: Array.from({ length: 12 }, (_, i) => view.getFloat32(280 + 4 * i, le)),
      intentCode: view.getInt16(68, le),
    };
  }
  const dim = Array.from({ length: 8 }, (_, i) => Number(view.getBigInt64(16 + 8 * i, le)));
  checkDim0(dim[0], fail);
  return {
    version,
    littleEndian,
    dim,
    datatypeCode: view.getInt16(12, le),
    pixdim: Array.from({ length: 8 }, (_, i) => view.getFloat64(104 + 8 * i, le)),
    voxOffset: Number(view.getBigInt64(168, le)),
    sclSlope: view.getFloat64(176, le),
    sclInter: view.getFloat64(184, le),
    description: text(240, 80),
    qformCode: view.getInt32(344, le),
    sformCode: view.getInt32(348, le),
    quatern: [view.getFloat64(352, le), view.getFloat64(360, le), view.getFloat64(368, le)],
    qoffset: [view.getFloat64(376, le), view.getFloat64(384, le), view.getFloat64(392, le)],
    srow: Array.from({ length: 12 }, (_, i) => view.getFloat64(400 + 8 * i, le)),
    xyztUnits: view.getInt32(500, le),
    intentCode: view.getInt32(504, le),
  };
}

function checkDim0(dim0: number, fail: (message: string) => Error): void {
  if (!(dim0 >= 1 && dim0 <= 7)) throw fail(`dim[0] is ${dim0}, expected 1..7`);
}
