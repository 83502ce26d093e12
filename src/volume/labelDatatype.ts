import { LABEL_DATATYPE_RANGES, smallestLabelDatatype } from './smallestLabelDatatype.js';
import type { NiftiDatatype, Volume } from './Volume.js';

/** Options of {@link labelDatatype}. */
export interface LabelDatatypeOptions {
  /** The writer asking (`'writeNifti'`, `'writeMgh'`), named in errors. */
  writer: string;
  /** The integer types the format can store, smallest first: the choice is the first that holds the labels. */
  candidates: readonly NiftiDatatype[];
  /** Write in this type when the format has it (`allowed`) and every label fits (to keep an input's type). */
  prefer?: NiftiDatatype;
  /** Types `prefer` may name. @default candidates */
  allowed?: readonly NiftiDatatype[];
}

/**
 * The datatype a label map is written in, shared by `writeNifti` and `writeMgh`: one scan of the voxels checks that
 * every label is an integer and finds their range; then the preferred type if it is allowed and holds the range,
 * else the smallest of the candidates that does ({@link smallestLabelDatatype}).
 *
 * @param volume - the label map; any number of frames (voxel index `i + j·nx + k·nx·ny + t·nx·ny·nz`).
 * @throws RangeError naming the writer and the voxel (i, j, k and frame) of the first label that is not an integer,
 *   or the range when no candidate holds it.
 */
export function labelDatatype(volume: Volume, options: LabelDatatypeOptions): NiftiDatatype {
  const { data, dims } = volume;
  const { writer, prefer } = options;
  // Integer arrays hold integers by construction: only float arrays need the per-voxel check.
  const isIntegerArray = !(data instanceof Float32Array || data instanceof Float64Array);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < min) min = v;
    if (v > max) max = v;
    if (!isIntegerArray && !Number.isInteger(v)) {
      const [nx, ny, nz] = dims;
      const [x, y, z, t] = [i % nx, Math.floor(i / nx) % ny, Math.floor(i / (nx * ny)) % nz, Math.floor(i / (nx * ny * nz))];
      throw new RangeError(
        `${writer}: label value ${v} at voxel ${i} (i=${x}, j=${y}, k=${z}${volume.frames > 1 ? `, frame ${t}` : ''}) ` +
          "is not an integer, expected integer labels (use kind: 'image' for intensities)",
      );
    }
  }
  const range = prefer === undefined || !(options.allowed ?? options.candidates).includes(prefer) ? undefined : LABEL_DATATYPE_RANGES[prefer];
  if (range && min >= range[0] && max <= range[1]) return prefer!;
  try {
    return smallestLabelDatatype(min, max, options.candidates);
  } catch (error) {
    throw new RangeError(`${writer}: labels span ${min}..${max}, which does not fit in int32`, { cause: error });
  }
}
