import type { Volume } from './Volume.js';
import type { VolumeGrid } from './resampleVolume.js';

/** Options of {@link conformGrid}. */
export interface ConformGridOptions {
  /** Voxels along each axis. @default 256 (FreeSurfer's conformed size) */
  size?: number;
  /** Voxel size in millimetres, the same on every axis. @default 1 */
  voxelMm?: number;
  /**
   * Which RAS point the grid's centre voxel (`size/2`, i.e. 128) lands on:
   * - `'mri_convert'` (default): the input's own centre, the RAS position of its voxel `dims/2` (not rounded) -
   *   FreeSurfer's `c_ras`, as `mri_convert --conform` and FastSurfer do. On an axis with an odd number of voxels
   *   this centre falls between two voxel centres, so a 1 mm input is interpolated at half-voxel offsets.
   * - `'voxel'`: the input's voxel `floor(dims/2)`, so the conformed voxel centres fall on the input's when the
   *   input is 1 mm and axis-aligned (any axis order and sign): conforming then copies voxels without blurring,
   *   and the inverse returns a label map exactly. At most half a voxel from `'mri_convert'` along each axis.
   */
  centre?: 'mri_convert' | 'voxel';
}

/**
 * FreeSurfer's conformed grid for a volume: `size³` voxels of `voxelMm` mm in LIA orientation (i → left, j →
 * inferior, k → anterior: direction cosines `[[−1,0,0],[0,0,1],[0,−1,0]]`, the coronal slices FreeSurfer and
 * FastSurfer work in), centred on the input (see `centre`). The rotation of an oblique input is not kept: the grid is
 * exactly LIA, as `mri_convert --conform` makes it.
 *
 * @param volume - the input's `dims` and voxel → RAS `affine`.
 * @returns `dims` `[size, size, size]` and the row-major voxel → RAS affine
 *   `[M | c − M·(size/2)]`, `M = voxelMm·[[−1,0,0],[0,0,1],[0,−1,0]]`, `c` the centre.
 * @throws RangeError when `size` is not a positive integer or `voxelMm` not a positive finite number.
 */
export function conformGrid(volume: Pick<Volume, 'dims' | 'affine'>, options: ConformGridOptions = {}): VolumeGrid & { dims: [number, number, number]; affine: Float64Array } {
  const size = options.size ?? 256;
  const mm = options.voxelMm ?? 1;
  if (!(Number.isInteger(size) && size > 0)) throw new RangeError(`conformGrid: size ${size}, expected a positive integer`);
  if (!(Number.isFinite(mm) && mm > 0)) throw new RangeError(`conformGrid: voxelMm ${mm}, expected a positive number of millimetres`);
  const half = volume.dims.map((n) => (options.centre === 'voxel' ? Math.floor(n / 2) : n / 2));
  const a = volume.affine;
  const centre = [0, 1, 2].map((r) => a[4 * r] * half[0] + a[4 * r + 1] * half[1] + a[4 * r + 2] * half[2] + a[4 * r + 3]);
  const M = [-mm, 0, 0, 0, 0, mm, 0, -mm, 0];
  const affine = new Float64Array(16);
  for (let r = 0; r < 3; r++) {
    affine[4 * r] = M[3 * r];
    affine[4 * r + 1] = M[3 * r + 1];
    affine[4 * r + 2] = M[3 * r + 2];
    affine[4 * r + 3] = centre[r] - (M[3 * r] + M[3 * r + 1] + M[3 * r + 2]) * (size / 2);
  }
  affine[15] = 1;
  return { dims: [size, size, size], affine };
}
