import type { NiftiDatatype, VoxelArray } from './Volume.js';

/** Whether this machine stores numbers little-endian (NIfTI files may be either). */
const PLATFORM_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * `count` voxels from voxel index `first` on, in native order. Views `file` in place when allowed and possible
 * (aligned, native byte order); otherwise copies (and byte-swaps with Buffer's swap16/32/64, which are native).
 */
export function readVoxels(
  file: Uint8Array,
  range: { first: number; count: number; voxOffset: number },
  dt: { name: NiftiDatatype; bytes: number },
  littleEndian: boolean,
  canView: boolean,
  fail: (message: string) => Error,
): VoxelArray {
  const { first, count } = range;
  const start = range.voxOffset + first * dt.bytes;
  const length = count * dt.bytes;
  const swap = dt.bytes > 1 && littleEndian !== PLATFORM_LITTLE_ENDIAN;
  let buffer: ArrayBufferLike;
  let offset: number;
  if (canView && !swap && (file.byteOffset + start) % dt.bytes === 0) {
    buffer = file.buffer;
    offset = file.byteOffset + start;
  } else {
    // Not file.slice(): on a Buffer (what gunzipSync returns) slice is a view, not a copy.
    const copy = new Uint8Array(length);
    copy.set(file.subarray(start, start + length));
    if (swap) {
      const asBuffer = Buffer.from(copy.buffer, copy.byteOffset, copy.byteLength);
      if (dt.bytes === 2) asBuffer.swap16();
      else if (dt.bytes === 4) asBuffer.swap32();
      else asBuffer.swap64();
    }
    buffer = copy.buffer;
    offset = copy.byteOffset;
  }
  switch (dt.name) {
    case 'uint8':
      return new Uint8Array(buffer, offset, count);
    case 'int8':
      return new Int8Array(buffer, offset, count);
    case 'int16':
      return new Int16Array(buffer, offset, count);
    case 'uint16':
      return new Uint16Array(buffer, offset, count);
    case 'int32':
      return new Int32Array(buffer, offset, count);
    case 'uint32':
      return new Uint32Array(buffer, offset, count);
    case 'float32':
      return new Float32Array(buffer, offset, count);
    case 'float64':
      return new Float64Array(buffer, offset, count);
    case 'int64':
    case 'uint64':
      return int64ToFloat64(buffer, offset, { first, count }, dt.name === 'int64', fail);
  }
}

/** 64-bit integers (native order) → doubles, refusing any value a double cannot hold exactly (|v| > 2^53). */
function int64ToFloat64(
  buffer: ArrayBufferLike,
  offset: number,
  { first, count }: { first: number; count: number },
  signed: boolean,
  fail: (message: string) => Error,
): Float64Array {
  const words = new Uint32Array(buffer, offset, 2 * count);
  const [loAt, hiAt] = PLATFORM_LITTLE_ENDIAN ? [0, 1] : [1, 0];
  const out = new Float64Array(count);
  const LIMIT_HI = 2 ** 21; // 2^53 = 2^21 · 2^32
  for (let i = 0; i < count; i++) {
    const lo = words[2 * i + loAt];
    const hiWord = words[2 * i + hiAt];
    const hi = signed ? hiWord | 0 : hiWord;
    // v = hi·2^32 + lo with 0 ≤ lo < 2^32, so |v| ≤ 2^53 ⇔ -2^21 ≤ hi < 2^21, or v = 2^53 exactly.
    if ((hi >= LIMIT_HI || hi < -LIMIT_HI) && !(hi === LIMIT_HI && lo === 0)) {
      const value = BigInt(hi) * 4294967296n + BigInt(lo);
      throw fail(`voxel ${first + i} holds ${value} (${signed ? 'int64' : 'uint64'}), which exceeds 2^53 in magnitude and cannot be read exactly`);
    }
    out[i] = hi * 4294967296 + lo;
  }
  return out;
}

/** `value · slope + inter`, into the float type numpy would promote the source type and a float32 slope to. */
export function applyScaling(data: VoxelArray, datatype: NiftiDatatype, slope: number, inter: number): Float32Array | Float64Array {
  const wide = datatype === 'float64' || datatype === 'int32' || datatype === 'uint32' || datatype === 'int64' || datatype === 'uint64';
  const out = wide ? new Float64Array(data.length) : new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] * slope + inter;
  return out;
}
