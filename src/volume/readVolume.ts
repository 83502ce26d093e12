import { inflatePrefix } from './inflateNifti.js';
import { readMgh } from './readMgh.js';
import { readNifti, type ReadNiftiOptions } from './readNifti.js';
import type { Volume } from './Volume.js';

/**
 * Read a NIfTI (`.nii`, `.nii.gz`) or FreeSurfer MGH (`.mgh`, `.mgz`) volume, the format decided by the bytes, not
 * the name: after gzip (if any), an MGH file starts with the big-endian int32 1 (`00 00 00 01`), which no NIfTI
 * header can (its first int32 is 348 or 540 in either byte order). Everything else goes to `readNifti`, whose
 * errors say why it is not NIfTI.
 *
 * @param bytes - the whole file.
 * @returns what {@link readNifti} or {@link readMgh} returns (`header.format` says which).
 * @throws every error of {@link readNifti} and {@link readMgh}.
 */
export function readVolume(bytes: Uint8Array, options: ReadNiftiOptions = {}): Volume {
  return isMgh(bytes) ? readMgh(bytes, options) : readNifti(bytes, options);
}

function isMgh(bytes: Uint8Array): boolean {
  let head = bytes;
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      head = inflatePrefix(bytes, 4096, '<sniff>', 'readVolume', 4);
    } catch {
      return false; // readNifti reports the corrupt stream
    }
  }
  return head.length >= 4 && head[0] === 0 && head[1] === 0 && head[2] === 0 && head[3] === 1;
}
