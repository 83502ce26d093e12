/** Tiny in-memory volumes and datasets for the tests of src/data (no binary fixtures in git). */
import { mkdir, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeNiftiFile } from '../../src/volume/niftiFile.js';
import { makeVolume, type Volume, type VoxelArray } from '../../src/volume/Volume.js';

/** A volume whose voxel (i, j, k) holds `f(i, j, k)`, in the typed array `Type` (Float32Array by default). */
export function volumeFrom(
  dims: [number, number, number],
  f: (i: number, j: number, k: number) => number,
  Type: new (n: number) => VoxelArray = Float32Array,
): Volume {
  const [nx, ny, nz] = dims;
  const data = new Type(nx * ny * nz);
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) data[i + nx * (j + ny * k)] = f(i, j, k);
  return makeVolume(dims, data);
}

/** A fresh temporary folder. */
export function tempDir(prefix = 'nonadj-data-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Write exam folders `dir/<id>/{image,label}` (label skipped when null). */
export async function writeExamFolders(
  dir: string,
  exams: Array<{ id: string; image: Volume | null; label: Volume | null }>,
  names = { image: 'prepro_im_mni_bc.nii.gz', label: 'prepro_seg_mni.nii.gz' },
): Promise<void> {
  for (const e of exams) {
    await mkdir(path.join(dir, e.id), { recursive: true });
    if (e.image) await writeNiftiFile(path.join(dir, e.id, names.image), e.image, { kind: 'image' });
    if (e.label) await writeNiftiFile(path.join(dir, e.id, names.label), e.label, { kind: 'labels' });
  }
}

/** A loader serving volumes from memory by file name, counting reads (to check streaming). */
export function memoryLoader(files: Map<string, Volume>): { load: (file: string) => Promise<Volume>; reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    load: async (file) => {
      reads.push(file);
      const v = files.get(file);
      if (!v) throw new Error(`memoryLoader: cannot read ${file}: ENOENT`);
      return v;
    },
  };
}
