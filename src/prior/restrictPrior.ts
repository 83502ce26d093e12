import { AdjacencyPrior } from './AdjacencyPrior.js';

/**
 * The prior with only the forbidden pairs in `made` still forbidden: every other forbidden entry of the count matrix
 * (the diagonal's too) becomes allowed (count 1). `nonadj adapt --pairs made` gives NonAdjLoss this prior, so that it
 * penalises the soft adjacency of the forbidden pairs a segmentation actually makes, and not that of the pairs the
 * network already keeps apart in its labels: on brainchop's MeshNet and Colin27, background – pallidum, never made,
 * carried 10 % of the full prior's forbidden soft adjacency and every adaptation with it eroded the pallidum
 * (`docs/adapt-brainchop.md`, session 8).
 *
 * @param made - label-code pairs, e.g. `checkSegmentation(...).pairs.map((p) => p.labels)`; codes the prior does not
 *   know, and pairs it allows, change nothing.
 * @example
 * // labels 0, 1, 2; 0–2 and 1–2 forbidden; a segmentation makes 0–2 only:
 * restrictPrior(prior, [[0, 2]]).forbiddenUnorderedPairs; // 1 (0–2); 1–2 is allowed now
 */
export function restrictPrior(prior: AdjacencyPrior, made: Iterable<readonly [number, number]>): AdjacencyPrior {
  const L = prior.numLabels;
  const keep = new Uint8Array(L * L);
  for (const [a, b] of made) {
    const i = prior.indexOfLabel(a);
    const j = prior.indexOfLabel(b);
    if (i < 0 || j < 0) continue;
    keep[i * L + j] = 1;
    keep[j * L + i] = 1;
  }
  const counts = Float64Array.from(prior.counts, (c, k) => (c === 0 && keep[k] === 0 ? 1 : c));
  return AdjacencyPrior.fromCounts(counts, {
    labels: [...prior.labels],
    names: [...prior.names],
    connectivity: prior.connectivity,
    radius: prior.radius,
    minExams: prior.minExams,
    ...(prior.tool === null ? {} : { tool: prior.tool }),
  }, 'restrictPrior');
}
