/**
 * The partial-counts file `extract --shard i/n` writes and `nonadj merge` sums (format `nonadj-partial-counts`,
 * version 1; `schemas/partial-counts.schema.json`). It holds everything one `extract` run needs besides the label
 * maps themselves, so that the merge of all shards writes byte for byte the `graph.json` of one run:
 *
 * - the neighbourhood (`connectivity`, `radius`) and the label handling (`numLabels`, `contiguous`, `minExams`,
 *   `names`), which must agree across shards;
 * - the shard (`index` of `count`, over `examsTotal` exams) and its exams, each with its grid, largest label and the
 *   SHA-256 of its file (two shards holding the same file overlap);
 * - the counts over the labels present in the shard, sparse: `pairs` lists `[i, j, voxelPairs, exams]` for every
 *   unordered pair `i ≤ j` of indices into `labels` that touches at least once: the ordered neighbour-voxel pair
 *   count of (`labels[i]`, `labels[j]`) (the same as (`labels[j]`, `labels[i]`): counts are symmetric) and the number
 *   of the shard's exams it touches in.
 */
import type { Connectivity } from './neighbourhood.js';

/** One exam of a partial-counts file. */
export interface PartialExamJson {
  id: string;
  file: string;
  dims: [number, number, number];
  spacingMm: [number, number, number];
  /** Largest label code in the exam, −1 when every voxel is ignored. */
  maxLabel: number;
  /** SHA-256 of the file's bytes, 64 lowercase hex digits. */
  sha256: string;
}

/** The partial-counts document (format version 1). */
export interface PartialCountsJson {
  format: 'nonadj-partial-counts';
  version: 1;
  tool: string | null;
  connectivity: Connectivity;
  radius: number;
  /** `nb_labels` as given to extract, or null when it is inferred (largest label + 1 over all shards). */
  numLabels: number | null;
  contiguous: boolean;
  minExams: number;
  /** `[code, name]` of every entry of the `--names` table, ascending codes; null without `--names`. */
  names: Array<[number, string]> | null;
  /** Which part of the exam list this is; null when the exams were chosen otherwise (e.g. `--files`). */
  shard: { index: number; count: number; examsTotal: number } | null;
  exams: PartialExamJson[];
  /** Label codes present in the shard's exams, ascending. */
  labels: number[];
  /** `[i, j, voxelPairs, exams]` with `i ≤ j` indices into `labels`, for pairs touching at least once; sorted by i, then j. */
  pairs: Array<[number, number, number, number]>;
}
