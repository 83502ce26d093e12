import { gaussianBlur } from '../numeric/gaussianBlur.js';
import type { SeededRandom } from '../numeric/seededRandom.js';
import { minJacobianOf } from './minJacobianOf.js';

type Triple = [number, number, number];

/**
 * Parameters of the anatomical variability of {@link makeAnatomyField} (the `'varied'` anatomy of
 * `makeSyntheticSubject`). Defaults and where their numbers come from:
 *
 * - **Ventricle enlargement.** Lateral ventricle volume roughly doubles to triples between the third and the
 *   eighth decade (about 0.3–1 ml/year, faster after 60; e.g. Kaye et al., Neurology 1992; Fjell et al., Cereb.
 *   Cortex 2009; Walhovd et al., Neurobiol. Aging 2011). Colin27 was scanned as a young adult (about 13 ml of dark
 *   CSF in the ventricle box at 1 mm). The wall displacement is drawn U(0, `ventricleMm`): with the defaults (5 mm,
 *   σ 8 mm) at 2 mm voxels the ventricles grow by ×1 to about ×2 (measured: 3.2 mm → ×1.8, 4.3 mm → ×2.0), the
 *   range of healthy ageing from young adulthood.
 * - **Structure volumes.** Healthy adults' subcortical and lobar volumes vary by a coefficient of variation of about
 *   8–15 % after head-size correction (e.g. Walhovd et al. 2011; hippocampus ±10–15 %); each labelled structure's
 *   volume is scaled by a factor U(1 − `volumeChange`, 1 + `volumeChange`), default ±15 %.
 */
export interface AnatomyFieldOptions {
  /** Largest ventricle-wall displacement in mm; each subject draws U(0, this). @default 5 */
  ventricleMm?: number;
  /** Smoothness of the ventricle push (σ of the Gaussian that smooths the ventricle mask), mm. @default 8 */
  ventricleSigmaMm?: number;
  /**
   * Where the lateral ventricles are looked for, world (RAS) mm: `[[xmin, xmax], [ymin, ymax], [zmin, zmax]]`.
   * Default: MNI space (Colin27), the lateral ventricles' bodies and frontal horns.
   * @default [[-30, 30], [-45, 25], [-5, 35]]
   */
  ventricleBoxMm?: readonly [readonly [number, number], readonly [number, number], readonly [number, number]];
  /** Largest relative volume change of each structure: factors U(1 ± this). @default 0.15 */
  volumeChange?: number;
  /**
   * Floor on the Jacobian determinant of `x ↦ x + u(x)`: while the field's smallest determinant is below it, the
   * whole field is scaled by 0.8 (at most 60 times: 0.8⁶⁰ ≈ 1.5e-6), so that the map never folds. The enlarged ventricles need low
   * values there (a determinant of 0.5 doubles a volume), hence a low floor. @default 0.1
   */
  minJacobian?: number;
}

/** The atlas grid the field is made on (the downsampled atlas of `makeSyntheticSubject`). */
export interface AnatomyGrid {
  dims: Triple;
  spacingMm: Triple;
  /** Voxel → world (RAS mm), row-major 4×4. */
  affine: ArrayLike<number>;
  /** Intensities (any scale; T1 contrast: CSF dark). */
  image: Float32Array;
  labels: Int32Array;
}

/** Result of {@link makeAnatomyField}. */
export interface AnatomyField {
  /**
   * Backward displacement, in voxels of the atlas grid, 3 Float32Arrays (x, y, z components; x fastest): the
   * varied atlas at voxel `q` is the atlas at `q + u(q)`.
   */
  u: [Float32Array, Float32Array, Float32Array];
  /** What was drawn and what it did, for reports and tests. */
  info: AnatomyFieldInfo;
}

/** The draws and the measured effect of one anatomy field. */
export interface AnatomyFieldInfo {
  /** Drawn ventricle-wall displacement, mm (before `scale`). */
  ventricleMm: number;
  /** Voxels of the ventricle mask found in the atlas. */
  ventricleVoxels: number;
  /** Ventricle volume after / before (voxels of the varied atlas whose source lies in the mask / mask voxels). */
  ventricleVolumeRatio: number;
  /** Drawn volume factor per label code (index = code; NaN for codes absent from the atlas and for 0). */
  volumeFactors: number[];
  /** Factor applied to the whole field by the Jacobian guard (1: none). */
  scale: number;
  /** Smallest Jacobian determinant of `x ↦ x + u(x)` (central differences), after the guard. */
  minJacobian: number;
}

