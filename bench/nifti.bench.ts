/**
 * NIfTI reading and writing on the bundled MNI-space files: the AAL label atlas (181×217×181 uint8, 164 kB
 * compressed) and the Colin27 "ch2" T1 template (181×217×181 uint8, 3.5 MB compressed).
 *
 * Baseline run alongside: nifti-reader-js 0.8.0 (what the project would otherwise use), `decompress` (fflate,
 * pure JS) + `readHeader` + `readImage` + a typed-array view, on the same bytes in memory. Writing has no
 * baseline in nifti-reader-js; gzip of the same bytes at levels 1 and 6 is timed beside it to show what the
 * level costs (writeNifti uses 6 for labels, 4 for float32 images).
 */
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import * as niftiReader from 'nifti-reader-js';
import { readNiftiFile } from '../src/volume/niftiFile.js';
import { readNifti } from '../src/volume/readNifti.js';
import { writeNifti } from '../src/volume/writeNifti.js';
import { machineLine, median, SMOKE, timeRuns } from './machine.js';

const MRICRON = '/tmp/mricron/dir/usr/share/mricron/templates';
function locate(name: string): string {
  for (const file of [`data/${name}`, `${MRICRON}/${name}`]) if (existsSync(file)) return file;
  throw new Error(`nifti bench: ${name} is neither in data/ nor in ${MRICRON}`);
}

const repeats = SMOKE ? 1 : 9;
const warmup = SMOKE ? 0 : 1;
const ms = async (fn: () => unknown) => median(await timeRuns(fn, repeats, warmup));
const asArrayBuffer = (b: Uint8Array) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

/** nifti-reader-js's documented path, ending in a typed array like ours. */
function baselineRead(bytes: ArrayBuffer): ArrayLike<number> {
  const raw = niftiReader.isCompressed(bytes) ? (niftiReader.decompress(bytes) as ArrayBuffer) : bytes;
  const header = niftiReader.readHeader(raw);
  const image = niftiReader.readImage(header, raw);
  return header.datatypeCode === 2 ? new Uint8Array(image) : new Float32Array(image);
}

const rows: string[] = [];
for (const [name, kind] of [['aal.nii.gz', 'labels'], ['ch2.nii.gz', 'image']] as const) {
  const file = locate(name);
  const gz = readFileSync(file);
  const plain = gunzipSync(gz);
  const [gzAb, plainAb] = [asArrayBuffer(gz), asArrayBuffer(plain)];
  const volume = readNifti(gz);

  // Same voxels from both readers, or the comparison means nothing.
  const theirs = baselineRead(gzAb);
  for (let i = 0; i < volume.data.length; i += 997) if (theirs[i] !== volume.data[i]) throw new Error(`nifti bench: ${name} voxel ${i} differs`);

  const oursGz = await ms(() => readNifti(gz));
  const baseGz = await ms(() => baselineRead(gzAb));
  const oursPlain = await ms(() => readNifti(plain));
  const basePlain = await ms(() => baselineRead(plainAb));
  const fromDisk = await ms(() => readNiftiFile(file));
  let size = 0;
  const write = await ms(() => (size = writeNifti(volume, { kind, gzip: true }).length));
  const raw = writeNifti(volume, { kind });
  const levelMs: string[] = [];
  for (const level of [1, 6]) {
    let bytes = 0;
    const t = await ms(() => (bytes = gzipSync(raw, { level }).length));
    levelMs.push(`level ${level}: ${t.toFixed(0)} ms, ${(bytes / 1e6).toFixed(2)} MB`);
  }

  const what = `${name} (${volume.dims.join('×')} ${volume.header.datatype})`;
  rows.push(`| ${what} | read .nii.gz | ${oursGz.toFixed(1)} | ${baseGz.toFixed(1)} | ${(baseGz / oursGz).toFixed(1)}× |`);
  rows.push(`| ${what} | read .nii | ${oursPlain.toFixed(2)} | ${basePlain.toFixed(2)} | ${(basePlain / oursPlain).toFixed(1)}× |`);
  rows.push(`| ${what} | readNiftiFile .nii.gz (disk + read) | ${fromDisk.toFixed(1)} | | |`);
  rows.push(
    `| ${what} | write .nii.gz as ${kind === 'labels' ? 'uint8 labels (level 6)' : 'float32 image (level 4)'}, ${(size / 1e6).toFixed(2)} MB | ` +
      `${write.toFixed(0)} | gzip alone, ${levelMs.join('; ')} | |`,
  );
}

console.log(`Machine: ${machineLine()}; medians of ${repeats} runs, bytes already in memory unless "disk" is said\n`);
console.log('| file | operation | nonadj ms | baseline ms (nifti-reader-js 0.8.0 + fflate) | speed-up |');
console.log('|---|---|---:|---:|---:|');
for (const row of rows) console.log(row);
console.log('');
