/** Input of {@link groupByContact}: per-label statistics of one label map. */
export interface GroupByContactInput {
  /** Voxel count of each label `0 … L−1` (label 0 is background and is never grouped). */
  volumes: ArrayLike<number>;
  /**
   * `L × L` row-major contact counts (`countAdjacency`'s matrix: `counts[i·L + j]` = neighbour pairs between labels
   * i and j); only the off-diagonal entries between labels ≥ 1 are read.
   */
  counts: ArrayLike<number>;
  /** `L × 3` row-major centroids (voxel or mm coordinates; only distances are used), for labels that touch no other. */
  centroids: ArrayLike<number>;
}

/** Options of {@link groupByContact}. */
export interface GroupByContactOptions {
  /** Stop once there are at most this many groups (and none is below `minVolume`). */
  target: number;
  /** Smallest group volume, in the voxels of `volumes`. @default 0 */
  minVolume?: number;
}

/**
 * Group the labels of a parcellation into at most `target` spatially contiguous groups, by repeated merging: the
 * smallest group (fewest voxels; ties: lowest label) joins the group it shares the most contacts with (ties: lowest
 * label); a group touching no other joins the group whose centroid is nearest. Merging stops when there are at most
 * `target` groups and the smallest holds at least `minVolume` voxels (or one group is left). The smallest-first
 * order keeps the groups' sizes even, and merging only along contacts keeps every group a union of touching labels
 * (except islands, which join the nearest group).
 *
 * Used for atlases without a name table (NeuroMaps, `inia19Regions`), where no anatomical grouping can be read.
 *
 * @returns an Int32Array of length L: the group of each label, numbered `1 … G` in the order of the groups' lowest
 *   label; 0 for background (label 0) and for labels of volume 0.
 * @throws RangeError when the lengths disagree (`counts` ≠ L², `centroids` ≠ 3L) or `target` is not a positive integer.
 * @example
 * // a row of three labels 1 | 2 | 3 of 4, 1 and 3 voxels, two groups: 2 (smallest) joins 1 (ties: lowest label)
 * groupByContact({ volumes: [0, 4, 1, 3], counts: …, centroids: … }, { target: 2 }); // [0, 1, 1, 2]
 */
export function groupByContact(input: GroupByContactInput, options: GroupByContactOptions): Int32Array {
  const L = input.volumes.length;
  if (input.counts.length !== L * L) throw new RangeError(`groupByContact: counts has ${input.counts.length} entries, expected ${L}² = ${L * L}`);
  if (input.centroids.length !== 3 * L) throw new RangeError(`groupByContact: centroids has ${input.centroids.length} entries, expected 3 × ${L} = ${3 * L}`);
  if (!Number.isInteger(options.target) || options.target < 1) throw new RangeError(`groupByContact: target is ${options.target}, expected a positive integer`);
  const minVolume = options.minVolume ?? 0;

  // Each live group is identified by its lowest label; `owner` follows merges.
  const owner = Int32Array.from({ length: L }, (_, i) => i);
  const volume = Float64Array.from(input.volumes);
  const centroid = Float64Array.from(input.centroids);
  const contact = new Float64Array(L * L);
  for (let i = 1; i < L; i++) for (let j = 1; j < L; j++) if (i !== j) contact[i * L + j] = input.counts[i * L + j];
  const live = new Set<number>();
  for (let i = 1; i < L; i++) if (volume[i] > 0) live.add(i);

  const smallest = (): number => {
    let best = -1;
    for (const g of live) if (best < 0 || volume[g] < volume[best]) best = g; // Set order is ascending: ties keep the lowest
    return best;
  };
  while (live.size > 1) {
    const s = smallest();
    if (live.size <= options.target && volume[s] >= minVolume) break;
    let t = -1;
    for (const g of live) if (g !== s && contact[s * L + g] > 0 && (t < 0 || contact[s * L + g] > contact[s * L + t])) t = g;
    if (t < 0) {
      let bestDistance = Infinity;
      for (const g of live) {
        if (g === s) continue;
        const d = (centroid[3 * s] - centroid[3 * g]) ** 2 + (centroid[3 * s + 1] - centroid[3 * g + 1]) ** 2 + (centroid[3 * s + 2] - centroid[3 * g + 2]) ** 2;
        if (d < bestDistance) [bestDistance, t] = [d, g];
      }
    }
    // The merged group keeps the lower of the two labels as its identity.
    const [keep, gone] = t < s ? [t, s] : [s, t];
    const total = volume[keep] + volume[gone];
    for (let a = 0; a < 3; a++) centroid[3 * keep + a] = (centroid[3 * keep + a] * volume[keep] + centroid[3 * gone + a] * volume[gone]) / total;
    volume[keep] = total;
    for (const g of live) {
      if (g === keep || g === gone) continue;
      contact[keep * L + g] += contact[gone * L + g];
      contact[g * L + keep] = contact[keep * L + g];
    }
    contact[keep * L + gone] = contact[gone * L + keep] = 0;
    live.delete(gone);
    for (let i = 1; i < L; i++) if (owner[i] === gone) owner[i] = keep;
  }

  const number = new Map([...live].sort((a, b) => a - b).map((g, k) => [g, k + 1]));
  const out = new Int32Array(L);
  for (let i = 1; i < L; i++) out[i] = input.volumes[i] > 0 ? number.get(owner[i])! : 0;
  return out;
}
