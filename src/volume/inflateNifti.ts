import { constants as bufferConstants } from 'node:buffer';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';

/**
 * Bytes a gzip stream may hold after `vox_offset` + data before it is refused. Some writers pad the end of a file;
 * a valid volume followed by gigabytes of zeros (a gzip bomb) must not be inflated, so the allowance is small.
 */
export const TRAILING_ALLOWANCE = 2 ** 20;

/**
 * Inflate a whole gzip stream, refusing to produce more than `limit` bytes. zlib stops as soon as the output
 * passes the limit, so a bomb costs at most `limit` bytes of memory.
 */
export function inflate(bytes: Uint8Array, limit: number, source: string, needed?: number, reader = 'readNifti'): Uint8Array {
  try {
    return gunzipSync(bytes, { maxOutputLength: Math.max(1, Math.min(limit, maxBufferLength())) });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new Error(
        `${reader}: ${source}: gzip stream inflates to more than ${limit} bytes` +
          (needed === undefined
            ? ` (${reader} maxBytes)`
            : `, the header needs ${needed} (vox_offset + data) and at most ${TRAILING_ALLOWANCE} trailing bytes are ignored: refused (a gzip bomb?)`),
        { cause: error },
      );
    }
    throw new Error(`${reader}: ${source}: corrupt gzip stream (${(error as Error).message})`, { cause: error });
  }
}

/** Inflate what the first `compressedBytes` bytes of a gzip stream hold (at most ~1032× as many), for the header. */
export function inflatePrefix(bytes: Uint8Array, compressedBytes: number, source: string, reader = 'readNifti'): Uint8Array {
  try {
    // Z_SYNC_FLUSH returns what the prefix decodes to instead of failing on the cut-off stream.
    return gunzipSync(bytes.subarray(0, compressedBytes), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  } catch (error) {
    throw new Error(`${reader}: ${source}: corrupt gzip stream (${(error as Error).message})`, { cause: error });
  }
}

/** Largest Buffer this Node can allocate (zlib refuses a larger `maxOutputLength`). */
function maxBufferLength(): number {
  return bufferConstants.MAX_LENGTH;
}