/**
 * A smooth, non-folding backward displacement field on the atlas grid that changes its anatomy as subjects differ
 * (see {@link AnatomyFieldOptions} for the model's numbers):
 *
 * 1. **Ventricle enlargement**: the lateral ventricles are the unlabelled (label 0) voxels darker than half the
 *    median intensity of the labelled voxels inside `ventricleBoxMm`, restricted to the 6-connected components of
 *    at least a fifth of the largest one (which drops the scattered sulcal CSF). The mask is smoothed
 *    (σ = `ventricleSigmaMm`) into φ, and `u = k·∇φ`, scaled so its longest vector is the drawn wall displacement:
 *    every point samples the atlas a little closer to the ventricles, so they grow and push the tissue around them
 *    outwards, the push fading over about σ.
 * 2. **Structure volumes**: for each label present, a volume factor f drawn U(1 ± `volumeChange`) and a radial
 *    scaling by s = f^(1/3) about the structure's centroid c, `u = (c − x)(1 − 1/s)·w(|x − c|)`, with compact
 *    smooth support w: 1 within R₁ = 1.29 × the structure's RMS radius (the radius of a ball of the same second
 *    moment), a raised-cosine fall to 0 at R₂ = R₁ + max(8 mm, R₁) (a wide fall keeps the strain of the
 *    neighbours small). Fields are summed (they are small: |1 − 1/s| ≤ 5 %).
 * 3. **No folding**: the Jacobian determinant of `x ↦ x + u(x)` is computed everywhere; while its minimum is below
 *    `minJacobian` the whole field is scaled by 0.8.
 *
 * Draw order (from `rng`): the ventricle displacement, then one volume factor per label code 1…max in order.
 *
 * @param grid - the atlas (T1 contrast, labels) the field is made for.
 * @param rng - the generator of the draws.
 * @throws RangeError when an option is out of range or the grid's arrays do not match `dims`.
 */
