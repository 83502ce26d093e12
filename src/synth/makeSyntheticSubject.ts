import { makeVolume, type Volume } from '../volume/Volume.js';
import { gaussianBlur } from '../numeric/gaussianBlur.js';
import { seededRandom } from '../numeric/seededRandom.js';
import { smoothRandomField } from '../numeric/smoothRandomField.js';
import { makeAnatomyField, type AnatomyFieldInfo, type AnatomyFieldOptions } from './makeAnatomyField.js';
import { minJacobianOf } from './minJacobianOf.js';
import { thinCortex, type ThinCortexOptions, type ThinCortexResult } from './thinCortex.js';

type Triple = [number, number, number];

/**
 * Intensity contrast of a synthetic subject, applied to the min-max-normalised T1 (values in [0, 1]):
 * - `'native'`: the T1 as it is;
 * - `'inverted'`: T2-like, `1 − v` inside the head and 0 outside (the head is a soft mask: the T1 above 0.1,
 *   smoothed with σ = 8 mm), so tissue contrast flips while air stays dark;
 * - `'remapped'`: a random piecewise-linear lookup table through 6 evenly spaced knots, f(0) = 0 and the other
 *   knots U(0.1, 1), not necessarily monotone: a new tissue contrast per seed;
 * - `'monotone'`: another scanner's T1: a random increasing piecewise-linear lookup table through 6 evenly spaced
 *   knots (f(0) = 0, f(1) = 1, the 5 rises drawn U(`monotoneRises`) then rescaled to sum 1), so tissues keep their
 *   order but not their contrast ratios, then a Gaussian blur of σ = `monotoneBlurMm` (a coarser acquisition).
 */
export type SyntheticContrast = 'native' | 'inverted' | 'remapped' | 'monotone';

/** Options of {@link makeSyntheticSubject}; defaults follow the pilot (shared/notes/demo-pilot.md). */
export interface MakeSyntheticSubjectOptions {
  /** Seed of every random draw; the same seed and inputs always give the same subject. */
  seed: number;
  /**
   * 1: keep the atlas grid; 2: crop to even sizes, then image 2×2×2 block mean and labels 2×2×2 majority vote
   * (ties: the label met first in x-fastest order), spacing doubled. @default 2
   */
  downsample?: 1 | 2;
  /** Largest rotation about each of the three axes, in degrees: angles U(±rotationDeg). @default 6 */
  rotationDeg?: number;
  /** Largest relative scaling per axis: factors U(1 ± scale). @default 0.06 */
  scale?: number;
  /** Largest elastic displacement in mm (the longest vector of the field). @default 6 (3 voxels at 2 mm) */
  elasticMm?: number;
  /** Smoothness of the elastic field: Gaussian standard deviation in mm. @default 12 (6 voxels at 2 mm) */
  elasticSigmaMm?: number;
  /** Largest |log| of the multiplicative bias field exp(b). @default 0.25 */
  bias?: number;
  /** Smoothness of the bias field: Gaussian standard deviation in mm. @default 30 */
  biasSigmaMm?: number;
  /** Range of the gamma exponent, drawn U(min, max). @default [0.7, 1.4] */
  gamma?: readonly [number, number];
  /** Standard deviation of the additive Gaussian noise, in units of the [0, 1] intensity range. @default 0.03 */
  noise?: number;
  /** @default 'native' */
  contrast?: SyntheticContrast;
  /** `'monotone'` only: standard deviation of the blur, in mm (0: none). @default 4 */
  monotoneBlurMm?: number;
  /** `'monotone'` only: range of the knots' rises before rescaling (a rise near 0 flattens a tissue transition). @default [0.02, 3] */
  monotoneRises?: readonly [number, number];
  /**
   * `'warp'`: every subject has the atlas's anatomy, moved by the affine and the elastic field (byte-identical to
   * subjects made before this option existed). `'varied'`: the anatomy itself changes per subject, as real subjects
   * differ: enlarged lateral ventricles, per-structure volume changes (`makeAnatomyField`, on the atlas grid,
   * composed with the affine and elastic map) and thinned cortex (`thinCortex`, on the subject's grid), all applied
   * to image and labels alike, drawn from a generator of their own (seed `−1 − seed`), so the affine, elastic,
   * bias, gamma and noise draws are those of the `'warp'` subject of the same seed. @default 'warp'
   */
  anatomy?: 'warp' | 'varied';
  /** `'varied'` only: the ventricle and structure-volume model (defaults in `AnatomyFieldOptions`). */
  anatomyField?: AnatomyFieldOptions;
  /** `'varied'` only: the cortical thinning; without `cortexLabels` (the atlas's cortical label codes) no thinning. */
  thinning?: Partial<ThinCortexOptions>;
}

