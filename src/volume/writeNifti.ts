import { gzipSync } from 'node:zlib';
import { affineToQform } from './qform.js';
import { labelDatatype } from './labelDatatype.js';
import type { NiftiDatatype, Volume } from './Volume.js';

/** Options of {@link writeNifti}. */
export interface WriteNiftiOptions {
  /**
   * `'labels'`: integer label map, written with `intent_code` 1002 (NIFTI_INTENT_LABEL) in the smallest integer
   * datatype holding the data's range (see `smallestLabelDatatype`).
   * `'image'`: intensities, written as float32 (float64 values are rounded; beyond ±3.4e38 they become ±Infinity).
   */
  kind: 'labels' | 'image';
  /** Gzip-compress the whole file (`.nii.gz`; zlib level 6 for labels, 4 for images); default false. */
  gzip?: boolean;
  /** `descrip` field, at most 80 bytes of UTF-8; default empty. */
  description?: string;
  /**
   * `'labels'`: write in this datatype when it is an integer type and every label fits it (pass the input's
   * `header.datatype` to keep it, as `repair` and `segment` do); otherwise the smallest type that holds them.
   * `'image'`: `'uint8'` writes a `Uint8Array` image as uint8 (a FreeSurfer-conformed T1, see `conformVolume`);
   * anything else is written float32.
   */
  preferDatatype?: NiftiDatatype;
}

/** Header size of a NIfTI-1 single file plus the 4-byte extension flag: the data start here. */
const VOX_OFFSET = 352;
const NIFTI_INTENT_LABEL = 1002;
const DATATYPE_CODES: Readonly<Record<'uint8' | 'int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32', number>> = {
  uint8: 2,
  int8: 256,
  int16: 4,
  uint16: 512,
  int32: 8,
  uint32: 768,
  float32: 16,
};
/** Label datatypes, smallest first, and those a caller may prefer (int8 and uint32 too: an input's type is kept). */
const NIFTI_LABEL_TYPES: readonly NiftiDatatype[] = ['uint8', 'int16', 'uint16', 'int32'];
const NIFTI_PREFERABLE: readonly NiftiDatatype[] = ['uint8', 'int8', 'int16', 'uint16', 'int32', 'uint32'];
/**
 * gzip levels, measured in bench/nifti.bench.ts on this project's MNI-space files: label maps compress well,
 * so zlib's default 6 is worth it (AAL: 0.16 MB in ~60 ms vs 0.28 MB in ~15 ms at level 1); float32 images
 * gain little past 4 (ch2 as float32: 5.0 MB in ~0.25 s at 4 vs 4.6 MB in ~0.9 s at 6).
 */
const GZIP_LEVEL = { labels: 6, image: 4 } as const;

/**
 * Encode a volume as a NIfTI-1 single file (`n+1`, little-endian, `vox_offset` 352, no extensions).
 *
 * Geometry is preserved: the sform is `volume.affine` with the header's `sform_code` (when the header has none:
 * 0 if the affine is the header's qform, so a qform-only file stays so, else 2, aligned); the qform is the header's qform with its code when it has one, else `volume.affine` with
 * `qform_code` 0, converted to quaternion + qfac + pixdim as nibabel's `set_qform` does (a sheared matrix
 * keeps only its nearest rotation there; the sform stays exact). `pixdim[1..3]` are the qform's voxel sizes.
 * Values go through float32 on disk, so an affine read back equals the written one to float32 precision
 * (exactly when its entries are float32 numbers, as those of an affine read from NIfTI-1 are).
 *
 * Also written: `dim[0]` = 4 with `dim[4]` = frames for a stack of frames (else 3), `xyzt_units` = mm
 * (+ seconds for 4D), `scl_slope` 1 and `scl_inter` 0, `descrip` from `options.description`.
 *
 * @returns the file bytes (gzip-compressed when `options.gzip`).
 * @throws RangeError when `dims`/`frames` do not match `data.length`, a `'labels'` value is not an integer
 *   (the message names the value and the voxel) or its range exceeds int32, a dimension exceeds 32767
 *   (NIfTI-1's int16 `dim`), the affine is singular, or the description is longer than 80 bytes.
 */
