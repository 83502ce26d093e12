import { inflate, inflatePrefix, TRAILING_ALLOWANCE } from './inflateNifti.js';
import { DEFAULT_MAX_NIFTI_BYTES, type ReadNiftiOptions } from './readNifti.js';
import { readVoxels } from './readVoxels.js';
import type { NiftiDatatype, Volume, VolumeHeader } from './Volume.js';

/** Options of {@link readMgh}: the same as `readNifti`'s (`source`, `frame`, `expect`, `maxBytes`). */
export type ReadMghOptions = ReadNiftiOptions;

/** Where the voxels start in every MGH file (the header is padded to this size). */
export const MGH_DATA_OFFSET = 284;

/** FreeSurfer's `MRI_*` type codes nonadj reads (`utils/mri.h`), with the JS type they become. */
const MGH_DATATYPES: ReadonlyMap<number, { name: NiftiDatatype; bytes: number; mri: string }> = new Map([
  [0, { name: 'uint8', bytes: 1, mri: 'MRI_UCHAR' }],
  [1, { name: 'int32', bytes: 4, mri: 'MRI_INT' }],
  [3, { name: 'float32', bytes: 4, mri: 'MRI_FLOAT' }],
  [4, { name: 'int16', bytes: 2, mri: 'MRI_SHORT' }],
  [10, { name: 'uint16', bytes: 2, mri: 'MRI_USHRT' }],
]);

/** The other `MRI_*` codes, named in the error: LONG's size is the writing platform's `long`, the rest are not scalars. */
const UNSUPPORTED: Readonly<Record<number, string>> = {
  2: 'MRI_LONG',
  5: 'MRI_BITMAP',
  6: 'MRI_TENSOR',
  7: 'MRI_FLOAT_COMPLEX',
  8: 'MRI_DOUBLE_COMPLEX',
  9: 'MRI_RGB',
};

/**
 * FreeSurfer's default direction cosines (columns: where i, j, k point in RAS), used when `goodRASFlag` ≤ 0:
 * i → left, j → inferior, k → anterior ("LIA", coronal slices), as `mghRead` and nibabel do.
 */
const DEFAULT_MDC = [-1, 0, 0, 0, 0, -1, 0, 1, 0];

/**
 * Read a FreeSurfer MGH volume (`.mgh`, or gzip-compressed `.mgz`; compression is detected from the `1f 8b` magic,
 * not the name) into a {@link Volume}.
 *
 * - Layout: a big-endian header (version 1, width, height, depth, frames, type, dof, goodRASFlag, delta[3], Mdc[3×3],
 *   c_ras[3]) padded to 284 bytes, then the voxels big-endian, x fastest, frame slowest (the NIfTI order the Volume
 *   uses, so no transpose).
 * - Data: MRI_UCHAR → `Uint8Array`, MRI_SHORT → `Int16Array`, MRI_USHRT → `Uint16Array`, MRI_INT → `Int32Array`,
 *   MRI_FLOAT → `Float32Array`. MRI_LONG, BITMAP, TENSOR, complex and RGB are refused.
 * - Geometry: with `M = Mdc · diag(delta)` (Mdc's columns are the unit directions of i, j, k, stored on disk as
 *   `x_r x_a x_s y_r … z_s`), `affine = [M | c_ras − M · (dims / 2)]`: FreeSurfer's convention that `c_ras` is the
 *   RAS position of voxel `(width/2, height/2, depth/2)` (not rounded), the same as nibabel's `MGHHeader.get_affine`.
 *   When `goodRASFlag` ≤ 0 (FreeSurfer's test) the geometry fields are ignored and the default is used: delta 1 mm,
 *   LIA cosines, c_ras 0. `spacingMm` = `delta`.
 * - The optional tail after the voxels (TR, flip angle, TE, TI, FoV, then tags such as the command line or an
 *   embedded colour table) is ignored: nothing of it is kept, and nonadj's writers do not restore it.
 * - `header`: `format` `'mgh'`, the datatype as above, `qform` = `sform` = `affine` with codes 1 (scanner, what
 *   `mri_convert` writes when converting to NIfTI), `sclSlope` 1, `sclInter` 0, `intentCode` 0, `description` empty.
 * - Memory: dims × type size is checked against `maxBytes` and against the file's length before anything is
 *   allocated, and a gzip stream is never inflated past the header's size plus 1 MiB for the tail.
 *
 * @param bytes - the whole file.
 * @throws Error naming `source`, the value and what was expected when the file is shorter than the 284-byte header,
 *   the version is not 1, a dimension or the frame count is not a positive integer, the type is not one of the five
 *   above, delta / Mdc / c_ras are not finite or the voxel→RAS matrix is singular (only checked when goodRASFlag > 0),
 *   the data are truncated, the file would exceed `maxBytes`, or the gzip stream is corrupt or inflates past the data
 *   by more than 1 MiB.
 * @throws RangeError when `frame` is out of range, or the file has several frames and `expect` is `'3d'`.
 */
