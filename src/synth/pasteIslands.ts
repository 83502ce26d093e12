import type { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import { assertLabelMap } from '../prior/assertLabelMap.js';
import type { Volume, VoxelArray } from '../volume/Volume.js';

/** Options of {@link pasteIslands}. */
export interface PasteIslandsOptions {
  /** Number of islands to paste. */
  count: number;
  /** Edge of each cube in voxels. @default 3 */
  edgeVoxels?: number;
  /** Seed of the pseudo-random placement (same seed, same input → same output). @default 1 */
  seed?: number;
  /** When given, an island of label A goes into host B only if the prior forbids A–B. */
  prior?: AdjacencyPrior;
  /**
   * Voxels of host around each cube (its own neighbourhood radius): the cube plus this margin lies entirely in the
   * host and away from other islands, so each island touches its host only. @default prior radius, else 1
   */
  marginVoxels?: number;
  /** Codes an island may carry. Default: every code ≥ 0 present in the volume (known to the prior, if given). */
  labels?: readonly number[];
  /** Codes an island may be pasted into. Default: every code ≥ 0 present. */
  hosts?: readonly number[];
  /** Placement attempts before giving up. @default 2000 × count */
  maxAttempts?: number;
}

/** One pasted cube. */
export interface PastedIsland {
  /** Code written into the cube. */
  label: number;
  /** Code the cube (and its margin) carried before. */
  host: number;
  /** Lowest corner `[i, j, k]` of the cube, voxels. */
  min: [number, number, number];
  edgeVoxels: number;
}

/** Result of {@link pasteIslands}. */
export interface PasteIslandsResult {
  /** A copy of the input with the cubes written in (same array type, geometry and header). */
  volume: Volume;
  islands: PastedIsland[];
}

/**
 * Paste cubes of one label inside another on a label map: a deterministic, seeded way to make segmentations with
 * known abnormal adjacencies for tests, benchmarks and demonstrations. Each cube with its margin lies inside a
 * single host label and apart from the other cubes, so with a 26-neighbourhood of radius 1 a cube of edge s adds
 * exactly `Σ_d (s³ − Π_a (s − |d_a|))` host contacts (386 for s = 3) and nothing else.
 *
 * @param volume - 3D label map (not modified).
 * @throws RangeError for a 4D volume, invalid labels, bad sizes, or when `count` islands cannot be placed in
 *   `maxAttempts` tries (the message says how many were).
 */
export function pasteIslands(volume: Volume, options: PasteIslandsOptions): PasteIslandsResult {
  const [nx, ny, nz] = volume.dims;
  const plane = nx * ny;
  if (volume.frames !== 1) throw new RangeError(`pasteIslands: ${volume.frames} frames, expected a single 3D label map`);
  assertLabelMap(volume.data, { source: 'pasteIslands' });
  const s = options.edgeVoxels ?? 3;
  const margin = options.marginVoxels ?? options.prior?.radius ?? 1;
  if (!Number.isInteger(options.count) || options.count < 0) throw new RangeError(`pasteIslands: count is ${options.count}, expected an integer ≥ 0`);
  if (!Number.isInteger(s) || s < 1) throw new RangeError(`pasteIslands: edgeVoxels is ${s}, expected a positive integer`);
  if (!Number.isInteger(margin) || margin < 1) throw new RangeError(`pasteIslands: marginVoxels is ${margin}, expected a positive integer`);
  const block = s + 2 * margin;
  if (block > nx || block > ny || block > nz) {
    throw new RangeError(`pasteIslands: a ${s}-voxel cube with a ${margin}-voxel margin does not fit in ${nx}×${ny}×${nz}`);
  }

  const data = volume.data.slice() as VoxelArray;
  const present = new Set<number>();
  for (let v = 0; v < data.length; v++) present.add(data[v]);
  present.delete(-1);
  const prior = options.prior;
  const islandLabels = (options.labels ?? [...present].sort((a, b) => a - b)).filter((c) => !prior || prior.indexOfLabel(c) >= 0);
  const hosts = new Set(options.hosts ?? present);
  const forbiddenWith = (a: number, b: number) => {
    if (a === b) return false;
    if (!prior) return true;
    const i = prior.indexOfLabel(a);
    const j = prior.indexOfLabel(b);
    return i < 0 || j < 0 || !prior.isAllowed(i, j);
  };

  const random = mulberry32(options.seed ?? 1);
  const taken = new Uint8Array(data.length);
  const islands: PastedIsland[] = [];
  const maxAttempts = options.maxAttempts ?? 2000 * Math.max(1, options.count);
  for (let attempt = 0; attempt < maxAttempts && islands.length < options.count; attempt++) {
    const bi = Math.floor(random() * (nx - block + 1));
    const bj = Math.floor(random() * (ny - block + 1));
    const bk = Math.floor(random() * (nz - block + 1));
    const host = data[bi + bj * nx + bk * plane];
    if (!hosts.has(host)) continue;
    let uniform = true;
    for (let k = bk; k < bk + block && uniform; k++) {
      for (let j = bj; j < bj + block && uniform; j++) {
        for (let i = bi; i < bi + block; i++) {
          const v = i + j * nx + k * plane;
          if (data[v] !== host || taken[v]) {
            uniform = false;
            break;
          }
        }
      }
    }
    if (!uniform) continue;
    const candidates = islandLabels.filter((c) => forbiddenWith(c, host));
    if (candidates.length === 0) continue;
    const label = candidates[Math.floor(random() * candidates.length)];
    for (let k = bk; k < bk + block; k++) {
      for (let j = bj; j < bj + block; j++) {
        for (let i = bi; i < bi + block; i++) {
          const v = i + j * nx + k * plane;
          taken[v] = 1;
          const inCube = i >= bi + margin && i < bi + margin + s && j >= bj + margin && j < bj + margin + s && k >= bk + margin && k < bk + margin + s;
          if (inCube) data[v] = label;
        }
      }
    }
    islands.push({ label, host, min: [bi + margin, bj + margin, bk + margin], edgeVoxels: s });
  }
  if (islands.length < options.count) {
    throw new RangeError(`pasteIslands: placed ${islands.length} of ${options.count} islands in ${maxAttempts} attempts; use smaller or fewer cubes, or more hosts`);
  }
  return { volume: { ...volume, dims: [nx, ny, nz], data, header: { ...volume.header } }, islands };
}

/** Small, fast, seedable PRNG (Tommy Ettinger's Mulberry32): uniform numbers in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
