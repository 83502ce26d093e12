import { invertAffine } from './invertAffine.js';
import type { NiftiDatatype, Volume, VoxelArray } from './Volume.js';

/** A target grid: size in voxels and voxel → RAS mm affine (row-major 4×4), e.g. another volume. */
export interface VolumeGrid {
  dims: readonly [number, number, number];
  affine: ArrayLike<number>;
}

/** Options of {@link resampleVolume}. */
export interface ResampleVolumeOptions {
  /**
   * `'linear'`: trilinear interpolation between the 8 surrounding voxel centres, for images; the output is float32.
   * A point outside the box of the source's voxel centres (beyond `[0, n−1]` on an axis, by more than 1e-4 voxel)
   * gets `fill`, as FreeSurfer's `MRIresample` and scipy's `mode='constant'` do.
   * `'nearest'`: the value of the voxel whose extent holds the point (index `round(p)`, ties rounded up), for label
   * maps; the output keeps the source's typed array, so labels are never blended. Outside the source: `fill`.
   */
  interpolation: 'linear' | 'nearest';
  /** Value given to points outside the source. @default 0 */
  fill?: number;
}

/**
 * Resample a volume onto another grid through world (RAS mm) coordinates: output voxel `v` takes the source's value
 * at `inv(source.affine) · grid.affine · v`. Every frame of a 4D volume is resampled the same way.
 *
 * Exact where the grids share voxel centres: when `inv(source.affine) · grid.affine` maps voxel indices to voxel
 * indices (a permutation / flip of axes plus an integer shift, e.g. a 1 mm volume and its FreeSurfer conformed grid
 * with `centre: 'voxel'`), both interpolations copy values unchanged.
 *
 * @param volume - the source, voxels x fastest (see Volume).
 * @param grid - target `dims` `[nx, ny, nz]` and `affine`.
 * @returns a volume on `grid` with `volume.frames` frames; its header is the source's with `qform`/`sform` replaced
 *   by `grid.affine` (codes kept), `datatype` float32 for `'linear'`, and scaling reset.
 * @throws RangeError when the grid's dims are not positive integers, or either affine is singular.
 */
export function resampleVolume(volume: Volume, grid: VolumeGrid, options: ResampleVolumeOptions): Volume {
  const [ox, oy, oz] = grid.dims;
  if (!grid.dims.every((n) => Number.isInteger(n) && n > 0)) {
    throw new RangeError(`resampleVolume: grid dims ${grid.dims.join('×')}, expected positive integers`);
  }
  const [nx, ny, nz] = volume.dims;
  const fill = options.fill ?? 0;
  // Source voxel coordinates of output voxel (i, j, k): p = V·(i, j, k, 1), with V = inv(source) · grid.
  const inv = invertAffine(volume.affine);
  const g = grid.affine;
  const V = new Float64Array(12);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 4; c++) {
      V[4 * r + c] = inv[4 * r] * g[c] + inv[4 * r + 1] * g[4 + c] + inv[4 * r + 2] * g[8 + c] + inv[4 * r + 3] * (c === 3 ? 1 : 0);
    }
  }
  const perOut = ox * oy * oz;
  const perIn = nx * ny * nz;
  const linear = options.interpolation === 'linear';
  const out: VoxelArray = linear ? new Float32Array(perOut * volume.frames) : new (volume.data.constructor as new (n: number) => VoxelArray)(perOut * volume.frames);
  const EPS = 1e-4;
  const src = volume.data;
  for (let t = 0; t < volume.frames; t++) {
    const base = t * perIn;
    let o = t * perOut;
    for (let k = 0; k < oz; k++) {
      for (let j = 0; j < oy; j++) {
        let px = V[3] + V[1] * j + V[2] * k;
        let py = V[7] + V[5] * j + V[6] * k;
        let pz = V[11] + V[9] * j + V[10] * k;
        for (let i = 0; i < ox; i++, o++, px += V[0], py += V[4], pz += V[8]) {
          if (!linear) {
            const x = Math.round(px);
            const y = Math.round(py);
            const z = Math.round(pz);
            out[o] = x >= 0 && x < nx && y >= 0 && y < ny && z >= 0 && z < nz ? src[base + x + nx * (y + ny * z)] : fill;
            continue;
          }
          if (px < -EPS || py < -EPS || pz < -EPS || px > nx - 1 + EPS || py > ny - 1 + EPS || pz > nz - 1 + EPS) {
            out[o] = fill;
            continue;
          }
          // Clamp into the hull so a point within EPS of the edge reads the edge voxels, and the +1 neighbour
          // stays inside (its weight is 0 on the last voxel).
          const cx = Math.min(Math.max(px, 0), nx - 1);
          const cy = Math.min(Math.max(py, 0), ny - 1);
          const cz = Math.min(Math.max(pz, 0), nz - 1);
          const x0 = Math.min(Math.floor(cx), nx - 2 < 0 ? 0 : nx - 2);
          const y0 = Math.min(Math.floor(cy), ny - 2 < 0 ? 0 : ny - 2);
          const z0 = Math.min(Math.floor(cz), nz - 2 < 0 ? 0 : nz - 2);
          const fx = cx - x0;
          const fy = cy - y0;
          const fz = cz - z0;
          const sx = nx > 1 ? 1 : 0;
          const sy = ny > 1 ? nx : 0;
          const sz = nz > 1 ? nx * ny : 0;
          const a = base + x0 + nx * (y0 + ny * z0);
          const c00 = src[a] + (src[a + sx] - src[a]) * fx;
          const c10 = src[a + sy] + (src[a + sy + sx] - src[a + sy]) * fx;
          const c01 = src[a + sz] + (src[a + sz + sx] - src[a + sz]) * fx;
          const c11 = src[a + sz + sy] + (src[a + sz + sy + sx] - src[a + sz + sy]) * fx;
          const c0 = c00 + (c10 - c00) * fy;
          const c1 = c01 + (c11 - c01) * fy;
          out[o] = c0 + (c1 - c0) * fz;
        }
      }
    }
  }
  const affine = Float64Array.from(grid.affine);
  const datatype: NiftiDatatype = linear ? 'float32' : volume.header.datatype;
  return {
    dims: [ox, oy, oz],
    frames: volume.frames,
    spacingMm: [0, 1, 2].map((c) => Math.hypot(affine[c], affine[4 + c], affine[8 + c])) as [number, number, number],
    affine,
    data: out,
    header: {
      ...volume.header,
      datatype,
      sclSlope: 1,
      sclInter: 0,
      qform: volume.header.qformCode > 0 ? Float64Array.from(affine) : null,
      sform: volume.header.sformCode > 0 ? Float64Array.from(affine) : null,
      framesInFile: volume.frames,
    },
  };
}