/** Result of {@link makeSyntheticSubject}. */
export interface MakeSyntheticSubjectResult {
  /** Float32 intensities, roughly in [0, 1] (bias and noise may leave it slightly); not z-scored. */
  image: Volume<Float32Array>;
  /** Int32 labels on the same grid, a subset of the atlas labels (0 outside the moved head). */
  labels: Volume<Int32Array>;
  /** `anatomy: 'varied'` only: what was drawn and its effect. */
  anatomy?: {
    field: AnatomyFieldInfo;
    /** Null when no `thinning.cortexLabels` were given. */
    thinning: ThinCortexResult | null;
    /** Smallest Jacobian determinant of the whole map output voxel → atlas voxel (affine ∘ elastic ∘ anatomy). */
    minJacobian: number;
  };
}

/**
 * A synthetic training subject made from an atlas (T1 + label map), as the pilot did (shared/notes/demo-pilot.md):
 *
 * 1. optional 2× downsampling;
 * 2. a random affine about the volume centre (rotations about x, y, z; per-axis scaling) composed with a smooth
 *    elastic field (3 channels of N(0, 1) noise on a coarse grid, Gaussian-smoothed, rescaled to `elasticMm`,
 *    upsampled trilinearly): output voxel p takes the atlas at `c + R·S·(p − c) + d(p)` (mm), trilinear for the
 *    image (positions past the border clamped), nearest for labels (0 outside);
 *    With `anatomy: 'varied'`, the atlas position is moved once more by the anatomy field (`makeAnatomyField`:
 *    enlarged ventricles, per-structure volume changes; backward, in atlas voxels, trilinear), and the cortex is
 *    then thinned on the subject's grid (`thinCortex`: outer-surface voxels mixed with CSF, eroded to label 0 where
 *    more than half a voxel goes), on the raw T1 intensities so that every contrast sees the thinner cortex;
 * 3. intensities: min-max to [0, 1], `contrast`, gamma `v^γ`, multiplicative smooth bias `exp(b)`
 *    (|b| ≤ `bias`), additive Gaussian noise.
 *
 * Random fields come from `smoothRandomField` (noise smoothed on a coarse grid of step ≈ σ/2, then upsampled).
 *
 * @param t1 - the atlas intensities (any scalar type).
 * @param labels - the atlas labels, same grid.
 * @throws RangeError when the grids differ, a volume has several frames, or an option is out of range.
 */