export function makeAnatomyField(grid: AnatomyGrid, rng: SeededRandom, options: AnatomyFieldOptions = {}): AnatomyField {
  const ventricleMmMax = options.ventricleMm ?? 5;
  const ventricleSigmaMm = options.ventricleSigmaMm ?? 8;
  const box = options.ventricleBoxMm ?? [[-30, 30], [-45, 25], [-5, 35]];
  const volumeChange = options.volumeChange ?? 0.15;
  const minJacobian = options.minJacobian ?? 0.1;
  const checks: Array<[string, number, boolean]> = [
    ['ventricleMm', ventricleMmMax, ventricleMmMax >= 0],
    ['ventricleSigmaMm', ventricleSigmaMm, ventricleSigmaMm > 0],
    ['volumeChange', volumeChange, volumeChange >= 0 && volumeChange < 1],
    ['minJacobian', minJacobian, minJacobian >= 0 && minJacobian < 1],
  ];
  for (const [name, value, ok] of checks) {
    if (!ok || !Number.isFinite(value)) throw new RangeError(`makeAnatomyField: ${name} is ${value}, out of range`);
  }
  const { dims, spacingMm: sp, affine, image, labels } = grid;
  const [nx, ny, nz] = dims;
  const n = nx * ny * nz;
  if (image.length !== n || labels.length !== n) {
    throw new RangeError(`makeAnatomyField: ${image.length} intensities and ${labels.length} labels for a ${dims.join('×')} grid`);
  }
  const ux = new Float32Array(n), uy = new Float32Array(n), uz = new Float32Array(n);

  // 1. Ventricles.
  const ventricleMm = rng.uniform(0, ventricleMmMax);
  const mask = ventricleMask(grid, box);
  let ventricleVoxels = 0;
  for (let v = 0; v < n; v++) ventricleVoxels += mask[v];
  if (ventricleVoxels > 0 && ventricleMm > 0) {
    const phi = gaussianBlur(mask, dims, { sigma: sp.map((s) => ventricleSigmaMm / s), truncate: 3 });
    let max2 = 0;
    const g: Triple = [0, 0, 0];
    for (let z = 0, v = 0; z < nz; z++) {
      for (let y = 0; y < ny; y++) {
        for (let x = 0; x < nx; x++, v++) {
          gradientMm(phi, dims, sp, x, y, z, g);
          ux[v] = g[0]; uy[v] = g[1]; uz[v] = g[2];
          const s = g[0] * g[0] + g[1] * g[1] + g[2] * g[2];
          if (s > max2) max2 = s;
        }
      }
    }
    // Scale to mm, then to voxels of each axis.
    const k = max2 > 0 ? ventricleMm / Math.sqrt(max2) : 0;
    for (let v = 0; v < n; v++) {
      ux[v] *= k / sp[0]; uy[v] *= k / sp[1]; uz[v] *= k / sp[2];
    }
  }

  // 2. Structure volumes: centroids and RMS radii in mm.
  let maxLabel = 0;
  for (let v = 0; v < n; v++) if (labels[v] > maxLabel) maxLabel = labels[v];
  const count = new Float64Array(maxLabel + 1), sum = new Float64Array(3 * (maxLabel + 1)), sum2 = new Float64Array(maxLabel + 1);
  for (let z = 0, v = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, v++) {
        const l = labels[v];
        if (l <= 0) continue;
        const px = x * sp[0], py = y * sp[1], pz = z * sp[2];
        count[l]++;
        sum[3 * l] += px; sum[3 * l + 1] += py; sum[3 * l + 2] += pz;
        sum2[l] += px * px + py * py + pz * pz;
      }
    }
  }
  const volumeFactors: number[] = [NaN];
  for (let l = 1; l <= maxLabel; l++) {
    const f = rng.uniform(1 - volumeChange, 1 + volumeChange);
    if (count[l] === 0) {
      volumeFactors.push(NaN);
      continue;
    }
    volumeFactors.push(f);
    const c: Triple = [sum[3 * l] / count[l], sum[3 * l + 1] / count[l], sum[3 * l + 2] / count[l]];
    const rms = Math.sqrt(Math.max(0, sum2[l] / count[l] - (c[0] * c[0] + c[1] * c[1] + c[2] * c[2])));
    const r1 = 1.29 * rms;
    const r2 = r1 + Math.max(8, r1);
    const a = 1 - 1 / Math.cbrt(f);
    const lo = c.map((ci, ax) => Math.max(0, Math.floor((ci - r2) / sp[ax])));
    const hi = c.map((ci, ax) => Math.min(dims[ax] - 1, Math.ceil((ci + r2) / sp[ax])));
    for (let z = lo[2]; z <= hi[2]; z++) {
      for (let y = lo[1]; y <= hi[1]; y++) {
        for (let x = lo[0]; x <= hi[0]; x++) {
          const dx = c[0] - x * sp[0], dy = c[1] - y * sp[1], dz = c[2] - z * sp[2];
          const r = Math.sqrt(dx * dx + dy * dy + dz * dz);
          if (r >= r2) continue;
          const w = r <= r1 ? 1 : 0.5 * (1 + Math.cos((Math.PI * (r - r1)) / (r2 - r1)));
          const v = x + nx * (y + ny * z);
          ux[v] += (a * w * dx) / sp[0]; uy[v] += (a * w * dy) / sp[1]; uz[v] += (a * w * dz) / sp[2];
        }
      }
    }
  }

  // 3. Jacobian guard.
  let scale = 1;
  let jmin = minJacobianOf([ux, uy, uz], dims);
  for (let i = 0; i < 60 && jmin < minJacobian; i++) {
    scale *= 0.8;
    for (let v = 0; v < n; v++) {
      ux[v] *= 0.8; uy[v] *= 0.8; uz[v] *= 0.8;
    }
    jmin = minJacobianOf([ux, uy, uz], dims);
  }
  if (jmin < minJacobian) throw new RangeError(`makeAnatomyField: the field still folds (Jacobian ${jmin.toFixed(3)} < ${minJacobian}) after scaling it by ${scale.toFixed(3)}`);

  // Effect on the ventricles: output voxels whose (nearest) source lies in the mask.
  let grown = 0;
  for (let z = 0, v = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, v++) {
        const sx = Math.round(x + ux[v]), sy = Math.round(y + uy[v]), sz = Math.round(z + uz[v]);
        if (sx >= 0 && sy >= 0 && sz >= 0 && sx < nx && sy < ny && sz < nz) grown += mask[sx + nx * (sy + ny * sz)];
      }
    }
  }
  return {
    u: [ux, uy, uz],
    info: { ventricleMm, ventricleVoxels, ventricleVolumeRatio: ventricleVoxels > 0 ? grown / ventricleVoxels : 1, volumeFactors, scale, minJacobian: jmin },
  };
}

