import type { ExamCounts } from './ExamCounts.js';

/**
 * Sum exam counts made with the same neighbourhood: the union of their labels, voxel-pair counts and exam counts
 * added, exams concatenated in the order given. Every count is an integer below 2^53, so the sums are exact and do
 * not depend on the order of addition: summing shards gives what one pass over all the exams gives.
 *
 * @param parts - at least one; their `connectivity` and `radius` must agree.
 * @throws RangeError when `parts` is empty or the neighbourhoods differ.
 */
export function sumExamCounts(parts: readonly ExamCounts[]): ExamCounts {
  if (parts.length === 0) throw new RangeError('sumExamCounts: no counts given, expected at least one');
  const [first] = parts;
  for (const p of parts) {
    if (p.connectivity !== first.connectivity || p.radius !== first.radius) {
      throw new RangeError(
        `sumExamCounts: connectivity ${p.connectivity}, radius ${p.radius} beside connectivity ${first.connectivity}, radius ${first.radius}, expected one neighbourhood`,
      );
    }
  }
  const labels = [...new Set(parts.flatMap((p) => p.labels))].sort((a, b) => a - b);
  const K = labels.length;
  const rowOf = new Map(labels.map((c, i) => [c, i]));
  const counts = new Float64Array(K * K);
  const examCounts = new Float64Array(K * K);
  for (const p of parts) {
    const n = p.labels.length;
    const rows = p.labels.map((c) => rowOf.get(c)!);
    for (let i = 0; i < n; i++) {
      const base = rows[i] * K;
      for (let j = 0; j < n; j++) {
        counts[base + rows[j]] += p.counts[i * n + j];
        examCounts[base + rows[j]] += p.examCounts[i * n + j];
      }
    }
  }
  return { connectivity: first.connectivity, radius: first.radius, exams: parts.flatMap((p) => p.exams), labels, counts, examCounts };
}
