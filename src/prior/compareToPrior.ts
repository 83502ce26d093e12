import type { AdjacencyPrior } from './AdjacencyPrior.js';

/** One unordered label pair `i < j` (indices of the prior's rows) and its contact count. */
export interface PairCount {
  i: number;
  j: number;
  /** Contacts: ordered neighbour pairs (v, u) with labels (i, j), i.e. `counts[i·L + j]` (the matrix is symmetric). */
  count: number;
}

/** Result of {@link compareToPrior}. */
export interface PriorComparison {
  /** Pairs the subject's graph has and the prior forbids (its own forbidden contacts), by count, largest first. */
  extra: PairCount[];
  /** Pairs the prior allows and the subject's graph lacks (count in the prior), largest prior count first. */
  missing: PairCount[];
  /** Sum of `extra` counts: the contacts a perfect segmentation of this subject would have against the prior. */
  extraContacts: number;
}

/**
 * How far one subject's anatomy is from a prior: the unordered off-diagonal label pairs (i < j) that touch in
 * the subject but are forbidden by the prior (`extra`: the floor of forbidden contacts that even the ground truth
 * has), and those the prior allows that do not touch in the subject (`missing`). Same-label pairs (the diagonal) are
 * not pairs of two regions and are ignored.
 *
 * @param counts - the subject's `L × L` row-major symmetric count matrix (`countAdjacency(...).counts`), with the
 *   same label indexing and neighbourhood as the prior.
 * @param prior - the prior (`L` labels).
 * @throws RangeError when `counts` is not `L × L`.
 * @example
 * // labels 0, 1, 2; the subject has 1–2 (3 contacts), the prior allows only 0–1 and 0–2:
 * compareToPrior(subjectCounts, prior); // { extra: [{ i: 1, j: 2, count: 3 }], missing: [{ i: 0, j: 1, … }, …], extraContacts: 3 }
 */
export function compareToPrior(counts: ArrayLike<number>, prior: AdjacencyPrior): PriorComparison {
  const L = prior.numLabels;
  if (counts.length !== L * L) throw new RangeError(`compareToPrior: ${counts.length} counts, expected ${L}×${L} = ${L * L} for the prior's labels`);
  const extra: PairCount[] = [];
  const missing: PairCount[] = [];
  let extraContacts = 0;
  for (let i = 0; i < L; i++) {
    for (let j = i + 1; j < L; j++) {
      const own = counts[i * L + j];
      const allowed = prior.isAllowed(i, j);
      if (own > 0 && !allowed) {
        extra.push({ i, j, count: own });
        extraContacts += own;
      } else if (own === 0 && allowed) {
        missing.push({ i, j, count: prior.count(i, j) });
      }
    }
  }
  const byCount = (a: PairCount, b: PairCount) => b.count - a.count || a.i - b.i || a.j - b.j;
  return { extra: extra.sort(byCount), missing: missing.sort(byCount), extraContacts };
}
