import type { NiftiDatatype } from './Volume.js';

/** The integer datatypes a label map may be written in, with the range each holds. */
export const LABEL_DATATYPE_RANGES: Readonly<Partial<Record<NiftiDatatype, readonly [number, number]>>> = {
  uint8: [0, 255],
  int8: [-128, 127],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
};

/** NIfTI's choice, smallest first: what {@link smallestLabelDatatype} tries when not told otherwise. */
const NIFTI_ORDER: readonly NiftiDatatype[] = ['uint8', 'int16', 'uint16', 'int32'];

/**
 * The smallest integer datatype among `candidates` (tried in their order, smallest first) holding every integer in
 * `min..max`. With the default candidates (NIfTI's): uint8 for 0..255, else int16 when within −32768..32767, else
 * uint16 for 0..65535, else int32. `writeMgh` passes `['uint8', 'int16', 'int32']` (MGH's uchar, short, int).
 *
 * @example smallestLabelDatatype(0, 116) === 'uint8'; smallestLabelDatatype(-1, 300) === 'int16'
 * @throws RangeError when `min`/`max` are not integers, `min > max`, or no candidate holds the range.
 */
export function smallestLabelDatatype(min: number, max: number, candidates: readonly NiftiDatatype[] = NIFTI_ORDER): NiftiDatatype {
  if (!Number.isInteger(min) || !Number.isInteger(max) || min > max) {
    throw new RangeError(`smallestLabelDatatype: range ${min}..${max} is not an integer range with min ≤ max`);
  }
  for (const t of candidates) {
    const range = LABEL_DATATYPE_RANGES[t];
    if (range && min >= range[0] && max <= range[1]) return t;
  }
  const last = candidates.at(-1);
  const range = last === undefined ? undefined : LABEL_DATATYPE_RANGES[last];
  throw new RangeError(`smallestLabelDatatype: range ${min}..${max} does not fit in ${last}${range ? `, expected labels within ${range[0]}..${range[1]}` : ''}`);
}
