import type { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import { forwardOffsets, resolveNeighbourhood, type Connectivity } from '../prior/neighbourhood.js';
import { voxelToWorld, type Volume } from '../volume/Volume.js';
import { countInteriorVoxels } from './countInteriorVoxels.js';
import { labelCodes } from '../prior/labelCodes.js';
import { labelRuns } from '../prior/labelRuns.js';

/** Options of {@link checkSegmentation}. */
export interface CheckSegmentationOptions {
  /** Neighbourhood; default: the one recorded in the prior. */
  connectivity?: Connectivity;
  /** Chebyshev radius in voxels; default: the one recorded in the prior. */
  radius?: number;
  /** Names of label codes the prior does not know (the prior's own names are used for the others). */
  names?: ReadonlyMap<number, string>;
  /** File name used in error messages. */
  source?: string;
}

/** An axis-aligned box of voxel indices, bounds included. */
export interface VoxelBox {
  /** `[i, j, k]` of the lowest corner. */
  min: [number, number, number];
  /** `[i, j, k]` of the highest corner (inclusive). */
  max: [number, number, number];
}

/** One forbidden label pair found in a segmentation. */
export interface ForbiddenPair {
  /** The two label codes, ascending. */
  labels: [number, number];
  /** Their names (`label <code>` when unknown). */
  names: [string, string];
  /** Whether the prior knows each label. */
  known: [boolean, boolean];
  /** Unordered neighbour voxel pairs (v, u) with one label each. */
  contacts: number;
  /** Distinct voxels of each label that take part in at least one of these contacts. */
  voxels: [number, number];
  /** Bounding box of the contact zone (the voxels counted in `voxels`), in voxel indices. */
  boundingBox: VoxelBox;
  /** Mean voxel coordinates `[i, j, k]` of the contact zone. */
  centroidVoxel: [number, number, number];
  /** The same point in world coordinates (RAS+ mm) through the volume's affine. */
  centroidMm: [number, number, number];
}

/** A label code found in the segmentation that the prior has no row for. */
export interface UnknownLabel {
  label: number;
  name: string;
  /** Voxels carrying it. */
  voxels: number;
  /** Unordered neighbour pairs with voxels of other labels (all forbidden by construction). */
  contacts: number;
}

/**
 * The four numbers the reference's metric script logs per image (METHOD.md §7), computed as it computes them:
 * `A = onehot ⊗ (3×3×3 box convolution of onehot, zero padding, centre included)`, restricted to the prior's zero
 * entries. Off the diagonal `A[i][j]` is the ordered neighbour-pair count; on a forbidden diagonal entry it is
 * the voxel count of `i` plus its ordered same-label pairs (the centre is in the window).
 */
export interface ReferenceMetric {
  /** Forbidden entries (ordered, diagonal included) with a nonzero count: an unordered pair counts 2. */
  unique: number;
  /** Sum of those counts: ordered forbidden neighbour pairs (plus the diagonal terms above). */
  cumulated: number;
  /** `unique / (number of zero entries of the prior)`. */
  m1: number;
  /**
   * `cumulated / (number of voxels whose whole in-grid neighbourhood carries their own label)`, 0 when there is
   * no such voxel. The reference divides by interior voxels, which looks like a slip for contour voxels; kept
   * as is for comparison.
   */
  m2: number;
}

/** Result of {@link checkSegmentation}. */
export interface CheckSegmentationResult {
  /** Unordered label pairs {i, j}, i ≠ j, that touch although the prior forbids it (unknown labels included). */
  forbiddenPairs: number;
  /** Unordered neighbour voxel pairs whose labels form a forbidden pair. */
  forbiddenContacts: number;
  /** Every forbidden pair found, most contacts first. */
  pairs: ForbiddenPair[];
  /** Labels of the segmentation the prior does not know, ascending. */
  unknownLabels: UnknownLabel[];
  /**
   * Codes of the prior with no voxel in the segmentation, ascending. Often legitimate (a cropped or partial map);
   * many of them hint at a segmentation made with another label set than the prior.
   */
  absentLabels: number[];
  /** Number of distinct labels (≥ 0) in the segmentation. */
  labelsInSegmentation: number;
  /** The reference's numbers (METHOD.md §7). */
  reference: ReferenceMetric;
  /** Neighbourhood used. */
  connectivity: Connectivity;
  radius: number;
}

/**
 * Per-pair accumulator while scanning: the contact runs of each side as flat `[start, length, …]` voxel-index
 * lists. Distinct voxels are counted once at the end with a stamp array, not with a Set per pair: an untrained
 * network's segmentation has millions of forbidden contacts, and Set insertions made such a check take seconds.
 */
interface PairZone {
  contacts: number;
  lo: number[];
  hi: number[];
}

/**
 * The abnormal-adjacency report of one label map against a prior (METHOD.md §7): which forbidden label pairs
 * touch, how often, and where.
 *
 * Pairs are unordered and a label touching itself is never reported in `forbiddenPairs` / `pairs` (a zero
 * diagonal in the prior only means the label occurred as isolated voxels); the `reference` numbers keep the
 * reference's ordered counting, diagonal included. A label code with no row in the prior is *unknown*: every
 * contact it has with another label is forbidden, and it is listed in `unknownLabels`. Voxels labelled −1 take
 * part in no pair.
 *
 * Cost: one run-length scan of the volume (about 100 ms for a 181×217×181 brain), plus work proportional to the
 * forbidden contacts.
 *
 * @param volume - 3D label map (one frame), integer values ≥ 0 or −1.
 * @param prior - the adjacency prior; label codes are matched through `prior.indexOfLabel`.
 * @throws RangeError for a 4D volume, non-integer or NaN voxels, labels below −1, or more distinct labels than
 *   `PRIOR_LIMITS.maxLabels` (via `labelCodes`).
 * @example
 * const report = checkSegmentation(await readNiftiFile('seg.nii.gz'), await AdjacencyPrior.read('graph.json'));
 * report.forbiddenContacts; // 0 for a segmentation consistent with the prior
 */
export function checkSegmentation(volume: Volume, prior: AdjacencyPrior, options: CheckSegmentationOptions = {}): CheckSegmentationResult {
  const source = options.source ?? 'checkSegmentation';
  const [nx, ny, nz] = volume.dims;
  if (volume.frames !== 1) throw new RangeError(`${source}: ${volume.frames} frames, expected a single 3D label map`);
  const { connectivity, radius } = resolveNeighbourhood({
    connectivity: options.connectivity ?? prior.connectivity,
    radius: options.radius ?? prior.radius,
  });

  // Index the labels present (0 … K−1), known or not: memory then follows the labels of this map, not the
  // largest code nor the prior's size.
  const present = labelCodes(volume.data, { source });
  const L = prior.numLabels;
  const K = present.codes.length;
  const rowOf = Int32Array.from(present.codes, (code) => prior.indexOfLabel(code));
  const runs = labelRuns(volume.data, volume.dims, { encode: present.indexOf });
  const forbidden = new Uint8Array(K * K).fill(1);
  for (let e = 0; e < K; e++) {
    if (rowOf[e] < 0) continue;
    for (let f = 0; f < K; f++) if (rowOf[f] >= 0) forbidden[e * K + f] = prior.counts[rowOf[e] * L + rowOf[f]] > 0 ? 0 : 1;
  }

  const { runStart, runLabel, rowPtr } = runs;
  const voxelsOf = new Float64Array(K);
  for (let row = 0; row < ny * nz; row++) {
    const end = rowPtr[row + 1];
    for (let r = rowPtr[row]; r < end; r++) {
      const l = runLabel[r];
      if (l >= 0) voxelsOf[l] += (r + 1 < end ? runStart[r + 1] : nx) - runStart[r];
    }
  }

  const half = new Float64Array(K * K);
  const zones = new Map<number, PairZone>();
  // The scan of forEachRunPair, inlined: this loop is the whole cost of a check and a callback per segment
  // (4 million on a 1 mm brain) doubles it.
  for (const [di, dj, dk] of forwardOffsets({ connectivity, radius })) {
    const xa0 = Math.max(0, -di);
    const xa1 = Math.min(nx, nx - di);
    if (xa1 <= xa0) continue;
    for (let k = Math.max(0, -dk); k < Math.min(nz, nz - dk); k++) {
      for (let j = Math.max(0, -dj); j < Math.min(ny, ny - dj); j++) {
        const rowA = j + k * ny;
        const rowB = j + dj + (k + dk) * ny;
        let pa = rowPtr[rowA];
        const endA = rowPtr[rowA + 1];
        let pb = rowPtr[rowB];
        const endB = rowPtr[rowB + 1];
        while (pa + 1 < endA && runStart[pa + 1] <= xa0) pa++;
        while (pb + 1 < endB && runStart[pb + 1] <= xa0 + di) pb++;
        let x = xa0;
        while (x < xa1) {
          const stopA = pa + 1 < endA ? runStart[pa + 1] : nx;
          const stopB = (pb + 1 < endB ? runStart[pb + 1] : nx) - di;
          const stop = stopA < stopB ? (stopA < xa1 ? stopA : xa1) : stopB < xa1 ? stopB : xa1;
          const a = runLabel[pa];
          const b = runLabel[pb];
          if (a >= 0 && b >= 0) {
            half[a * K + b] += stop - x;
            if (a !== b && forbidden[a * K + b] === 1) {
              recordContacts(zones, a < b ? a * K + b : b * K + a, a < b, rowA * nx + x, rowB * nx + x + di, stop - x);
            }
          }
          x = stop;
          if (x === stopA) pa++;
          if (x === stopB) pb++;
        }
      }
    }
  }

  const codeOf = (e: number) => present.codes[e];
  const isKnown = (e: number) => rowOf[e] >= 0;
  const nameOf = (e: number) => (isKnown(e) ? prior.names[rowOf[e]] : null) ?? options.names?.get(present.codes[e]) ?? `label ${present.codes[e]}`;

  const pairs: ForbiddenPair[] = [];
  let forbiddenContacts = 0;
  // stamp[v] = the last (pair, side) that counted voxel v, so each side counts its distinct voxels once.
  const stamp = new Int32Array(zones.size > 0 ? nx * ny * nz : 0); // zero-filled; side ids start at 1
  let side = 0;
  for (const [key, zone] of zones) {
    const a = Math.floor(key / K);
    const b = key % K;
    forbiddenContacts += zone.contacts;
    let [minI, minJ, minK, maxI, maxJ, maxK] = [Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity];
    let [sumI, sumJ, sumK] = [0, 0, 0];
    const distinct = [0, 0];
    for (const [which, runsOfSide] of [zone.lo, zone.hi].entries()) {
      side++;
      let n = 0;
      for (let r = 0; r < runsOfSide.length; r += 2) {
        const start = runsOfSide[r];
        const end = start + runsOfSide[r + 1];
        for (let v = start; v < end; v++) {
          if (stamp[v] === side) continue;
          stamp[v] = side;
          n++;
          const i = v % nx;
          const j = Math.floor(v / nx) % ny;
          const k = Math.floor(v / (nx * ny));
          if (i < minI) minI = i;
          if (i > maxI) maxI = i;
          if (j < minJ) minJ = j;
          if (j > maxJ) maxJ = j;
          if (k < minK) minK = k;
          if (k > maxK) maxK = k;
          sumI += i;
          sumJ += j;
          sumK += k;
        }
      }
      distinct[which] = n;
    }
    const count = distinct[0] + distinct[1];
    const min: [number, number, number] = [minI, minJ, minK];
    const max: [number, number, number] = [maxI, maxJ, maxK];
    const sum = [sumI, sumJ, sumK];
    const centroidVoxel: [number, number, number] = [sum[0] / count, sum[1] / count, sum[2] / count];
    const ordered = codeOf(a) <= codeOf(b);
    const [p, q] = ordered ? [a, b] : [b, a];
    const [vp, vq] = ordered ? [distinct[0], distinct[1]] : [distinct[1], distinct[0]];
    pairs.push({
      labels: [codeOf(p), codeOf(q)],
      names: [nameOf(p), nameOf(q)],
      known: [isKnown(p), isKnown(q)],
      contacts: zone.contacts,
      voxels: [vp, vq],
      boundingBox: { min, max },
      centroidVoxel,
      centroidMm: voxelToWorld(volume.affine, centroidVoxel),
    });
  }
  pairs.sort((x, y) => y.contacts - x.contacts || x.labels[0] - y.labels[0] || x.labels[1] - y.labels[1]);

  const unknownLabels: UnknownLabel[] = [];
  for (let e = 0; e < K; e++) {
    if (isKnown(e)) continue;
    let contacts = 0;
    for (let j = 0; j < K; j++) if (j !== e) contacts += half[e * K + j] + half[j * K + e];
    unknownLabels.push({ label: present.codes[e], name: nameOf(e), voxels: voxelsOf[e], contacts });
  }

  // Reference numbers over the K × K matrix (unknown rows/columns are all forbidden: the reference would have
  // crashed on them, see the README).
  let unique = 0;
  let cumulated = 0;
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < K; j++) {
      if (forbidden[i * K + j] === 0) continue;
      const a = i === j ? 2 * half[i * K + i] + voxelsOf[i] : half[i * K + j] + half[j * K + i];
      if (a > 0) {
        unique++;
        cumulated += a;
      }
    }
  }
  const interior = countInteriorVoxels(runs, { connectivity, radius });
  const zeroEntries = prior.forbiddenOrderedPairs;
  const absentLabels = prior.labels.filter((code) => present.indexOf(code) < 0).sort((a, b) => a - b);
  const labelsInSegmentation = K;
  return {
    forbiddenPairs: pairs.length,
    forbiddenContacts,
    pairs,
    unknownLabels,
    absentLabels,
    labelsInSegmentation,
    reference: {
      unique,
      cumulated,
      m1: zeroEntries > 0 ? unique / zeroEntries : 0,
      m2: interior > 0 ? cumulated / interior : 0,
    },
    connectivity,
    radius,
  };
}

/** Add `length` contacts `(va + t, vb + t)`, t < length, to the zone of a pair; `aIsLo` says which side is which. */
function recordContacts(zones: Map<number, PairZone>, key: number, aIsLo: boolean, va: number, vb: number, length: number): void {
  let zone = zones.get(key);
  if (!zone) zones.set(key, (zone = { contacts: 0, lo: [], hi: [] }));
  zone.contacts += length;
  zone.lo.push(aIsLo ? va : vb, length);
  zone.hi.push(aIsLo ? vb : va, length);
}
