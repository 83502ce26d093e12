import { readNiftiFile } from '../volume/niftiFile.js';
import { countAdjacency } from './countAdjacency.js';
import type { NeighbourhoodOptions } from './neighbourhood.js';

/** Options of {@link countFileAdjacency}. */
export interface CountFileAdjacencyOptions extends NeighbourhoodOptions {
  /** Number of labels; default: the file's max label + 1. */
  numLabels?: number;
}

/** Result of {@link countFileAdjacency}: the counts and the exam's grid. */
export interface CountFileAdjacencyResult {
  numLabels: number;
  /** `numLabels²` row-major ordered-pair counts. */
  counts: Float64Array;
  dims: [number, number, number];
  spacingMm: [number, number, number];
}

/**
 * Read one 3D label map (NIfTI) and count its label adjacencies. The volume is dropped when this returns, so
 * callers that loop over exams hold one volume at a time.
 *
 * @throws Error naming `file` when it cannot be read, is 4D, or holds invalid labels.
 */
export async function countFileAdjacency(file: string, options: CountFileAdjacencyOptions = {}): Promise<CountFileAdjacencyResult> {
  const volume = await readNiftiFile(file, { expect: '3d' });
  const { numLabels, counts } = countAdjacency(volume.data, volume.dims, { ...options, source: file });
  return { numLabels, counts, dims: volume.dims, spacingMm: volume.spacingMm };
}
