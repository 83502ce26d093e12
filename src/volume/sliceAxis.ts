/**
 * How a 3D volume is cut into 2D slices along one of its axes, as strides into the volume's x-fastest data.
 *
 * Convention (one for every 2D model of nonadj, in training and in segmentation): a slice is the volume's tensor
 * view `[nz, ny, nx]` (see `volume/Volume.ts`) with the slicing axis removed, no flip and no transpose. So rows
 * (H) and columns (W) are the two remaining axes in the order z, y, x:
 *
 * | axis | name for an RAS volume | H (rows) | W (columns) |
 * |---|---|---|---|
 * | 0 (x, i) | sagittal | z (k) | y (j) |
 * | 1 (y, j) | coronal | z (k) | x (i) |
 * | 2 (z, k) | axial | y (j) | x (i) |
 *
 * Row 0 is the lowest voxel index: for an RAS volume (MNI) row 0 of a coronal slice is inferior, so flip
 * vertically only to display it.
 */

/** A slicing axis of a volume: 0 = x (i), 1 = y (j), 2 = z (k). */
export type SliceAxisIndex = 0 | 1 | 2;

/** Geometry of the slices of a volume along one axis; voxel `(slice s, row r, column c)` is at `s·sliceStride + r·rowStride + c·colStride`. */
export interface SliceAxis {
  axis: SliceAxisIndex;
  /** Number of slices along the axis (the volume's size along it). */
  depth: number;
  /** Rows H of each slice. */
  height: number;
  /** Columns W of each slice. */
  width: number;
  /** Step in the volume's data between consecutive slices, rows and columns. */
  sliceStride: number;
  rowStride: number;
  colStride: number;
}

/**
 * The slice geometry of a volume of size `dims` along `axis` (see the module comment for the layout).
 *
 * @param dims - `[nx, ny, nz]` in voxels.
 * @throws RangeError when `axis` is not 0, 1 or 2.
 */
export function sliceAxis(dims: readonly [number, number, number], axis: number): SliceAxis {
  const [nx, ny, nz] = dims;
  const sx = 1, sy = nx, sz = nx * ny;
  switch (axis) {
    case 0:
      return { axis, depth: nx, height: nz, width: ny, sliceStride: sx, rowStride: sz, colStride: sy };
    case 1:
      return { axis, depth: ny, height: nz, width: nx, sliceStride: sy, rowStride: sz, colStride: sx };
    case 2:
      return { axis, depth: nz, height: ny, width: nx, sliceStride: sz, rowStride: sy, colStride: sx };
    default:
      throw new RangeError(`sliceAxis: axis is ${axis}, expected 0 (x, sagittal), 1 (y, coronal) or 2 (z, axial)`);
  }
}
