import type { ExamCounts } from './ExamCounts.js';
import type { PartialCountsJson } from './PartialCountsJson.js';

/** What a partial-counts file records besides the counts: see {@link PartialCountsJson}. */
export type PartialCountsSettings = Pick<PartialCountsJson, 'tool' | 'numLabels' | 'contiguous' | 'minExams' | 'names' | 'shard'>;

/**
 * The partial-counts document of counts summed over a shard of exams (`extract --shard`).
 *
 * @param sums - from `countExams(…, { hash: true })`: every exam needs its `sha256`.
 * @throws Error when an exam has no `sha256`.
 */
export function partialCountsToJson(sums: ExamCounts, settings: PartialCountsSettings): PartialCountsJson {
  const K = sums.labels.length;
  const pairs: PartialCountsJson['pairs'] = [];
  for (let i = 0; i < K; i++) {
    for (let j = i; j < K; j++) {
      const n = sums.examCounts[i * K + j];
      if (n > 0) pairs.push([i, j, sums.counts[i * K + j], n]);
    }
  }
  return {
    format: 'nonadj-partial-counts',
    version: 1,
    tool: settings.tool,
    connectivity: sums.connectivity,
    radius: sums.radius,
    numLabels: settings.numLabels,
    contiguous: settings.contiguous,
    minExams: settings.minExams,
    names: settings.names,
    shard: settings.shard,
    exams: sums.exams.map((e) => {
      if (e.sha256 === undefined) throw new Error(`partialCountsToJson: exam ${e.file} has no sha256, expected counts made with hash: true`);
      return { id: e.id, file: e.file, dims: e.dims, spacingMm: e.spacingMm, maxLabel: e.maxLabel, sha256: e.sha256 };
    }),
    labels: [...sums.labels],
    pairs,
  };
}
