import type { SeededRandom } from '../numeric/seededRandom.js';
import { smoothRandomField } from '../numeric/smoothRandomField.js';

/**
 * Options of {@link thinCortex}. Cortical thickness falls by about 0.1–0.3 mm per decade in healthy ageing (Salat
 * et al., Cereb. Cortex 2004; Fjell et al., Cereb. Cortex 2009: 0.3–0.8 mm between 20 and 80 in frontal and
 * temporal regions) and varies across adults by about ±0.5 mm regionally (Fischl & Dale, PNAS 2000: 1.5–4.5 mm
 * over the cortex). The default erodes up to one voxel (2 mm at the demo's grid), more than ageing alone: it
 * models both, with the partial-volume mixing of a fraction of a voxel below half.
 */
export interface ThinCortexOptions {
  /** Label codes of the cortex (only their outer surface is eroded). */
  cortexLabels: readonly number[];
  /** Smoothness of the thinning field: Gaussian standard deviation, mm. @default 10 */
  sigmaMm?: number;
  /** Range of the subject's thinning strength, in voxels: the local amount is `a · clamp(f/sd(f), 0, 1)`, a drawn U(range). @default [0.5, 1] */
  amount?: readonly [number, number];
}

/** Result of {@link thinCortex}. */
export interface ThinCortexResult {
  /** Outer-surface cortical voxels whose intensity was mixed with CSF's (amount > 0). */
  mixedVoxels: number;
  /** Of those, voxels turned to background (amount ≥ 0.5). */
  erodedVoxels: number;
  /** Cortical voxels before. */
  cortexVoxels: number;
  /** The CSF intensity used (median of dark background voxels touching the cortex). */
  csf: number;
  /** Drawn strength `a`, voxels. */
  strength: number;
}

/**
 * Cortical thinning on a subject's grid, in place, consistently in image and labels. The **outer surface** is the
 * set of cortical voxels with a 6-neighbour that is background (label 0) and dark (below half the cortex's median
 * intensity: CSF or outside, not white matter, which AAL leaves unlabelled too). A smooth random field f (σ =
 * `sigmaMm`, standard deviation sd) gives the local amount `t = a·clamp(f/sd, 0, 1)` ∈ [0, a] voxels, so about half
 * the surface is untouched, a sixth thins by the full `a`, and the rest in between, in smooth patches. A surface voxel with t > 0 takes the intensity
 * `(1 − t)·v + t·csf` (partial volume with the CSF it now holds); with t ≥ 0.5 its label becomes 0 (most of it is
 * CSF). Only one layer is eroded: t ≤ 1 voxel.
 *
 * Draw order (from `rng`): the strength a, then the field's noise.
 *
 * @param image - intensities of a T1-contrast subject (CSF dark), x fastest; modified.
 * @param labels - its labels, same grid; modified.
 * @param dims - grid size `[nx, ny, nz]`.
 * @param spacingMm - voxel size, mm.
 * @throws RangeError when the arrays do not match `dims` or an option is out of range.
 */
export function thinCortex(
  image: Float32Array,
  labels: Int32Array,
  dims: readonly [number, number, number],
  spacingMm: readonly [number, number, number],
  rng: SeededRandom,
  options: ThinCortexOptions,
): ThinCortexResult {
  const [nx, ny, nz] = dims;
  const n = nx * ny * nz;
  if (image.length !== n || labels.length !== n) {
    throw new RangeError(`thinCortex: ${image.length} intensities and ${labels.length} labels for a ${dims.join('×')} grid`);
  }
  const sigmaMm = options.sigmaMm ?? 10;
  const [lo, hi] = options.amount ?? [0.5, 1];
  if (!(sigmaMm > 0) || !(lo >= 0 && lo <= hi && hi <= 1)) {
    throw new RangeError(`thinCortex: sigmaMm ${sigmaMm} must be > 0 and amount [${lo}, ${hi}] within [0, 1]`);
  }
  let maxCode = 0;
  for (const c of options.cortexLabels) {
    if (!Number.isInteger(c) || c <= 0) throw new RangeError(`thinCortex: cortex label ${c}, expected a positive integer`);
    maxCode = Math.max(maxCode, c);
  }
  const isCortex = new Uint8Array(maxCode + 1);
  for (const c of options.cortexLabels) isCortex[c] = 1;
  const cortical = (l: number) => l > 0 && l <= maxCode && isCortex[l] === 1;

  const strength = rng.uniform(lo, hi);
  const [field] = smoothRandomField(rng, dims, { sigma: spacingMm.map((s) => sigmaMm / s) as [number, number, number], channels: 1, maxNorm: 1 });
  // In units of its own standard deviation, so the share of the surface thinned does not depend on the grid size.
  let sq = 0;
  for (let v = 0; v < n; v++) sq += field[v] * field[v];
  const sd = Math.sqrt(sq / n) || 1;

  const cortexValues: number[] = [];
  let cortexVoxels = 0;
  for (let v = 0; v < n; v++) {
    if (cortical(labels[v])) {
      cortexVoxels++;
      if (v % 3 === 0) cortexValues.push(image[v]);
    }
  }
  const result: ThinCortexResult = { mixedVoxels: 0, erodedVoxels: 0, cortexVoxels, csf: NaN, strength };
  if (cortexValues.length === 0) return result;
  cortexValues.sort((a, b) => a - b);
  const dark = 0.5 * cortexValues[cortexValues.length >> 1];

  // Outer surface voxels and the CSF they touch, decided on the input before any change.
  const surface: number[] = [];
  const csfValues: number[] = [];
  const strides = [1, nx, nx * ny];
  for (let z = 0, v = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, v++) {
        if (!cortical(labels[v])) continue;
        const pos = [x, y, z];
        let outer = false;
        for (let ax = 0; ax < 3; ax++) {
          for (const d of [-1, 1]) {
            const p = pos[ax] + d;
            if (p < 0 || p >= dims[ax]) continue;
            const w = v + d * strides[ax];
            if (labels[w] === 0 && image[w] < dark) {
              outer = true;
              csfValues.push(image[w]);
            }
          }
        }
        if (outer) surface.push(v);
      }
    }
  }
  if (surface.length === 0) return result;
  csfValues.sort((a, b) => a - b);
  const csf = csfValues[csfValues.length >> 1];
  result.csf = csf;
  for (const v of surface) {
    const t = strength * Math.min(1, Math.max(0, field[v] / sd));
    if (t <= 0) continue;
    image[v] = (1 - t) * image[v] + t * csf;
    result.mixedVoxels++;
    if (t >= 0.5) {
      labels[v] = 0;
      result.erodedVoxels++;
    }
  }
  return result;
}
