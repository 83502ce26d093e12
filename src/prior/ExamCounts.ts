/**
 * Adjacency counts summed over a set of exams, over the labels present only: the state `extract` builds a prior
 * from, that `extract --shard` writes as partial counts and `nonadj merge` sums. Its own module so that counting,
 * summing, the partial-counts file and the prior's construction share one type without importing each other.
 */
import type { PriorExam } from './AdjacencyPriorJson.js';

/** One counted exam: what `graph.json` records of it, plus what merging partial counts needs. */
export interface CountedExam extends PriorExam {
  /** Largest label code in the exam (−1 when every voxel is ignored); names the exam in "label too large" errors. */
  maxLabel: number;
  /** SHA-256 of the label-map file's bytes (hex), when asked for: two partial counts holding it overlap. */
  sha256?: string;
}

/** Counts over the `K` labels present in a set of exams. */
export interface ExamCounts {
  connectivity: 6 | 18 | 26;
  radius: number;
  /** The exams counted, in the order their counts were summed (the order `graph.json` lists them). */
  exams: CountedExam[];
  /** The `K` distinct label codes ≥ 0 present in any exam, ascending. */
  labels: number[];
  /**
   * `K × K` row-major ordered neighbour-voxel pair counts: `counts[i·K + j]` pairs (v, u) with label(v) = `labels[i]`
   * and label(u) = `labels[j]`, summed over the exams. Symmetric, exact integers.
   */
  counts: Float64Array;
  /** `K × K` row-major: in how many exams the pair (`labels[i]`, `labels[j]`) touches at least once. Symmetric. */
  examCounts: Float64Array;
}
