import { gzipSync } from 'node:zlib';
import { labelDatatype } from './labelDatatype.js';
import { MGH_DATA_OFFSET } from './readMgh.js';
import type { NiftiDatatype, Volume } from './Volume.js';

/** Options of {@link writeMgh}. */
export interface WriteMghOptions {
  /**
   * `'labels'`: integer label map, written as MRI_UCHAR when every label is in 0..255, else MRI_SHORT
   * (−32768..32767), else MRI_INT. `'image'`: intensities, written as MRI_FLOAT (float32).
   */
  kind: 'labels' | 'image';
  /** Gzip-compress the whole file (`.mgz`); default false (`.mgh`). */
  gzip?: boolean;
  /**
   * `'labels'`: write in this datatype when MGH has it (uint8, int16, uint16, int32) and every label fits;
   * otherwise the smallest of uchar, short, int that holds them. `'image'`: `'uint8'` writes a `Uint8Array` image
   * as MRI_UCHAR (FreeSurfer's conformed T1); anything else is written MRI_FLOAT.
   */
  preferDatatype?: NiftiDatatype;
}

/** MGH type codes nonadj writes: the four nibabel and every FreeSurfer version read, plus MRI_USHRT when asked. */
const TYPE_CODES = { uint8: 0, int32: 1, float32: 3, int16: 4, uint16: 10 } as const;
type MghWritable = keyof typeof TYPE_CODES;
/** Label types, smallest first (uchar, short, int: MRI_USHRT only when preferred), and those a caller may prefer. */
const MGH_LABEL_TYPES: readonly MghWritable[] = ['uint8', 'int16', 'int32'];
const MGH_PREFERABLE: readonly MghWritable[] = ['uint8', 'int16', 'uint16', 'int32'];
const BYTES: Readonly<Record<MghWritable, number>> = { uint8: 1, int16: 2, uint16: 2, int32: 4, float32: 4 };

/**
 * Encode a volume as a FreeSurfer MGH file (`.mgh`, or `.mgz` with `gzip`), the inverse of `readMgh`.
 *
 * Geometry: the affine `A` (row-major voxel → RAS mm) becomes `delta` = the lengths of A's first three columns,
 * `Mdc` = those columns divided by their lengths, and `c_ras` = `A · (dims / 2)` (FreeSurfer's centre), with
 * goodRASFlag 1; `readMgh` rebuilds `A` from them exactly up to float32 rounding. A sheared affine cannot be stored
 * (MGH assumes orthogonal directions; readers rebuild it from the columns as given, which nibabel does too), so one
 * whose columns are not orthogonal to 1e-4 is refused rather than silently changed.
 *
 * Also written: frames as the 4th dimension, dof 0, and after the voxels the optional tail's TR, flip angle, TE, TI
 * and FoV as 0 (nothing of a source file's tail is kept). Big-endian throughout, as the format requires.
 *
 * @returns the file bytes (gzip-compressed when `options.gzip`, zlib level 6).
 * @throws RangeError naming the value when `dims`/`frames` do not match `data.length`, a dimension exceeds 2^31 − 1,
 *   a `'labels'` value is not an integer or its range exceeds int32, or the affine is singular, not finite or
 *   sheared.
 */