export function makeSyntheticSubject(t1: Volume, labels: Volume, options: MakeSyntheticSubjectOptions): MakeSyntheticSubjectResult {
  if (t1.dims.some((d, i) => d !== labels.dims[i]) || t1.frames !== 1 || labels.frames !== 1) {
    throw new RangeError(`makeSyntheticSubject: T1 ${t1.dims.join('×')}×${t1.frames} and labels ${labels.dims.join('×')}×${labels.frames} must be single 3D frames on one grid`);
  }
  const downsample = options.downsample ?? 2;
  const rotationDeg = options.rotationDeg ?? 6;
  const scale = options.scale ?? 0.06;
  const elasticMm = options.elasticMm ?? 6;
  const elasticSigmaMm = options.elasticSigmaMm ?? 12;
  const bias = options.bias ?? 0.25;
  const biasSigmaMm = options.biasSigmaMm ?? 30;
  const [gammaLo, gammaHi] = options.gamma ?? [0.7, 1.4];
  const noise = options.noise ?? 0.03;
  const contrast = options.contrast ?? 'native';
  const monotoneBlurMm = options.monotoneBlurMm ?? 4;
  const monotoneRises = options.monotoneRises ?? [0.02, 3];
  const anatomy = options.anatomy ?? 'warp';
  if (anatomy !== 'warp' && anatomy !== 'varied') throw new RangeError(`makeSyntheticSubject: anatomy is ${String(anatomy)}, expected 'warp' or 'varied'`);
  const checks: Array<[string, number, boolean]> = [
    ['rotationDeg', rotationDeg, rotationDeg >= 0 && rotationDeg <= 180],
    ['scale', scale, scale >= 0 && scale < 1],
    ['elasticMm', elasticMm, elasticMm >= 0],
    ['elasticSigmaMm', elasticSigmaMm, elasticSigmaMm > 0],
    ['bias', bias, bias >= 0],
    ['biasSigmaMm', biasSigmaMm, biasSigmaMm > 0],
    ['gamma[0]', gammaLo, gammaLo > 0 && gammaLo <= gammaHi],
    ['noise', noise, noise >= 0],
    ['monotoneBlurMm', monotoneBlurMm, monotoneBlurMm >= 0],
    ['monotoneRises[0]', monotoneRises[0], monotoneRises[0] > 0 && monotoneRises[0] <= monotoneRises[1]],
  ];
  for (const [name, value, ok] of checks) {
    if (!ok || !Number.isFinite(value)) throw new RangeError(`makeSyntheticSubject: ${name} is ${value}, out of range`);
  }
  if (downsample !== 1 && downsample !== 2) throw new RangeError(`makeSyntheticSubject: downsample is ${String(downsample)}, expected 1 or 2`);
  if (!['native', 'inverted', 'remapped', 'monotone'].includes(contrast)) {
    throw new RangeError(`makeSyntheticSubject: contrast is ${String(contrast)}, expected 'native', 'inverted', 'remapped' or 'monotone'`);
  }

  const grid = downsample === 2 ? downsample2(t1, labels) : { dims: t1.dims, spacingMm: t1.spacingMm, affine: t1.affine, image: t1.data instanceof Float32Array ? t1.data : Float32Array.from(t1.data), labels: labels.data instanceof Int32Array ? labels.data : Int32Array.from(labels.data) };
  const { dims, spacingMm: sp } = grid;
  const [nx, ny, nz] = dims;
  const n = nx * ny * nz;
  const rng = seededRandom(options.seed);

  // Spatial transform, in mm about the grid centre.
  const deg = Math.PI / 180;
  const angles = [0, 1, 2].map(() => rng.uniform(-rotationDeg, rotationDeg) * deg);
  const scales = [0, 1, 2].map(() => rng.uniform(1 - scale, 1 + scale));
  const M = matMul(rotation(angles), [scales[0], 0, 0, 0, scales[1], 0, 0, 0, scales[2]]);
  const centre = dims.map((d, a) => ((d - 1) / 2) * sp[a]);
  const elastic = smoothRandomField(rng, dims, { sigma: [0, 1, 2].map((a) => elasticSigmaMm / sp[a]) as Triple, channels: 3, maxNorm: elasticMm });
  const biasField = smoothRandomField(rng, dims, { sigma: [0, 1, 2].map((a) => biasSigmaMm / sp[a]) as Triple, channels: 1, maxNorm: bias });

  const image = new Float32Array(n);
  const outLabels = new Int32Array(n);
  const src = grid.image;
  const srcLabels = grid.labels;
  const [dxMm, dyMm, dzMm] = elastic;
  const anatomyRng = anatomy === 'varied' ? seededRandom(-1 - options.seed) : null;
  const field = anatomyRng ? makeAnatomyField(grid, anatomyRng, options.anatomyField) : null;
  // The whole map, output voxel → atlas voxel, kept only to check its Jacobian.
  const map = field ? [new Float32Array(n), new Float32Array(n), new Float32Array(n)] as const : null;
  for (let z = 0, v = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, v++) {
        const px = x * sp[0] - centre[0], py = y * sp[1] - centre[1], pz = z * sp[2] - centre[2];
        let qx = (centre[0] + M[0] * px + M[1] * py + M[2] * pz + dxMm[v]) / sp[0];
        let qy = (centre[1] + M[3] * px + M[4] * py + M[5] * pz + dyMm[v]) / sp[1];
        let qz = (centre[2] + M[6] * px + M[7] * py + M[8] * pz + dzMm[v]) / sp[2];
        if (field && map) {
          const [ux, uy, uz] = field.u;
          const ax = trilinear(ux, dims, qx, qy, qz), ay = trilinear(uy, dims, qx, qy, qz), az = trilinear(uz, dims, qx, qy, qz);
          qx += ax; qy += ay; qz += az;
          map[0][v] = qx - x; map[1][v] = qy - y; map[2][v] = qz - z;
        }
        image[v] = trilinear(src, dims, qx, qy, qz);
        const rx = Math.round(qx), ry = Math.round(qy), rz = Math.round(qz);
        outLabels[v] = rx >= 0 && ry >= 0 && rz >= 0 && rx < nx && ry < ny && rz < nz ? srcLabels[rx + nx * (ry + ny * rz)] : 0;
      }
    }
  }

  let anatomyInfo: MakeSyntheticSubjectResult['anatomy'];
  if (field && map && anatomyRng) {
    const cortexLabels = options.thinning?.cortexLabels;
    // On the raw T1 intensities (CSF dark), before any contrast change: the thinned cortex then takes every
    // contrast's CSF look.
    const thinning = cortexLabels && cortexLabels.length > 0 ? thinCortex(image, outLabels, dims, sp, anatomyRng, { ...options.thinning, cortexLabels }) : null;
    anatomyInfo = { field: field.info, thinning, minJacobian: minJacobianOf(map, dims) };
  }

  // Intensities.
  let lo = Infinity, hi = -Infinity;
  for (let v = 0; v < n; v++) {
    if (image[v] < lo) lo = image[v];
    if (image[v] > hi) hi = image[v];
  }
  const range = hi > lo ? hi - lo : 1;
  for (let v = 0; v < n; v++) image[v] = (image[v] - lo) / range;
  if (contrast === 'inverted') {
    const head = new Float32Array(n);
    for (let v = 0; v < n; v++) head[v] = image[v] > 0.1 ? 1 : 0;
    const soft = gaussianBlur(head, dims, { sigma: sp.map((s) => 8 / s), truncate: 3 });
    for (let v = 0; v < n; v++) image[v] = (1 - image[v]) * Math.min(1, 2 * soft[v]);
  } else if (contrast === 'remapped') {
    const knots = [0, ...[1, 2, 3, 4, 5].map(() => rng.uniform(0.1, 1))];
    applyLookupTable(image, knots);
  } else if (contrast === 'monotone') {
    const [riseLo, riseHi] = monotoneRises;
    const rises = [1, 2, 3, 4, 5].map(() => rng.uniform(riseLo, riseHi));
    const total = rises.reduce((a, b) => a + b, 0);
    const knots = [0];
    for (const r of rises) knots.push(knots[knots.length - 1] + r / total);
    applyLookupTable(image, knots);
    if (monotoneBlurMm > 0) image.set(gaussianBlur(image, dims, { sigma: sp.map((s) => monotoneBlurMm / s), truncate: 3 }));
  }
  const gamma = rng.uniform(gammaLo, gammaHi);
  const [logBias] = biasField;
  for (let v = 0; v < n; v++) {
    image[v] = Math.pow(Math.max(image[v], 0), gamma) * Math.exp(logBias[v]) + (noise > 0 ? rng.normal(0, noise) : 0);
  }

  return {
    image: makeVolume(dims, image, { spacingMm: sp, affine: grid.affine, header: { datatype: 'float32', description: `nonadj synthetic subject seed ${options.seed}${anatomy === 'varied' ? ' varied anatomy' : ''}` } }),
    labels: makeVolume(dims, outLabels, { spacingMm: sp, affine: grid.affine, header: { datatype: 'int32', intentCode: 1002, description: `nonadj synthetic labels seed ${options.seed}${anatomy === 'varied' ? ' varied anatomy' : ''}` } }),
    ...(anatomyInfo ? { anatomy: anatomyInfo } : {}),
  };
}