export function readMgh(bytes: Uint8Array, options: ReadMghOptions = {}): Volume {
  const source = options.source ?? '<buffer>';
  const fail = (message: string) => new Error(`readMgh: ${source}: ${message}`);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_NIFTI_BYTES;
  const gzipped = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

  let file = bytes;
  if (gzipped) {
    const small = bytes.length <= 4096;
    file = small ? inflate(bytes, maxBytes, source, undefined, 'readMgh') : inflatePrefix(bytes, 4096, source, 'readMgh', MGH_DATA_OFFSET);
  }
  const hdr = parseHeader(file, fail);
  const plan = planData(hdr, options, maxBytes, fail);
  if (gzipped && bytes.length > 4096) {
    file = inflate(bytes, plan.needed + TRAILING_ALLOWANCE, source, plan.needed, 'readMgh');
  }
  if (gzipped && file.length > plan.needed + TRAILING_ALLOWANCE) {
    throw fail(`decompressed file has ${file.length} bytes, the header needs ${plan.needed} (284 + data) and at most ${TRAILING_ALLOWANCE} trailing bytes are read past it: refused`);
  }
  const { dt, dims, nt, frame, perFrame, needed } = plan;
  if (file.length < needed) {
    throw fail(
      `${gzipped ? 'decompressed file' : 'file'} has ${file.length} bytes, the header needs ${needed} ` +
        `(284 + ${[...dims, nt].join('×')} × ${dt.bytes} bytes of ${MGH_DATATYPES.get(hdr.type)!.mri}): truncated`,
    );
  }
  const first = frame === 'all' ? 0 : frame;
  const frames = frame === 'all' ? nt : 1;
  const data = readVoxels(file, { first: first * perFrame, count: perFrame * frames, voxOffset: MGH_DATA_OFFSET }, dt, false, gzipped && frames === nt, fail);

  const good = hdr.goodRASFlag > 0;
  const delta = good ? hdr.delta : [1, 1, 1];
  const mdc = good ? hdr.mdc : DEFAULT_MDC;
  const cRas = good ? hdr.cRas : [0, 0, 0];
  const affine = mghAffine(dims, delta, mdc, cRas);
  if (good) checkGeometry(hdr, affine, fail);

  const header: VolumeHeader = {
    format: 'mgh',
    niftiVersion: 1,
    datatype: dt.name,
    sclSlope: 1,
    sclInter: 0,
    qformCode: 1,
    sformCode: 1,
    qform: Float64Array.from(affine),
    sform: Float64Array.from(affine),
    intentCode: 0,
    description: '',
    xyztUnits: nt > 1 ? 2 | 8 : 2,
    framesInFile: nt,
  };
  return { dims, frames, spacingMm: [Math.abs(delta[0]), Math.abs(delta[1]), Math.abs(delta[2])], affine, data, header };
}

/**
 * FreeSurfer's vox2ras from the MGH fields: `M = Mdc · diag(delta)`, `P0 = c_ras − M · (dims / 2)`.
 *
 * @param mdc - the 9 floats as stored: direction of i (r, a, s), then of j, then of k.
 * @returns row-major 4×4 voxel → RAS mm.
 */
function mghAffine(dims: readonly number[], delta: readonly number[], mdc: readonly number[], cRas: readonly number[]): Float64Array {
  const a = new Float64Array(16);
  for (let r = 0; r < 3; r++) {
    let centre = 0;
    for (let c = 0; c < 3; c++) {
      a[4 * r + c] = mdc[3 * c + r] * delta[c];
      centre += a[4 * r + c] * (dims[c] / 2);
    }
    a[4 * r + 3] = cRas[r] - centre;
  }
  a[15] = 1;
  return a;
}