export function writeMgh(volume: Volume, options: WriteMghOptions): Uint8Array {
  const { dims, frames, data, affine } = volume;
  const perFrame = dims[0] * dims[1] * dims[2];
  if (!dims.every((d) => Number.isInteger(d) && d >= 1 && d <= 2147483647) || !(Number.isInteger(frames) && frames >= 1)) {
    throw new RangeError(`writeMgh: dims ${dims.join('×')} × ${frames} frames, expected positive integers below 2^31`);
  }
  if (data.length !== perFrame * frames) {
    throw new RangeError(`writeMgh: data has ${data.length} values, expected ${dims.join('×')}×${frames} = ${perFrame * frames}`);
  }
  const { delta, mdc, cRas } = geometry(affine, dims);
  const datatype: MghWritable =
    options.kind === 'labels' ? labelDatatype(volume, { writer: 'writeMgh', candidates: MGH_LABEL_TYPES, prefer: options.preferDatatype, allowed: MGH_PREFERABLE }) as MghWritable : options.preferDatatype === 'uint8' && data instanceof Uint8Array ? 'uint8' : 'float32';
  const bytesPer = BYTES[datatype];
  const tail = 5 * 4;
  const out = new Uint8Array(MGH_DATA_OFFSET + data.length * bytesPer + tail);
  const view = new DataView(out.buffer);
  view.setInt32(0, 1, false);
  [...dims, frames].forEach((n, i) => view.setInt32(4 + 4 * i, n, false));
  view.setInt32(20, TYPE_CODES[datatype], false);
  view.setInt32(24, 0, false);
  view.setInt16(28, 1, false);
  delta.forEach((v, i) => view.setFloat32(30 + 4 * i, v, false));
  mdc.forEach((v, i) => view.setFloat32(42 + 4 * i, v, false));
  cRas.forEach((v, i) => view.setFloat32(78 + 4 * i, v, false));

  // Typed-array set() converts element by element; the label range was checked, so no value wraps. DataView
  // writes big-endian whatever the platform.
  const at = MGH_DATA_OFFSET;
  switch (datatype) {
    case 'uint8':
      out.set(data, at);
      break;
    case 'int16':
      for (let i = 0; i < data.length; i++) view.setInt16(at + 2 * i, data[i], false);
      break;
    case 'uint16':
      for (let i = 0; i < data.length; i++) view.setUint16(at + 2 * i, data[i], false);
      break;
    case 'int32':
      for (let i = 0; i < data.length; i++) view.setInt32(at + 4 * i, data[i], false);
      break;
    case 'float32':
      for (let i = 0; i < data.length; i++) view.setFloat32(at + 4 * i, data[i], false);
      break;
  }
  if (!options.gzip) return out;
  const zipped = gzipSync(out, { level: 6 });
  return new Uint8Array(zipped.buffer, zipped.byteOffset, zipped.byteLength);
}

/** delta, Mdc (as stored: i's direction, then j's, then k's) and c_ras of a row-major voxel→RAS affine. */
function geometry(affine: Float64Array, dims: readonly number[]): { delta: number[]; mdc: number[]; cRas: number[] } {
  if (affine.length !== 16 || !affine.every(Number.isFinite)) {
    throw new RangeError(`writeMgh: affine [${Array.from(affine).join(', ')}] must be 16 finite numbers`);
  }
  const column = (c: number) => [affine[c], affine[4 + c], affine[8 + c]];
  const columns = [0, 1, 2].map(column);
  const delta = columns.map((v) => Math.hypot(...v));
  if (delta.some((d) => !(d > 0))) throw new RangeError(`writeMgh: affine column lengths ${delta.join(', ')}, expected non-zero voxel sizes (singular affine)`);
  const unit = columns.map((v, c) => v.map((x) => x / delta[c]));
  const dot = (u: number[], v: number[]) => u[0] * v[0] + u[1] * v[1] + u[2] * v[2];
  for (const [p, q] of [[0, 1], [0, 2], [1, 2]]) {
    const cos = dot(unit[p], unit[q]);
    if (Math.abs(cos) > 1e-4) {
      throw new RangeError(`writeMgh: affine columns ${p} and ${q} have cosine ${cos.toPrecision(3)}, expected orthogonal directions (MGH cannot store a sheared or singular affine)`);
    }
  }
  const cRas = [0, 1, 2].map((r) => affine[4 * r] * (dims[0] / 2) + affine[4 * r + 1] * (dims[1] / 2) + affine[4 * r + 2] * (dims[2] / 2) + affine[4 * r + 3]);
  return { delta, mdc: unit.flat(), cRas };
}

