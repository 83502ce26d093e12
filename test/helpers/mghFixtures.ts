/**
 * FreeSurfer MGH fixtures built byte by byte with DataView (offsets of FreeSurfer's `mghRead` / nibabel's
 * `header_dtd`), independent of `src/volume/readMgh.ts` and `writeMgh.ts`.
 */

/** Everything a raw MGH file may need; fields left out take the value of a 1 mm, LIA, float file. */
export interface RawMghSpec {
  version?: number;
  /** width, height, depth, nframes. */
  dims: readonly [number, number, number, number];
  /** MRI type code (0 uchar, 1 int, 3 float, 4 short, 10 ushort); any other code needs `bytesPerVoxel`. */
  type: number;
  bytesPerVoxel?: number;
  goodRASFlag?: number;
  delta?: readonly number[];
  /** As stored: direction of i (r, a, s), then j, then k. */
  mdc?: readonly number[];
  cRas?: readonly number[];
  /** Voxel values, x fastest; omitted → zeros. */
  data?: ArrayLike<number>;
  /** Bytes appended after the data (the optional tail). */
  tail?: Uint8Array;
}

const BYTES: Record<number, number> = { 0: 1, 1: 4, 3: 4, 4: 2, 10: 2 };

/** Build the bytes of an uncompressed `.mgh` from `spec`. */
export function buildMgh(spec: RawMghSpec): Uint8Array {
  const bytesPer = spec.bytesPerVoxel ?? BYTES[spec.type];
  const count = spec.dims.reduce((a, b) => a * b, 1);
  const tail = spec.tail ?? new Uint8Array(0);
  const out = new Uint8Array(284 + count * bytesPer + tail.length);
  const view = new DataView(out.buffer);
  view.setInt32(0, spec.version ?? 1, false);
  spec.dims.forEach((n, i) => view.setInt32(4 + 4 * i, n, false));
  view.setInt32(20, spec.type, false);
  view.setInt16(28, spec.goodRASFlag ?? 1, false);
  (spec.delta ?? [1, 1, 1]).forEach((v, i) => view.setFloat32(30 + 4 * i, v, false));
  (spec.mdc ?? [-1, 0, 0, 0, 0, -1, 0, 1, 0]).forEach((v, i) => view.setFloat32(42 + 4 * i, v, false));
  (spec.cRas ?? [0, 0, 0]).forEach((v, i) => view.setFloat32(78 + 4 * i, v, false));
  const data = spec.data ?? [];
  for (let i = 0; i < data.length; i++) {
    const at = 284 + i * bytesPer;
    if (spec.type === 0) view.setUint8(at, data[i]);
    else if (spec.type === 1) view.setInt32(at, data[i], false);
    else if (spec.type === 3) view.setFloat32(at, data[i], false);
    else if (spec.type === 4) view.setInt16(at, data[i], false);
    else if (spec.type === 10) view.setUint16(at, data[i], false);
  }
  out.set(tail, 284 + count * bytesPer);
  return out;
}