/** Map intensities in [0, 1] (clamped) through the piecewise-linear table of evenly spaced `knots`, in place. */
function applyLookupTable(image: Float32Array, knots: readonly number[]): void {
  const segments = knots.length - 1;
  for (let v = 0; v < image.length; v++) {
    const t = Math.min(Math.max(image[v], 0), 1) * segments;
    const i = Math.min(segments - 1, Math.floor(t));
    image[v] = knots[i] + (knots[i + 1] - knots[i]) * (t - i);
  }
}

interface Grid {
  dims: [number, number, number];
  spacingMm: [number, number, number];
  affine: Float64Array;
  image: Float32Array;
  labels: Int32Array;
}

// The downsampled atlas is the same for every subject of a run: keep it while the caller holds the atlas.
const downsampled = new WeakMap<object, { labels: object; grid: Grid }>();

/** Crop to even sizes, 2×2×2 block mean (image) and majority vote (labels); the affine follows the block centres. */
function downsample2(t1: Volume, labels: Volume): Grid {
  const hit = downsampled.get(t1.data);
  if (hit && hit.labels === labels.data) return hit.grid;
  const [sx, sy, sz] = t1.dims;
  const dims: [number, number, number] = [sx >> 1, sy >> 1, sz >> 1];
  const [nx, ny, nz] = dims;
  if (nx === 0 || ny === 0 || nz === 0) throw new RangeError(`makeSyntheticSubject: ${t1.dims.join('×')} is too small to downsample by 2`);
  // One copy to monomorphic arrays: the loop below then runs on a single typed-array kind.
  const srcImage = t1.data instanceof Float32Array ? t1.data : Float32Array.from(t1.data);
  const srcLabels = labels.data instanceof Int32Array ? labels.data : Int32Array.from(labels.data);
  const image = new Float32Array(nx * ny * nz);
  const out = new Int32Array(nx * ny * nz);
  const block = new Int32Array(8);
  const offsets = [0, 1, sx, sx + 1, sx * sy, sx * sy + 1, sx * sy + sx, sx * sy + sx + 1];
  for (let z = 0, v = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, v++) {
        const base = 2 * x + sx * (2 * y + sy * 2 * z);
        let sum = 0;
        let uniform = true;
        for (let c = 0; c < 8; c++) {
          sum += srcImage[base + offsets[c]];
          block[c] = srcLabels[base + offsets[c]];
          if (block[c] !== block[0]) uniform = false;
        }
        image[v] = sum / 8;
        out[v] = uniform ? block[0] : majority(block);
      }
    }
  }
  const a = t1.affine;
  // New voxel i sits at old voxel 2i + 0.5: A' = A · [[2,0,0,.5],[0,2,0,.5],[0,0,2,.5],[0,0,0,1]].
  const affine = new Float64Array(16);
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 3; c++) affine[r * 4 + c] = 2 * a[r * 4 + c];
    affine[r * 4 + 3] = 0.5 * (a[r * 4] + a[r * 4 + 1] + a[r * 4 + 2]) + a[r * 4 + 3];
  }
  const sp = t1.spacingMm;
  const grid: Grid = { dims, spacingMm: [2 * sp[0], 2 * sp[1], 2 * sp[2]], affine, image, labels: out };
  downsampled.set(t1.data, { labels: labels.data, grid });
  return grid;
}