export function writeNifti(volume: Volume, options: WriteNiftiOptions): Uint8Array {
  const { dims, frames, data } = volume;
  const perFrame = dims[0] * dims[1] * dims[2];
  if (!dims.every((d) => Number.isInteger(d) && d >= 1) || !(Number.isInteger(frames) && frames >= 1)) {
    throw new RangeError(`writeNifti: dims ${dims.join('×')} × ${frames} frames, expected positive integers`);
  }
  if (data.length !== perFrame * frames) {
    throw new RangeError(`writeNifti: data has ${data.length} values, expected ${dims.join('×')}×${frames} = ${perFrame * frames}`);
  }
  const shape = frames > 1 ? [...dims, frames] : [...dims];
  if (shape.some((n) => n > 32767)) {
    throw new RangeError(`writeNifti: shape ${shape.join('×')} has a dimension above 32767, which NIfTI-1 cannot store`);
  }
  const description = new TextEncoder().encode(options.description ?? '');
  if (description.length > 80) {
    throw new RangeError(`writeNifti: description is ${description.length} bytes, expected at most 80`);
  }

  const datatype =
    options.kind === 'labels' ? labelDatatype(volume, { writer: 'writeNifti', candidates: NIFTI_LABEL_TYPES, prefer: options.preferDatatype, allowed: NIFTI_PREFERABLE }) : options.preferDatatype === 'uint8' && data instanceof Uint8Array ? 'uint8' : 'float32';
  const bytesPer = datatype === 'uint8' || datatype === 'int8' ? 1 : datatype === 'int16' || datatype === 'uint16' ? 2 : 4;
  const out = new Uint8Array(VOX_OFFSET + data.length * bytesPer);
  const view = new DataView(out.buffer);

  const header = volume.header;
  const hasQform = header.qformCode > 0 && header.qform !== null;
  let qform;
  try {
    qform = affineToQform(hasQform ? header.qform! : volume.affine);
  } catch (error) {
    throw new RangeError(`writeNifti: ${hasQform ? 'header qform' : 'affine'} is singular (${(error as Error).message})`, { cause: error });
  }

  view.setInt32(0, 348, true);
  view.setInt16(40, shape.length, true);
  for (let axis = 1; axis <= 7; axis++) view.setInt16(40 + 2 * axis, shape[axis - 1] ?? 1, true);
  view.setInt16(68, options.kind === 'labels' ? NIFTI_INTENT_LABEL : 0, true);
  view.setInt16(70, DATATYPE_CODES[datatype as keyof typeof DATATYPE_CODES], true);
  view.setInt16(72, 8 * bytesPer, true);
  const pixdim = [qform.qfac, ...qform.pixdim, 1, 1, 1, 1];
  pixdim.forEach((value, i) => view.setFloat32(76 + 4 * i, value, true));
  view.setFloat32(108, VOX_OFFSET, true);
  view.setFloat32(112, 1, true);
  view.setFloat32(116, 0, true);
  view.setUint8(123, frames > 1 ? 2 | 8 : 2); // NIFTI_UNITS_MM (| NIFTI_UNITS_SEC)
  out.set(description, 148);
  view.setInt16(252, hasQform ? header.qformCode : 0, true);
  view.setInt16(254, sformCode(volume, hasQform), true);
  [qform.quaternB, qform.quaternC, qform.quaternD, ...qform.qoffset].forEach((value, i) => view.setFloat32(256 + 4 * i, value, true));
  for (let i = 0; i < 12; i++) view.setFloat32(280 + 4 * i, volume.affine[i], true);
  out.set([0x6e, 0x2b, 0x31, 0x00], 344); // "n+1\0"

  // Typed-array set() converts element by element (ToUint8, ToInt16, … or rounding to float32); the label
  // range was checked above, so no value wraps.
  const target = new (datatype === 'uint8'
    ? Uint8Array
    : datatype === 'int8'
      ? Int8Array
      : datatype === 'uint32'
        ? Uint32Array
        : datatype === 'int16'
      ? Int16Array
      : datatype === 'uint16'
        ? Uint16Array
        : datatype === 'int32'
          ? Int32Array
          : Float32Array)(out.buffer, VOX_OFFSET, data.length);
  target.set(data);
  if (!PLATFORM_LITTLE_ENDIAN && bytesPer > 1) {
    const raw = Buffer.from(out.buffer, VOX_OFFSET, data.length * bytesPer);
    if (bytesPer === 2) raw.swap16();
    else raw.swap32();
  }

  if (!options.gzip) return out;
  const zipped = gzipSync(out, { level: GZIP_LEVEL[options.kind] });
  return new Uint8Array(zipped.buffer, zipped.byteOffset, zipped.byteLength);
}

const PLATFORM_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The sform code to write: the header's when set. A qform-only file stays qform-only (code 0, as read) when the
 * affine is still its qform; otherwise (no codes, or an affine changed in memory) 2, aligned, so the affine is kept.
 */
function sformCode(volume: Volume, hasQform: boolean): number {
  const { header, affine } = volume;
  if (header.sformCode > 0) return header.sformCode;
  const q = header.qform;
  if (hasQform && q && q.every((x, i) => Math.abs(x - affine[i]) <= 1e-6 * Math.max(1, Math.abs(x)))) return 0;
  return 2;
}

