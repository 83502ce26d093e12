import { assertLabelMap } from '../prior/assertLabelMap.js';
import { labelRuns } from '../prior/labelRuns.js';
import type { Connectivity } from '../prior/neighbourhood.js';
import { runComponents } from '../metric/runComponents.js';
import type { Volume, VoxelArray } from '../volume/Volume.js';

/** Options of {@link keepLargestComponent}. */
export interface KeepLargestComponentOptions {
  /** Connectivity of the components: 6 (faces), 18 (+ edges) or 26 (+ corners). @default 26 */
  connectivity?: Connectivity;
  /** Label codes to clean. Default: every code ≥ 0 present except the background. */
  labels?: readonly number[];
  /** Code of the background: never cleaned, and the value removed voxels take. @default 0 */
  backgroundLabel?: number;
  /** Name of the input in error messages. */
  source?: string;
}

/** What happened to one label. */
export interface LabelComponentCleanup {
  label: number;
  /** Connected components the label had (0 when absent). */
  components: number;
  /** Voxels of its largest component, kept. */
  keptVoxels: number;
  /** Voxels of its other components, set to the background. */
  removedVoxels: number;
}

/** Result of {@link keepLargestComponent}. */
export interface KeepLargestComponentResult {
  /** The cleaned label map (a copy: same array type, geometry and header). */
  volume: Volume;
  /** One entry per cleaned label, ascending code (labels listed in `options.labels` but absent included). */
  labels: LabelComponentCleanup[];
  /** Voxels set to the background, over all labels. */
  removedVoxels: number;
}

/**
 * Keep only the largest connected component of each foreground label: the standard post-processing baseline
 * (MONAI's `KeepLargestConnectedComponent` with `independent=True`, brainchop's clean-up). Every other component
 * of the label is set to the background, as MONAI does (it zeroes them): no attempt is made to give the voxels a
 * neighbouring label (that is `repairSegmentation`, which uses the prior). Ties between equally large components
 * keep the one whose first voxel comes first in voxel order (x fastest).
 *
 * Components come from `runComponents` (runs + union–find), the code `connectedComponents` and the metrics use.
 * The result is idempotent (cleaning it again changes nothing) and never adds a label; voxels labelled −1 and the
 * background are left alone.
 *
 * @param volume - 3D label map (not modified); integer codes ≥ 0, or −1 for ignored voxels.
 * @throws RangeError for a 4D volume, invalid labels (naming the voxel and value), or requested labels that are not
 *   integers ≥ 0.
 * @example
 * // A row [1, 1, 0, 1]: label 1 has components of 2 and 1 voxels; the single voxel goes.
 * keepLargestComponent(makeVolume([4, 1, 1], Uint8Array.from([1, 1, 0, 1]))).volume.data; // [1, 1, 0, 0]
 */
export function keepLargestComponent(volume: Volume, options: KeepLargestComponentOptions = {}): KeepLargestComponentResult {
  const source = options.source ?? 'keepLargestComponent';
  if (volume.frames !== 1) throw new RangeError(`${source}: ${volume.frames} frames, expected a single 3D label map`);
  const background = options.backgroundLabel ?? 0;
  for (const c of options.labels ?? []) {
    if (!Number.isInteger(c) || c < 0) throw new RangeError(`${source}: label ${c} requested, expected integers ≥ 0`);
  }
  const { max } = assertLabelMap(volume.data, { source });
  const [nx, ny, nz] = volume.dims;
  const runs = labelRuns(volume.data, volume.dims);
  const components = runComponents(runs, options.connectivity ?? 26);

  // Per code: its largest component (first in voxel order on ties: ids follow the first voxel), and totals.
  const size = Math.max(max, ...(options.labels ?? [0]), background) + 1;
  const best = new Int32Array(size).fill(-1);
  const count = new Float64Array(size);
  const total = new Float64Array(size);
  for (let id = 0; id < components.count; id++) {
    const label = components.labelOf[id];
    count[label]++;
    total[label] += components.sizeOf[id];
    if (best[label] < 0 || components.sizeOf[id] > components.sizeOf[best[label]]) best[label] = id;
  }
  const cleaned = new Uint8Array(size);
  let codes: number[];
  if (options.labels) codes = [...new Set(options.labels)].sort((a, b) => a - b);
  else {
    codes = [];
    for (let c = 0; c < size; c++) if (count[c] > 0) codes.push(c);
  }
  codes = codes.filter((c) => c !== background);
  for (const c of codes) cleaned[c] = 1;

  const data = volume.data.slice() as VoxelArray;
  let removedVoxels = 0;
  const { rowPtr, runStart, runLabel } = runs;
  for (let row = 0; row < ny * nz; row++) {
    const end = rowPtr[row + 1];
    for (let r = rowPtr[row]; r < end; r++) {
      const label = runLabel[r];
      if (label < 0 || !cleaned[label] || components.componentOfRun[r] === best[label]) continue;
      const from = row * nx + runStart[r];
      const to = row * nx + (r + 1 < end ? runStart[r + 1] : nx);
      data.fill(background, from, to);
      removedVoxels += to - from;
    }
  }
  return {
    volume: { ...volume, dims: [nx, ny, nz], data, header: { ...volume.header } },
    labels: codes.map((label) => {
      const kept = best[label] < 0 ? 0 : components.sizeOf[best[label]];
      return { label, components: count[label], keptVoxels: kept, removedVoxels: total[label] - kept };
    }),
    removedVoxels,
  };
}
