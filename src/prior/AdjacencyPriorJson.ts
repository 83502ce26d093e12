/**
 * The `graph.json` document: the type shared by the prior (`AdjacencyPrior.toJson`) and its validator
 * (`assertPriorJson`), in its own module so that neither imports the other for it.
 */
import type { Connectivity } from './neighbourhood.js';

/** One exam a prior was extracted from. */
export interface PriorExam {
  /** Exam identifier (its folder name, or the file's base name). */
  id: string;
  /** Label map the counts came from, as given on the command line. */
  file: string;
  /** Grid `[nx, ny, nz]` in voxels. */
  dims: [number, number, number];
  /** Voxel size in millimetres. */
  spacingMm: [number, number, number];
}

/** The `graph.json` document (format version 1). */
export interface AdjacencyPriorJson {
  format: 'nonadj-adjacency-prior';
  version: 1;
  tool: string | null;
  numLabels: number;
  connectivity: Connectivity;
  radius: number;
  /** `labels[i]` = label code of row `i` (identity unless relabelled to contiguous codes). */
  labels: number[];
  /** True when `labels` is not the identity (see `extract --contiguous`). */
  relabelled: boolean;
  names: Array<string | null>;
  exams: PriorExam[];
  /**
   * `extract --min-exams k`: a pair touching in fewer than k of the exams has count 0 (forbidden). Absent when 1
   * (every contact counts), and in files written before the option existed.
   */
  minExams?: number;
  /** Number of ordered pairs the prior forbids (the NonAdjLoss normaliser). */
  forbiddenOrderedPairs: number;
  /** `counts[i][j]` = ordered neighbour-voxel pairs with labels (i, j), summed over the exams. */
  counts: number[][];
}
