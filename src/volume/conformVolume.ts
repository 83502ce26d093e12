import { conformGrid, type ConformGridOptions } from './conformGrid.js';
import { resampleVolume } from './resampleVolume.js';
import { ucharScaling, type UcharScalingResult } from './ucharScaling.js';
import type { Volume } from './Volume.js';

/** Options of {@link conformVolume}. */
export interface ConformVolumeOptions extends ConformGridOptions {
  /**
   * `'image'` (default): trilinear interpolation (FreeSurfer's default for `--conform`). `'labels'`: nearest
   * neighbour, the label values and their typed array kept.
   */
  kind?: 'image' | 'labels';
  /**
   * Images only. `'uchar'` (default): FreeSurfer's conformed intensities, 0..255 in a `Uint8Array` (see
   * {@link conformVolume}). `'keep'`: the interpolated intensities unscaled, float32.
   */
  intensity?: 'uchar' | 'keep';
}

/** Result of {@link conformVolume}. */
export interface ConformVolumeResult {
  /** The conformed volume: 256³ (or `size³`), 1 mm (or `voxelMm`), LIA. */
  volume: Volume;
  /** The intensity mapping applied (`'uchar'` on a non-uint8 image), else null. */
  scaling: UcharScalingResult | null;
}

/**
 * Resample a T1 (or a label map) to FreeSurfer's conformed space, as `mri_convert --conform` does for
 * `recon-all`, FastSurfer and the brainchop models: 256³ voxels of 1 mm, LIA orientation, centred on the input (see
 * {@link conformGrid} for the grid and its `centre` option); invert with `resampleVolume(conformed, original,
 * { interpolation: 'nearest' })` for a label map computed on it (or `'linear'` for an image).
 *
 * Intensities (`kind` `'image'`, `intensity` `'uchar'`): a uint8 input is only resampled (FreeSurfer does not rescale
 * uchar). Any other input is mapped as FastSurfer's `conform` does: the robust range of {@link ucharScaling} is
 * computed on the input's voxels, the image is interpolated in float, then `clip((v − srcMin) · scale, 0, 255)`,
 * voxels that interpolated to exactly 0 stay 0, and values are rounded half to even (numpy's `rint`). FreeSurfer
 * itself rescales to uchar before interpolating; the two differ by interpolation rounding (at most about 1 grey
 * level where neighbours differ), which is why FastSurfer chose this order and what nonadj follows. Not reproduced:
 * `mri_convert`'s `--conform_min` / `-cs` variants and cubic interpolation.
 *
 * @param volume - one 3D frame, any orientation and voxel size (oblique and anisotropic included).
 * @throws RangeError when `volume` has several frames, and every error of {@link conformGrid} / `resampleVolume`.
 */
export function conformVolume(volume: Volume, options: ConformVolumeOptions = {}): ConformVolumeResult {
  if (volume.frames !== 1) {
    throw new RangeError(`conformVolume: volume has ${volume.frames} frames, expected one 3D volume (pick a frame first)`);
  }
  const kind = options.kind ?? 'image';
  const grid = conformGrid(volume, options);
  if (kind === 'labels') {
    return { volume: resampleVolume(volume, grid, { interpolation: 'nearest' }), scaling: null };
  }
  const resampled = resampleVolume(volume, grid, { interpolation: 'linear' });
  if ((options.intensity ?? 'uchar') === 'keep') return { volume: resampled, scaling: null };
  const isUchar = volume.data instanceof Uint8Array;
  const scaling = isUchar ? null : ucharScaling(volume.data);
  const src = resampled.data;
  const out = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = src[i];
    if (v === 0) continue;
    const scaled = scaling ? Math.min(255, Math.max(0, (v - scaling.srcMin) * scaling.scale)) : Math.min(255, Math.max(0, v));
    out[i] = roundHalfEven(scaled);
  }
  return { volume: { ...resampled, data: out, header: { ...resampled.header, datatype: 'uint8' } }, scaling };
}

/** numpy's `rint`: the nearest integer, ties to even (2.5 → 2, 3.5 → 4). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
