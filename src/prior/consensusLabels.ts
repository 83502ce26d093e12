import type { VoxelArray } from '../volume/Volume.js';

/** Result of {@link consensusLabels}. */
export interface ConsensusLabelsResult {
  /** Per voxel: the label at least `minVotes` of the maps give, else −1 (no consensus; `countAdjacency` ignores it). */
  labels: Int32Array;
  /** Voxels that reached the consensus. */
  agreed: number;
  /** Voxels with at least one vote that did not. */
  disputed: number;
}

/**
 * Voxel-wise agreement of K label maps of one image (e.g. a model's segmentations of K augmented copies, each mapped
 * back onto the image's grid): a voxel keeps the label that at least `minVotes` of the maps give it, and −1 otherwise,
 * so that an adjacency prior counted on the result (`countAdjacency`, which ignores −1) holds only the contacts that
 * are stable under the augmentations. A map may itself hold −1 where it has no vote (a voxel shifted out of the grid);
 * the threshold counts votes, not maps, so such a voxel needs `minVotes` of the maps that do see it to agree.
 *
 * With `minVotes` > K/2 the consensus label is unique (two labels cannot both hold a strict majority); with a smaller
 * threshold two labels may both pass it, and the voxel gets the one with more votes (ties: the smaller label).
 *
 * @param maps - K ≥ 1 label maps of the same length, integer labels in `[0, numLabels)` or −1.
 * @param numLabels - labels are `0 … numLabels − 1`.
 * @param minVotes - integer in `[1, K]`.
 * @throws RangeError for no map, maps of different lengths, a `minVotes` outside `[1, K]`, or a label outside
 *   `[0, numLabels)` other than −1 (naming the map and the voxel).
 * @example
 * consensusLabels([Int32Array.of(1, 2), Int32Array.of(1, 3), Int32Array.of(1, 2)], 4, 2).labels; // [1, 2]
 */
export function consensusLabels(maps: ReadonlyArray<VoxelArray | ArrayLike<number>>, numLabels: number, minVotes: number): ConsensusLabelsResult {
  const op = 'consensusLabels';
  const K = maps.length;
  if (K === 0) throw new RangeError(`${op}: no label map, expected at least one`);
  if (!Number.isInteger(numLabels) || numLabels < 1) throw new RangeError(`${op}: numLabels is ${numLabels}, expected an integer ≥ 1`);
  if (!Number.isInteger(minVotes) || minVotes < 1 || minVotes > K) throw new RangeError(`${op}: minVotes is ${minVotes}, expected an integer in [1, ${K}]`);
  const n = maps[0].length;
  maps.forEach((m, k) => {
    if (m.length !== n) throw new RangeError(`${op}: map ${k} has ${m.length} voxels, expected ${n} as map 0`);
  });
  const labels = new Int32Array(n);
  const votes = new Int32Array(numLabels);
  const seen: number[] = [];
  let agreed = 0;
  let disputed = 0;
  for (let v = 0; v < n; v++) {
    for (let k = 0; k < K; k++) {
      const l = maps[k][v];
      if (l === -1) continue;
      if (!(Number.isInteger(l) && l >= 0 && l < numLabels)) {
        throw new RangeError(`${op}: map ${k} has label ${l} at voxel ${v}, expected an integer in [0, ${numLabels}) or −1`);
      }
      if (votes[l]++ === 0) seen.push(l);
    }
    let best = -1;
    for (const l of seen) if (votes[l] >= minVotes && (best === -1 || votes[l] > votes[best] || (votes[l] === votes[best] && l < best))) best = l;
    labels[v] = best;
    if (best !== -1) agreed++;
    else if (seen.length > 0) disputed++;
    for (const l of seen) votes[l] = 0;
    seen.length = 0;
  }
  return { labels, agreed, disputed };
}
