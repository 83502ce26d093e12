import { makeVolume, type Volume } from '../volume/Volume.js';

/**
 * The code set of a FreeSurfer `aparc.a2009s+aseg` parcellation (FreeSurferColorLUT.txt), 190 codes: 39 subcortical
 * `aseg` structures, the 75 Destrieux regions of each hemisphere (`ctx_lh_*` 11101–11175, `ctx_rh_*` 12101–12175) and
 * `wm_rh_S_temporal_transverse` 14175, the largest code of the a2009s white-matter set (13101–14175).
 */
export const A2009S_CODES: readonly number[] = [
  2, 4, 5, 7, 8, 10, 11, 12, 13, 14, 15, 16, 17, 18, 24, 26, 28, 30, 31, 41, 43, 44, 46, 47, 49, 50, 51, 52, 53, 54, 58, 60, 62, 63, 72, 77, 85, 251, 252,
  ...Array.from({ length: 75 }, (_, i) => 11101 + i),
  ...Array.from({ length: 75 }, (_, i) => 12101 + i),
  14175,
];

/**
 * A FreeSurfer aparc.a2009s+aseg-sized label map made from a real atlas (for tests and benchmarks of large codes):
 * each label `l > 0` of `volume` is cut in three by two coronal planes (j at a third and two thirds of the grid), the
 * parts are numbered in the order (label, third), and part `p` gets `A2009S_CODES[p % 190]` (a code may then stand
 * for two disjoint parts, as it would for a region cut by a sulcus); background stays 0. From the bundled AAL
 * (116 regions, more than 190 parts) this gives all 190 codes, up to 14 175, with the atlas's real contact geometry.
 *
 * @param volume - 3D label map with codes ≥ 0 (e.g. AAL 1 mm).
 * @returns an `Int16Array` map on the same grid and affine.
 */
export function relabelToA2009s(volume: Volume): Volume<Int16Array> {
  const [nx, ny, nz] = volume.dims;
  const third = (v: number) => Math.min(2, Math.floor((3 * (Math.floor(v / nx) % ny)) / ny));
  const partOf = new Map<number, number>();
  const key = (label: number, part: number) => 3 * label + part;
  // Parts are numbered in (label, third) order so the result does not depend on voxel order.
  const keys = new Set<number>();
  for (let v = 0; v < volume.data.length; v++) {
    const label = Number(volume.data[v]);
    if (label > 0) keys.add(key(label, third(v)));
  }
  [...keys].sort((a, b) => a - b).forEach((k, p) => partOf.set(k, A2009S_CODES[p % A2009S_CODES.length]));
  const out = new Int16Array(nx * ny * nz);
  for (let v = 0; v < out.length; v++) {
    const label = Number(volume.data[v]);
    if (label > 0) out[v] = partOf.get(key(label, third(v)))!;
  }
  return makeVolume(volume.dims, out, { affine: volume.affine, header: { ...volume.header, datatype: 'int16' } });
}