interface RawHeader {
  version: number;
  dims: number[];
  type: number;
  goodRASFlag: number;
  delta: number[];
  mdc: number[];
  cRas: number[];
}

function parseHeader(file: Uint8Array, fail: (message: string) => Error): RawHeader {
  if (file.length < MGH_DATA_OFFSET) throw fail(`file has ${file.length} bytes, too short for an MGH header (284 bytes)`);
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const version = view.getInt32(0, false);
  if (version !== 1) throw fail(`version is ${version}, expected 1: not an MGH file`);
  return {
    version,
    dims: [4, 8, 12, 16].map((o) => view.getInt32(o, false)),
    type: view.getInt32(20, false),
    goodRASFlag: view.getInt16(28, false),
    delta: [0, 1, 2].map((i) => view.getFloat32(30 + 4 * i, false)),
    mdc: Array.from({ length: 9 }, (_, i) => view.getFloat32(42 + 4 * i, false)),
    cRas: [0, 1, 2].map((i) => view.getFloat32(78 + 4 * i, false)),
  };
}

interface DataPlan {
  dt: { name: NiftiDatatype; bytes: number };
  dims: [number, number, number];
  nt: number;
  frame: number | 'all';
  perFrame: number;
  /** 284 + every frame's voxels, in bytes: what the file must hold. */
  needed: number;
}

function planData(hdr: RawHeader, options: ReadMghOptions, maxBytes: number, fail: (message: string) => Error): DataPlan {
  const source = options.source ?? '<buffer>';
  const dt = MGH_DATATYPES.get(hdr.type);
  if (!dt) {
    const name = UNSUPPORTED[hdr.type];
    throw fail(`type ${hdr.type}${name ? ` (${name})` : ''} is not supported, expected 0 (MRI_UCHAR), 1 (MRI_INT), 3 (MRI_FLOAT), 4 (MRI_SHORT) or 10 (MRI_USHRT)`);
  }
  const names = ['width', 'height', 'depth', 'nframes'];
  hdr.dims.forEach((n, i) => {
    if (n < 1) throw fail(`${names[i]} is ${n}, expected a positive integer`);
  });
  const [nx, ny, nz, nt] = hdr.dims;
  if (options.expect === '3d' && nt > 1) {
    throw new RangeError(`readMgh: ${source} is 4D (${nx}×${ny}×${nz}×${nt}), expected a 3D volume`);
  }
  const frame = options.frame ?? 'all';
  if (frame !== 'all' && !(Number.isInteger(frame) && frame >= 0 && frame < nt)) {
    throw new RangeError(`readMgh: ${source}: frame ${frame} is out of range, expected an integer in 0..${nt - 1} (file has ${nt} frames)`);
  }
  const perFrame = nx * ny * nz;
  const needed = MGH_DATA_OFFSET + perFrame * nt * dt.bytes;
  if (!Number.isSafeInteger(needed) || needed > maxBytes) {
    throw fail(`header declares ${needed} bytes (284 + ${hdr.dims.join('×')} × ${dt.bytes} bytes), over the limit of ${maxBytes} bytes (readMgh maxBytes)`);
  }
  return { dt, dims: [nx, ny, nz], nt, frame, perFrame, needed };
}

/** A transform that cannot map voxels to millimetres is refused, naming the first bad field. */
function checkGeometry(hdr: RawHeader, affine: Float64Array, fail: (message: string) => Error): void {
  const fields: Array<[string, number[]]> = [['delta', hdr.delta], ['Mdc', hdr.mdc], ['c_ras', hdr.cRas]];
  for (const [name, values] of fields) {
    const i = values.findIndex((x) => !Number.isFinite(x));
    if (i >= 0) throw fail(`${name}[${i}] is ${values[i]} with goodRASFlag ${hdr.goodRASFlag}, expected a finite value`);
  }
  const i = hdr.delta.findIndex((d) => !(d > 0));
  if (i >= 0) throw fail(`delta[${i}] is ${hdr.delta[i]}, expected a voxel size > 0 mm`);
  const [a, b, c, , d, e, f, , g, h, k] = affine;
  const det = a * (e * k - f * h) - b * (d * k - f * g) + c * (d * h - e * g);
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) {
    throw fail(`Mdc ${hdr.mdc.join(' ')} with delta ${hdr.delta.join(' ')} gives a singular voxel→RAS matrix (determinant ${det}), expected three independent directions`);
  }
}
