/**
 * The one image type every module of nonadj shares.
 *
 * Conventions, stated once here and assumed everywhere else:
 * - **Voxel order** is NIfTI's: x fastest, then y, then z, then the frame (4th axis).
 *   The linear index of voxel `(i, j, k)` in frame `t` is `i + j·nx + k·nx·ny + t·nx·ny·nz`.
 *   Seen as a tensor, one frame is `[nz, ny, nx]` (D, H, W) with no transpose.
 * - **Geometry**: `spacingMm` is the voxel size in millimetres along i, j, k; `affine` maps voxel
 *   indices `(i, j, k, 1)` to RAS+ world coordinates in millimetres (the NIfTI / nibabel convention),
 *   stored row-major in a `Float64Array(16)`.
 * - **Network tensors** elsewhere are channels-last (`[B, H, W, C]`, `[B, D, H, W, C]`), because that is
 *   what tfjs convolutions take; the reference method is written channels-first.
 */

/** Typed arrays a volume's voxels may live in. 64-bit integers are read into `Float64Array`. */
export type VoxelArray =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array;

/** NIfTI datatype names nonadj reads (all standard scalar types). */
export type NiftiDatatype =
  | 'uint8'
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'float32'
  | 'float64';

/** What the file said about itself, beyond the geometry kept on {@link Volume}. */
export interface VolumeHeader {
  /** NIfTI format version of the source (1 or 2); 1 for volumes built in memory. */
  niftiVersion: 1 | 2;
  /** On-disk datatype of the source. */
  datatype: NiftiDatatype;
  /** `scl_slope` / `scl_inter` as stored; already applied to `data` when the slope was set. */
  sclSlope: number;
  sclInter: number;
  /** `qform_code` and `sform_code` (0 = unknown, 1 = scanner, 2 = aligned, 3 = Talairach, 4 = MNI, 5 = template). */
  qformCode: number;
  sformCode: number;
  /** The qform as a voxel→RAS-mm row-major 4×4, or null when `qform_code` is 0. */
  qform: Float64Array | null;
  /** The sform as a voxel→RAS-mm row-major 4×4, or null when `sform_code` is 0. */
  sform: Float64Array | null;
  /** `intent_code` (1002 = NIFTI_INTENT_LABEL). */
  intentCode: number;
  /** `descrip`, at most 80 characters. */
  description: string;
  /** `xyzt_units` as stored. */
  xyztUnits: number;
  /** Number of frames in the file (the 4th dimension; 1 for a 3D file). */
  framesInFile: number;
  /**
   * File format of the source: absent or `'nifti'` for NIfTI (and volumes built in memory), `'mgh'` for FreeSurfer's
   * `.mgh` / `.mgz` (then the NIfTI-only fields above are what `readMgh` documents).
   */
  format?: 'nifti' | 'mgh';
}

/**
 * A 3D volume, or a stack of 3D frames, with its geometry.
 *
 * `data.length === dims[0] · dims[1] · dims[2] · frames`.
 */
export interface Volume<T extends VoxelArray = VoxelArray> {
  /** Grid size `[nx, ny, nz]` in voxels. */
  dims: [number, number, number];
  /** Number of 3D frames held in `data` (1 for a 3D volume). */
  frames: number;
  /** Voxel size `[dx, dy, dz]` in millimetres. */
  spacingMm: [number, number, number];
  /** Voxel→RAS+ millimetres, row-major 4×4 (`Float64Array(16)`). */
  affine: Float64Array;
  /** Voxel values, x fastest (see the module comment). */
  data: T;
  /** Header fields of the source file. */
  header: VolumeHeader;
}

/** Number of voxels in one frame of `volume`. */
export function voxelCount(volume: Pick<Volume, 'dims'>): number {
  return volume.dims[0] * volume.dims[1] * volume.dims[2];
}

/**
 * Voxel index → world coordinates in millimetres through a row-major voxel→RAS affine.
 *
 * @param affine - row-major 4×4 (`Float64Array(16)` or 16 numbers).
 * @param ijk - voxel coordinates (fractional allowed, e.g. a centroid).
 * @returns `[x, y, z]` in RAS+ millimetres.
 */
export function voxelToWorld(affine: ArrayLike<number>, ijk: readonly [number, number, number]): [number, number, number] {
  const [i, j, k] = ijk;
  return [
    affine[0] * i + affine[1] * j + affine[2] * k + affine[3],
    affine[4] * i + affine[5] * j + affine[6] * k + affine[7],
    affine[8] * i + affine[9] * j + affine[10] * k + affine[11],
  ];
}

/**
 * A header for a volume made in memory (no source file): NIfTI-1, float32, sform = qform = `affine`
 * with code 2 (aligned).
 */
export function defaultHeader(affine: Float64Array, datatype: NiftiDatatype = 'float32'): VolumeHeader {
  return {
    niftiVersion: 1,
    datatype,
    sclSlope: 1,
    sclInter: 0,
    qformCode: 2,
    sformCode: 2,
    qform: Float64Array.from(affine),
    sform: Float64Array.from(affine),
    intentCode: 0,
    description: '',
    xyztUnits: 2 | 8,
    framesInFile: 1,
  };
}

/**
 * Build a volume in memory. The affine defaults to a diagonal of the spacing (origin at voxel 0).
 *
 * @param dims - `[nx, ny, nz]` in voxels.
 * @param data - voxel values, x fastest, length `nx·ny·nz·frames`.
 * @throws RangeError when `data.length` is not a whole number of frames of `dims`.
 */
export function makeVolume<T extends VoxelArray>(
  dims: readonly [number, number, number],
  data: T,
  options: { spacingMm?: readonly [number, number, number]; affine?: ArrayLike<number>; header?: Partial<VolumeHeader> } = {},
): Volume<T> {
  const n = dims[0] * dims[1] * dims[2];
  if (!dims.every((d) => Number.isInteger(d) && d > 0)) {
    throw new RangeError(`makeVolume: dims ${dims.join('×')} must be positive integers`);
  }
  if (data.length % n !== 0 || data.length === 0) {
    throw new RangeError(`makeVolume: data has ${data.length} values, expected a multiple of ${dims.join('×')} = ${n}`);
  }
  const spacingMm: [number, number, number] = options.spacingMm ? [...options.spacingMm] : [1, 1, 1];
  const affine = options.affine
    ? Float64Array.from(options.affine)
    : Float64Array.from([spacingMm[0], 0, 0, 0, 0, spacingMm[1], 0, 0, 0, 0, spacingMm[2], 0, 0, 0, 0, 1]);
  const frames = data.length / n;
  return {
    dims: [dims[0], dims[1], dims[2]],
    frames,
    spacingMm,
    affine,
    data,
    header: { ...defaultHeader(affine), framesInFile: frames, ...options.header },
  };
}
