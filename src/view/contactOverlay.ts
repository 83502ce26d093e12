import type { CheckSegmentationResult } from '../metric/checkSegmentation.js';
import { forEachRunPair } from '../prior/forEachRunPair.js';
import { labelRuns } from '../prior/labelRuns.js';
import { forwardOffsets } from '../prior/neighbourhood.js';
import { makeVolume, type Volume } from '../volume/Volume.js';

/** Result of {@link contactOverlay}. */
export interface ContactOverlayResult {
  /**
   * Label map on the segmentation's grid and affine: 0 where no forbidden contact is, `p + 1` on every voxel that
   * takes part in a contact of `check.pairs[p]`. A voxel taking part in several pairs shows the first of them
   * (the pair with most contacts, `check.pairs` being sorted that way). `Uint8Array` for up to 255 pairs,
   * `Uint16Array` up to 65 535, `Int32Array` beyond.
   */
  volume: Volume<Uint8Array | Uint16Array | Int32Array>;
  /** `shownVoxels[p]` = voxels carrying `p + 1` in `volume` (at most `pairs[p].voxels[0] + pairs[p].voxels[1]`). */
  shownVoxels: number[];
}

/**
 * The forbidden contacts of a check as a label volume, the third layer of `nonadj view`: every voxel with a
 * neighbour (in the check's neighbourhood) whose label forms a pair listed in `check.pairs` gets that pair's
 * number. For one pair alone these are exactly the voxels counted in `ForbiddenPair.voxels`, so the layer's
 * bounding box and mean position are the pair's `boundingBox` and `centroidVoxel`.
 *
 * Cost: one run-length scan of the segmentation (as `checkSegmentation`), plus one write per contact voxel.
 *
 * @param segmentation - the 3D label map `check` was computed on (x fastest).
 * @param check - result of `checkSegmentation(segmentation, prior)`; its `pairs`, `connectivity` and `radius` are used.
 * @throws RangeError for a 4D volume.
 */
export function contactOverlay(segmentation: Volume, check: Pick<CheckSegmentationResult, 'pairs' | 'connectivity' | 'radius'>): ContactOverlayResult {
  if (segmentation.frames !== 1) throw new RangeError(`contactOverlay: ${segmentation.frames} frames, expected a single 3D label map`);
  const [nx] = segmentation.dims;
  const n = nx * segmentation.dims[1] * segmentation.dims[2];
  const pairs = check.pairs;
  const out = pairs.length < 256 ? new Uint8Array(n) : pairs.length < 65536 ? new Uint16Array(n) : new Int32Array(n);
  const shownVoxels = pairs.map(() => 0);

  // Codes taking part in some pair get 0..K−2; every other code shares K−1, which is in no pair.
  const involved = new Map<number, number>();
  for (const pair of pairs) for (const code of pair.labels) if (!involved.has(code)) involved.set(code, involved.size);
  const K = involved.size + 1;
  const pairOf = new Int32Array(K * K).fill(-1);
  pairs.forEach((pair, p) => {
    const a = involved.get(pair.labels[0])!;
    const b = involved.get(pair.labels[1])!;
    // The first (most contacts) wins when a check lists a pair twice, which it never does; be explicit anyway.
    if (pairOf[a * K + b] < 0) pairOf[a * K + b] = pairOf[b * K + a] = p;
  });
  if (pairs.length > 0) {
    const runs = labelRuns(segmentation.data, segmentation.dims, { encode: (code) => (code < 0 ? -1 : (involved.get(code) ?? K - 1)) });
    const { runLabel } = runs;
    const mark = (v: number, value: number) => {
      const old = out[v];
      if (old === 0 || old > value) out[v] = value;
    };
    forEachRunPair(runs, forwardOffsets({ connectivity: check.connectivity, radius: check.radius }), (runA, runB, x0, x1, rowA, rowB, di) => {
      const a = runLabel[runA];
      const b = runLabel[runB];
      if (a === b || a < 0 || b < 0) return;
      const p = pairOf[a * K + b];
      if (p < 0) return;
      for (let x = x0; x < x1; x++) {
        mark(rowA * nx + x, p + 1);
        mark(rowB * nx + x + di, p + 1);
      }
    });
    for (let v = 0; v < n; v++) if (out[v] !== 0) shownVoxels[out[v] - 1]++;
  }
  const volume = makeVolume(segmentation.dims, out, { spacingMm: segmentation.spacingMm, affine: segmentation.affine });
  volume.header = {
    ...volume.header,
    qformCode: segmentation.header.qformCode,
    sformCode: segmentation.header.sformCode,
    qform: segmentation.header.qform,
    sform: segmentation.header.sform,
    intentCode: 1002,
    description: 'nonadj forbidden contacts (value = pair number)',
    datatype: out instanceof Uint8Array ? 'uint8' : out instanceof Uint16Array ? 'uint16' : 'int32',
  };
  return { volume, shownVoxels };
}
