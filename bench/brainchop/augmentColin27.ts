/**
 * Augmented copies of a conformed T1 for prior A of the brainchop adaptation study (`docs/adapt-brainchop.md`):
 * K copies under augmentations that are exactly invertible on the voxel grid, so that the model's segmentation of
 * each copy can be mapped back onto the original grid with no resampling of labels (`augmentedConsensus` does the
 * inverse and the vote). Dev-only; its output feeds `nonadj segment` and `bench/brainchop/priorFromCopies.ts`.
 *
 * Per copy k (seeded): intensities (a smooth multiplicative bias field, exp of a random linear + quadratic
 * polynomial of amplitude ≤ 0.15 over the grid; a gamma in [0.8, 1.25], log-uniform, on intensities scaled by the
 * maximum; Rician-like noise |v + n|, n ~ N(0, (0.02·q95)²)), then the geometry: a flip of array axis 0 (left–right on
 * a LIA grid) on every second copy and an integer shift of up to ±8 voxels per axis (content moved, the grid kept,
 * zeros shifted in). Writes `copy-<k>.nii.gz` (float32, the input grid) and `copies.json` (each copy's flip and
 * shift, in array axes i, j, k, for the inverse).
 *
 * `nice -n 10 node --import tsx bench/brainchop/augmentColin27.ts <conformed.nii.gz> <out folder> [K = 6] [seed = 1]`
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { seededRandom } from '../../src/numeric/seededRandom.js';
import { readNiftiFile, writeNiftiFile } from '../../src/volume/niftiFile.js';
import { makeVolume } from '../../src/volume/Volume.js';

const [input, out, kArg, seedArg] = process.argv.slice(2);
if (!input || !out) throw new Error('usage: augmentColin27.ts <conformed.nii.gz> <out folder> [K] [seed]');
const K = Number(kArg ?? 6);
const seed = Number(seedArg ?? 1);
await mkdir(out, { recursive: true });
const image = await readNiftiFile(input, { expect: '3d' });
const [nx, ny, nz] = image.dims;
const n = nx * ny * nz;
const src = Float32Array.from(image.data as ArrayLike<number>);
let max = 0;
for (const v of src) if (v > max) max = v;
const sorted = Float32Array.from(src).sort();
const q95 = sorted[Math.floor(0.95 * (n - 1))];
const rng = seededRandom(seed);
const copies: Array<{ file: string; flip: boolean; shift: [number, number, number]; gamma: number; bias: number[]; noiseSd: number }> = [];
for (let k = 0; k < K; k++) {
  const flip = k % 2 === 1;
  const shift = [0, 1, 2].map(() => rng.int(17) - 8) as [number, number, number];
  const gamma = Math.exp(rng.uniform(Math.log(0.8), Math.log(1.25)));
  // Bias: exp(Σ c·term) over u, v, w ∈ [−1, 1]; 3 linear + 3 quadratic terms, |Σ| ≤ 0.15 at most.
  const bias = Array.from({ length: 6 }, () => rng.uniform(-0.025, 0.025));
  const noiseSd = 0.02 * q95;
  const aug = new Float32Array(n);
  for (let z = 0; z < nz; z++) {
    const w = (2 * z) / (nz - 1) - 1;
    for (let y = 0; y < ny; y++) {
      const v = (2 * y) / (ny - 1) - 1;
      for (let x = 0; x < nx; x++) {
        const u = (2 * x) / (nx - 1) - 1;
        const i = x + nx * (y + ny * z);
        const field = Math.exp(bias[0] * u + bias[1] * v + bias[2] * w + bias[3] * u * u + bias[4] * v * v + bias[5] * w * w);
        const g = max * Math.pow(src[i] / max, gamma) * field;
        aug[i] = Math.abs(g + rng.normal(0, noiseSd));
      }
    }
  }
  // Geometry: out[x'] = aug[x] with x' = flip(x) + shift.
  const moved = new Float32Array(n);
  for (let z = 0; z < nz; z++) {
    const z2 = z + shift[2];
    if (z2 < 0 || z2 >= nz) continue;
    for (let y = 0; y < ny; y++) {
      const y2 = y + shift[1];
      if (y2 < 0 || y2 >= ny) continue;
      for (let x = 0; x < nx; x++) {
        const x2 = (flip ? nx - 1 - x : x) + shift[0];
        if (x2 < 0 || x2 >= nx) continue;
        moved[x2 + nx * (y2 + ny * z2)] = aug[x + nx * (y + ny * z)];
      }
    }
  }
  const file = `copy-${k}.nii.gz`;
  await writeNiftiFile(path.join(out, file), makeVolume(image.dims, moved, { spacingMm: image.spacingMm, affine: image.affine }), { kind: 'image' });
  copies.push({ file, flip, shift, gamma, bias, noiseSd });
  console.log(`${file}: flip ${flip}, shift [${shift.join(', ')}], gamma ${gamma.toFixed(3)}, noise sd ${noiseSd.toFixed(2)}`);
}
await writeFile(path.join(out, 'copies.json'), JSON.stringify({ input, seed, dims: image.dims, copies }, null, 1) + '\n');
