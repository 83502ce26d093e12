import { readNiftiFile } from '../volume/niftiFile.js';
import { assertPlausibleLabelMap } from './assertPlausibleLabelMap.js';
import { countPresentAdjacency } from './countPresentAdjacency.js';
import { labelRuns } from './labelRuns.js';
import type { NeighbourhoodOptions } from './neighbourhood.js';

/** Options of {@link countFileAdjacency}. */
export interface CountFileAdjacencyOptions extends NeighbourhoodOptions {
  /** When given, labels must lie in `[0, numLabels)`. */
  numLabels?: number;
  /** Accept float datatypes and image-like maps (`--allow-float-labels`, see `assertPlausibleLabelMap`). @default false */
  allowFloatLabels?: boolean;
}

/** Result of {@link countFileAdjacency}: the counts over the labels present and the exam's grid. */
export interface CountFileAdjacencyResult {
  /** The `K` distinct label codes present, ascending. */
  labels: number[];
  /** `K × K` row-major ordered-pair counts over `labels` (see `countPresentAdjacency`). */
  counts: Float64Array;
  dims: [number, number, number];
  spacingMm: [number, number, number];
}

/**
 * Read one 3D label map (NIfTI) and count its label adjacencies over the labels present. The volume is dropped
 * when this returns, so callers that loop over exams hold one volume at a time.
 *
 * @throws Error naming `file` when it cannot be read, is 4D, is not plausibly a label map (`assertPlausibleLabelMap`), or
 *   holds invalid labels or too many distinct labels.
 */
export async function countFileAdjacency(file: string, options: CountFileAdjacencyOptions = {}): Promise<CountFileAdjacencyResult> {
  const volume = await readNiftiFile(file, { expect: '3d' });
  // Integer maps are split into runs once, and both the plausibility check and the counting read the runs.
  const { data } = volume;
  const int32 = data instanceof Uint8Array || data instanceof Int8Array || data instanceof Uint16Array || data instanceof Int16Array || data instanceof Int32Array;
  const runs = int32 ? labelRuns(data, volume.dims) : undefined;
  assertPlausibleLabelMap(volume, { allowFloatLabels: options.allowFloatLabels, source: file, runs });
  const { labels, counts } = countPresentAdjacency(data, volume.dims, { ...options, source: file, runs });
  return { labels, counts, dims: volume.dims, spacingMm: volume.spacingMm };
}
