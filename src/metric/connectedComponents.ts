import { assertLabelMap } from '../prior/assertLabelMap.js';
import type { Connectivity } from '../prior/neighbourhood.js';
import { labelRuns } from '../prior/labelRuns.js';
import { runComponents } from './runComponents.js';

/** Options of {@link connectedComponents}. */
export interface ConnectedComponentsOptions {
  /** 6 (faces), 18 (faces + edges) or 26 (faces + edges + corners). @default 26 */
  connectivity?: Connectivity;
}

/** Result of {@link connectedComponents}. */
export interface ConnectedComponentsResult {
  /** Number of components over all labels. */
  count: number;
  /** `Int32Array(nx·ny·nz)`, x fastest: component of each voxel, numbered from 0 in voxel order; −1 for −1 voxels. */
  componentOf: Int32Array;
  /** Label code of each component. */
  labelOf: Int32Array;
  /** Voxel count of each component. */
  sizeOf: Float64Array;
}

/**
 * Connected components of every label of a label map at once (each label's voxels split into maximal connected
 * sets under the given connectivity). Voxels labelled −1 belong to no component.
 *
 * @param labels - label map, x fastest, integer codes ≥ 0 or −1.
 * @param dims - `[nx, ny, nz]`.
 * @throws RangeError for invalid labels or a length mismatch.
 * @example
 * connectedComponents(Uint8Array.from([1, 0, 1]), [3, 1, 1]).labelOf; // [1, 0, 1]: two components of label 1
 */
export function connectedComponents(
  labels: ArrayLike<number>,
  dims: readonly [number, number, number],
  options: ConnectedComponentsOptions = {},
): ConnectedComponentsResult {
  assertLabelMap(labels, { source: 'connectedComponents' });
  const runs = labelRuns(labels, dims);
  const components = runComponents(runs, options.connectivity ?? 26);
  const [nx, ny, nz] = dims;
  const componentOf = new Int32Array(nx * ny * nz);
  const { rowPtr, runStart } = runs;
  for (let row = 0; row < ny * nz; row++) {
    const end = rowPtr[row + 1];
    for (let r = rowPtr[row]; r < end; r++) {
      componentOf.fill(components.componentOfRun[r], row * nx + runStart[r], row * nx + (r + 1 < end ? runStart[r + 1] : nx));
    }
  }
  return { count: components.count, componentOf, labelOf: components.labelOf, sizeOf: components.sizeOf };
}
