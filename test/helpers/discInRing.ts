import { AdjacencyPrior } from '../../src/prior/AdjacencyPrior.js';
import { makeVolume, type Volume } from '../../src/volume/Volume.js';

/**
 * The toy problem of the adaptation tests: `depth` axial n×n planes of a disc (intensity 2, radius < 3) in a ring
 * (intensity 1, radius < 5.5) around (cx, 7.5), on a background of 0, 1 mm voxels. Truth: background 0, ring 1,
 * disc 2.
 */
export function discInRing(n: number, depth: number, cx = 7.5): Volume {
  const data = new Float32Array(n * n * depth);
  for (let z = 0; z < depth; z++) {
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        const r = Math.hypot(x - cx, y - 7.5);
        data[x + n * (y + n * z)] = r < 3 ? 2 : r < 5.5 ? 1 : 0;
      }
    }
  }
  return makeVolume([n, n, depth], data, { spacingMm: [1, 1, 1] });
}

/** The toy's prior: background, ring and disc, 0–2 forbidden (the ring separates them). */
export const discInRingPrior = AdjacencyPrior.fromCounts([
  [10, 5, 0],
  [5, 10, 5],
  [0, 5, 10],
]);