/** Gradient of a scalar field at voxel (x, y, z), per mm (central differences, one-sided at the borders). */
function gradientMm(f: Float32Array, dims: Triple, sp: Triple, x: number, y: number, z: number, out: Triple): void {
  const [nx, ny, nz] = dims;
  const v = x + nx * (y + ny * z);
  const pos = [x, y, z], size = [nx, ny, nz], stride = [1, nx, nx * ny];
  for (let ax = 0; ax < 3; ax++) {
    const m = pos[ax] > 0 ? 1 : 0, p = pos[ax] < size[ax] - 1 ? 1 : 0;
    out[ax] = m + p > 0 ? (f[v + p * stride[ax]] - f[v - m * stride[ax]]) / ((m + p) * sp[ax]) : 0;
  }
}

/**
 * The lateral ventricles of a T1 atlas: label-0 voxels inside the world box darker than half the labelled voxels'
 * median intensity, keeping the 6-connected components of at least a fifth of the largest one. 1 inside, 0 outside.
 */
function ventricleMask(grid: AnatomyGrid, box: readonly (readonly [number, number])[]): Float32Array {
  const { dims, affine, image, labels } = grid;
  const [nx, ny, nz] = dims;
  const n = nx * ny * nz;
  const labelled: number[] = [];
  for (let v = 0; v < n; v += 3) if (labels[v] > 0) labelled.push(image[v]);
  labelled.sort((a, b) => a - b);
  const mask = new Float32Array(n);
  if (labelled.length === 0) return mask;
  const dark = 0.5 * labelled[labelled.length >> 1];
  const cand = new Uint8Array(n);
  for (let z = 0, v = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, v++) {
        if (labels[v] !== 0 || !(image[v] < dark)) continue;
        let inside = true;
        for (let r = 0; r < 3 && inside; r++) {
          const w = affine[4 * r] * x + affine[4 * r + 1] * y + affine[4 * r + 2] * z + affine[4 * r + 3];
          inside = w >= box[r][0] && w <= box[r][1];
        }
        if (inside) cand[v] = 1;
      }
    }
  }
  // 6-connected components by flood fill.
  const comp = new Int32Array(n).fill(-1);
  const sizes: number[] = [];
  const stack: number[] = [];
  for (let s = 0; s < n; s++) {
    if (!cand[s] || comp[s] >= 0) continue;
    const id = sizes.length;
    let size = 0;
    comp[s] = id;
    stack.push(s);
    while (stack.length > 0) {
      const v = stack.pop()!;
      size++;
      const x = v % nx, y = Math.floor(v / nx) % ny, z = Math.floor(v / (nx * ny));
      const next = [x > 0 ? v - 1 : -1, x < nx - 1 ? v + 1 : -1, y > 0 ? v - nx : -1, y < ny - 1 ? v + nx : -1, z > 0 ? v - nx * ny : -1, z < nz - 1 ? v + nx * ny : -1];
      for (const w of next) {
        if (w >= 0 && cand[w] && comp[w] < 0) {
          comp[w] = id;
          stack.push(w);
        }
      }
    }
    sizes.push(size);
  }
  const largest = Math.max(0, ...sizes);
  for (let v = 0; v < n; v++) if (comp[v] >= 0 && sizes[comp[v]] >= largest / 5) mask[v] = 1;
  return mask;
}