/** Most frequent value of the 8 (ties: the value met first). */
function majority(block: Int32Array): number {
  let best = block[0], bestCount = 0;
  for (let c = 0; c < 8; c++) {
    let count = 0;
    for (let d = 0; d < 8; d++) if (block[d] === block[c]) count++;
    if (count > bestCount) {
      best = block[c];
      bestCount = count;
    }
  }
  return best;
}

/** Trilinear interpolation with positions clamped to the volume (border padding). */
function trilinear(data: Float32Array, dims: readonly [number, number, number], x: number, y: number, z: number): number {
  const [nx, ny, nz] = dims;
  x = x < 0 ? 0 : x > nx - 1 ? nx - 1 : x;
  y = y < 0 ? 0 : y > ny - 1 ? ny - 1 : y;
  z = z < 0 ? 0 : z > nz - 1 ? nz - 1 : z;
  const x0 = Math.floor(x), y0 = Math.floor(y), z0 = Math.floor(z);
  const x1 = Math.min(x0 + 1, nx - 1), y1 = Math.min(y0 + 1, ny - 1), z1 = Math.min(z0 + 1, nz - 1);
  const fx = x - x0, fy = y - y0, fz = z - z0;
  const sy = nx, sz = nx * ny;
  const r00 = data[x0 + y0 * sy + z0 * sz] + fx * (data[x1 + y0 * sy + z0 * sz] - data[x0 + y0 * sy + z0 * sz]);
  const r10 = data[x0 + y1 * sy + z0 * sz] + fx * (data[x1 + y1 * sy + z0 * sz] - data[x0 + y1 * sy + z0 * sz]);
  const r01 = data[x0 + y0 * sy + z1 * sz] + fx * (data[x1 + y0 * sy + z1 * sz] - data[x0 + y0 * sy + z1 * sz]);
  const r11 = data[x0 + y1 * sy + z1 * sz] + fx * (data[x1 + y1 * sy + z1 * sz] - data[x0 + y1 * sy + z1 * sz]);
  const r0 = r00 + fy * (r10 - r00), r1 = r01 + fy * (r11 - r01);
  return r0 + fz * (r1 - r0);
}

/** Rotation about x, then y, then z (angles in radians), row-major 3×3: Rz·Ry·Rx. */
function rotation([a, b, c]: number[]): number[] {
  const rx = [1, 0, 0, 0, Math.cos(a), -Math.sin(a), 0, Math.sin(a), Math.cos(a)];
  const ry = [Math.cos(b), 0, Math.sin(b), 0, 1, 0, -Math.sin(b), 0, Math.cos(b)];
  const rz = [Math.cos(c), -Math.sin(c), 0, Math.sin(c), Math.cos(c), 0, 0, 0, 1];
  return matMul(rz, matMul(ry, rx));
}

function matMul(p: number[], q: number[]): number[] {
  const out = new Array<number>(9).fill(0);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) for (let t = 0; t < 3; t++) out[r * 3 + c] += p[r * 3 + t] * q[t * 3 + c];
  return out;
}
