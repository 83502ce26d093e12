import { countAdjacency } from '../prior/countAdjacency.js';
import { groupByContact } from './groupByContact.js';

/** Options of {@link inia19Regions}. */
export interface Inia19RegionsOptions {
  /** Regions per hemisphere. @default 12 */
  perHemisphere?: number;
  /**
   * Smallest region of one hemisphere, in voxels of the demo's grid (the atlas's voxels × `downsample`³).
   * @default 500 (0.5 ml at the demo's 1 mm)
   */
  minDemoVoxels?: number;
  /** Demo grid step in atlas voxels (INIA19 is 0.5 mm; the demo uses 2 → 1 mm). @default 2 */
  downsample?: number;
}

/** Result of {@link inia19Regions}. */
export interface Inia19RegionsResult {
  /** Lookup table NeuroMaps code → region code (index = code, length max code + 1; 0 → 0). */
  lut: Int32Array;
  /** Region names by region code (index = code; 0 = `Background`): `Group01_L`, `Group01_R`, … */
  names: string[];
  /** NeuroMaps codes of each region (index = region code; `members[0]` is empty). */
  members: number[][];
}

/** NeuroMaps numbers a structure's two copies c (x < 0, left in the file's RAS affine) and 1000 + c (x > 0). */
const SIDE_OFFSET = 1000;

/**
 * The demo's coarse grouping of the NeuroMaps macaque labels (`--atlas inia19 --labels regions`). NeuroMaps on the
 * INIA19 grid (`data/inia19-NeuroMaps.nii.gz`) has 724 structure codes and no name table in its Debian package
 * (`mricron-data`), so no anatomical grouping can be read; the regions are made by a stated data-driven rule instead:
 *
 * 1. **Hemispheres apart**: the codes come in pairs c / 1000 + c (362 pairs, every code has its partner; the copy
 *    with code c lies at x < 0 of the file's affine, which is RAS: the left). A structure and its partner are
 *    grouped alike, so the regions are mirror pairs.
 * 2. **Contiguous groups of even size** (`groupByContact`): on the map with each pair as one label (both hemispheres
 *    together, 6-connected face contacts at the atlas's 0.5 mm), the smallest group repeatedly joins the group it
 *    touches most, until there are `perHemisphere` groups and each hemisphere's copy of the smallest holds at least
 *    `minDemoVoxels` voxels at the demo's grid.
 * 3. **Numbering** from front to back: group g (by its centroid's y, anterior first, 1-based) is region 2g − 1 on the
 *    left (`GroupNN_L`) and 2g on the right (`GroupNN_R`).
 *
 * The groups are unions of touching structures, not named lobes; the demo's README lists each region's size.
 *
 * @param labels - the NeuroMaps label map, x fastest (`i + j·nx + k·nx·ny`), integer codes 0 … 1999.
 * @param dims - `[nx, ny, nz]` in voxels.
 * @throws RangeError when a code is outside 0 … 1999 or not an integer, or a code lacks its other-hemisphere partner.
 */
export function inia19Regions(labels: ArrayLike<number>, dims: readonly [number, number, number], options: Inia19RegionsOptions = {}): Inia19RegionsResult {
  const perHemisphere = options.perHemisphere ?? 12;
  const downsample = options.downsample ?? 2;
  const minDemoVoxels = options.minDemoVoxels ?? 500;
  const [nx, ny, nz] = dims;
  if (labels.length !== nx * ny * nz) throw new RangeError(`inia19Regions: ${labels.length} voxels, expected ${nx}×${ny}×${nz} = ${nx * ny * nz}`);

  const present = new Set<number>();
  for (let v = 0; v < labels.length; v++) present.add(labels[v]);
  for (const code of present) {
    if (!Number.isInteger(code) || code < 0 || code >= 2 * SIDE_OFFSET) throw new RangeError(`inia19Regions: label code ${code}, expected an integer in 0…${2 * SIDE_OFFSET - 1}`);
    if (code === 0) continue;
    const partner = code < SIDE_OFFSET ? code + SIDE_OFFSET : code - SIDE_OFFSET;
    if (!present.has(partner)) throw new RangeError(`inia19Regions: label code ${code} has no other-hemisphere partner ${partner} (NeuroMaps numbers the pairs c and ${SIDE_OFFSET} + c)`);
  }

  // One label per pair, numbered 1 … P in code order.
  const stems = [...present].filter((c) => c > 0 && c < SIDE_OFFSET).sort((a, b) => a - b);
  const stemIndex = new Int32Array(2 * SIDE_OFFSET);
  stems.forEach((c, k) => (stemIndex[c] = stemIndex[c + SIDE_OFFSET] = k + 1));
  const P = stems.length + 1;
  const pairMap = new Int32Array(labels.length);
  const volumes = new Float64Array(P);
  const centroids = new Float64Array(3 * P);
  for (let k = 0, v = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, v++) {
        const s = stemIndex[labels[v]];
        pairMap[v] = s;
        volumes[s]++;
        // The pair's centroid folds x about the grid's centre, so left and right copies fall together.
        centroids[3 * s] += Math.abs(i - (nx - 1) / 2);
        centroids[3 * s + 1] += j;
        centroids[3 * s + 2] += k;
      }
    }
  }
  for (let s = 0; s < P; s++) for (let a = 0; a < 3; a++) centroids[3 * s + a] /= Math.max(volumes[s], 1);
  const { counts } = countAdjacency(pairMap, dims, { numLabels: P, connectivity: 6 });
  // Both hemispheres' voxels are counted: the pair's minimum is twice one hemisphere's.
  const group = groupByContact({ volumes, counts, centroids }, { target: perHemisphere, minVolume: 2 * minDemoVoxels * downsample ** 3 });

  // Order the groups from front to back (centroid y, descending; the affine's y axis points anterior).
  const G = Math.max(0, ...group);
  const gVolume = new Float64Array(G + 1);
  const gY = new Float64Array(G + 1);
  for (let s = 1; s < P; s++) {
    gVolume[group[s]] += volumes[s];
    gY[group[s]] += volumes[s] * centroids[3 * s + 1];
  }
  const order = Array.from({ length: G }, (_, g) => g + 1).sort((a, b) => gY[b] / gVolume[b] - gY[a] / gVolume[a] || a - b);
  const rank = new Int32Array(G + 1);
  order.forEach((g, r) => (rank[g] = r + 1));

  const maxCode = Math.max(...present);
  const lut = new Int32Array(maxCode + 1);
  const names = ['Background'];
  const members: number[][] = [[]];
  for (let r = 1; r <= G; r++) {
    const nn = String(r).padStart(2, '0');
    names.push(`Group${nn}_L`, `Group${nn}_R`);
    members.push([], []);
  }
  for (const c of stems) {
    const r = rank[group[stemIndex[c]]];
    lut[c] = 2 * r - 1;
    lut[c + SIDE_OFFSET] = 2 * r;
    members[2 * r - 1].push(c);
    members[2 * r].push(c + SIDE_OFFSET);
  }
  return { lut, names, members };
}
