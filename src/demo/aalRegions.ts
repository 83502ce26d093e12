/**
 * The demo's coarse AAL grouping (`--labels regions`): the 116 AAL structures of `data/aal.nii.txt` grouped by
 * lobe and hemisphere into 25 regions + background (26 labels), keeping the deep grey nuclei and the cerebellum
 * apart so that the anatomically meaningful contacts (caudate–putamen, thalamus–pallidum, vermis–hemispheres,
 * left–right at the midline) survive the grouping.
 *
 * | code | region (per hemisphere, `_L` = code, `_R` = code + 1) | AAL structures (both `_L`/`_R`)                                              |
 * |------|--------------------------------------------------------|-------------------------------------------------------------------------------|
 * | 1/2  | Frontal                                                | Precentral, Frontal_* (Sup, Sup_Orb, Mid, Mid_Orb, Inf_Oper, Inf_Tri, Inf_Orb, Sup_Medial, Med_Orb), Rolandic_Oper, Supp_Motor_Area, Olfactory, Rectus |
 * | 3/4  | Insula                                                 | Insula                                                                        |
 * | 5/6  | Cingulate                                              | Cingulum_Ant, Cingulum_Mid, Cingulum_Post                                     |
 * | 7/8  | MedialTemporal                                         | Hippocampus, ParaHippocampal, Amygdala                                        |
 * | 9/10 | Occipital                                              | Calcarine, Cuneus, Lingual, Occipital_Sup, Occipital_Mid, Occipital_Inf       |
 * | 11/12| Parietal                                               | Postcentral, Parietal_Sup, Parietal_Inf, SupraMarginal, Angular, Precuneus, Paracentral_Lobule |
 * | 13/14| Temporal                                               | Heschl, Temporal_Sup, Temporal_Pole_Sup, Temporal_Mid, Temporal_Pole_Mid, Temporal_Inf, Fusiform |
 * | 15/16| Caudate                                                | Caudate                                                                       |
 * | 17/18| Putamen                                                | Putamen                                                                       |
 * | 19/20| Pallidum                                               | Pallidum                                                                      |
 * | 21/22| Thalamus                                               | Thalamus                                                                      |
 * | 23/24| Cerebellum                                             | Cerebelum_* (Crus1, Crus2, 3, 4_5, 6, 7b, 8, 9, 10)                           |
 * | 25   | Vermis                                                 | Vermis_* (1_2, 3, 4_5, 6, 7, 8, 9, 10)                                        |
 *
 * Background stays 0. Fusiform goes to the temporal lobe and Paracentral_Lobule to the parietal lobe (both
 * straddle a boundary; the choice follows the AAL paper's lobe table). The same table is in `demo/README.md`.
 */

/** Region name by region code (index = code; 0 = background). */
export const AAL_REGION_NAMES: readonly string[] = [
  'Background',
  ...['Frontal', 'Insula', 'Cingulate', 'MedialTemporal', 'Occipital', 'Parietal', 'Temporal', 'Caudate', 'Putamen', 'Pallidum', 'Thalamus', 'Cerebellum'].flatMap(
    (r) => [`${r}_L`, `${r}_R`],
  ),
  'Vermis',
];

/** AAL name stem (without `_L` / `_R`) → region stem. */
const STEMS: ReadonlyArray<[RegExp, string]> = [
  [/^(Precentral|Frontal_.*|Rolandic_Oper|Supp_Motor_Area|Olfactory|Rectus)$/, 'Frontal'],
  [/^Insula$/, 'Insula'],
  [/^Cingulum_.*$/, 'Cingulate'],
  [/^(Hippocampus|ParaHippocampal|Amygdala)$/, 'MedialTemporal'],
  [/^(Calcarine|Cuneus|Lingual|Occipital_.*)$/, 'Occipital'],
  [/^(Postcentral|Parietal_.*|SupraMarginal|Angular|Precuneus|Paracentral_Lobule)$/, 'Parietal'],
  [/^(Heschl|Temporal_.*|Fusiform)$/, 'Temporal'],
  [/^Caudate$/, 'Caudate'],
  [/^Putamen$/, 'Putamen'],
  [/^Pallidum$/, 'Pallidum'],
  [/^Thalamus$/, 'Thalamus'],
  [/^Cerebelum_.*$/, 'Cerebellum'],
];

/**
 * The region code of one AAL structure name (as in `data/aal.nii.txt`).
 *
 * @throws RangeError when the name matches no row of the table (so a different atlas is never silently grouped).
 */
export function aalRegionOf(name: string): number {
  if (/^Vermis_/.test(name)) return AAL_REGION_NAMES.indexOf('Vermis');
  const m = /^(.*)_([LR])$/.exec(name);
  if (m) {
    for (const [pattern, region] of STEMS) {
      if (pattern.test(m[1])) return AAL_REGION_NAMES.indexOf(`${region}_${m[2]}`);
    }
  }
  throw new RangeError(`aalRegionOf: AAL structure "${name}" is in no region of the demo's table (src/demo/aalRegions.ts)`);
}

/**
 * Lookup table AAL label code → region code, from the names of `data/aal.nii.txt` (`code → name`).
 *
 * @returns an Int32Array indexed by AAL code (0 → 0), of length max code + 1.
 * @throws RangeError from {@link aalRegionOf} for an unknown name.
 */
export function aalRegions(names: ReadonlyMap<number, { name: string }>): Int32Array {
  const max = Math.max(0, ...names.keys());
  const lut = new Int32Array(max + 1);
  for (const [code, { name }] of names) lut[code] = code === 0 ? 0 : aalRegionOf(name);
  return lut;
}
