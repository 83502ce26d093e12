import type { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import { labelCodes } from '../prior/labelCodes.js';
import { forwardOffsets, resolveNeighbourhood, type Connectivity } from '../prior/neighbourhood.js';
import { voxelToWorld, type Volume, type VoxelArray } from '../volume/Volume.js';
import { forEachRunPair } from '../prior/forEachRunPair.js';
import { labelRuns } from '../prior/labelRuns.js';
import { runComponents } from '../metric/runComponents.js';

/**
 * Default size limit of a component `repairSegmentation` may relabel, in mm³. It sits between the stray fragments
 * a label map carries (the bundled AAL's 42 non-largest components hold at most 62 voxels of 1 mm³) and the
 * smallest whole structures (AAL's Vermis_1_2: 404 mm³; JHU's smallest tract: 376 mm³), so an island of noise is
 * relabelled while anything the size of a structure is left for a human to look at: a large component that breaks
 * the prior is more likely a misplaced boundary, which relabelling the whole component to one neighbour would not fix.
 */
export const DEFAULT_MAX_COMPONENT_MM3 = 200;

/** Options of {@link repairSegmentation}. */
export interface RepairSegmentationOptions {
  /** Largest component (mm³) that may be relabelled. @default DEFAULT_MAX_COMPONENT_MM3 */
  maxComponentMm3?: number;
  /** Neighbourhood for contacts and components; default: the prior's (components always use radius 1). */
  connectivity?: Connectivity;
  /** Chebyshev radius of contacts; default: the prior's. */
  radius?: number;
  /** Rounds of relabelling before stopping even if not stable. @default 20 */
  maxIterations?: number;
  /** Names of codes the prior does not know. */
  names?: ReadonlyMap<number, string>;
  /** File name for error messages. */
  source?: string;
}

/** One relabelled component. */
export interface RepairChange {
  /** Round (1-based) in which it was relabelled. */
  iteration: number;
  /** Old and new label codes, with names. */
  from: number;
  fromName: string;
  to: number;
  toName: string;
  /** Size of the component. */
  voxels: number;
  volumeMm3: number;
  /** Forbidden contacts of the component before, and those it has once relabelled. */
  forbiddenContactsBefore: number;
  forbiddenContactsAfter: number;
  /** Mean voxel coordinates of the component, and the same point in RAS+ mm. */
  centroidVoxel: [number, number, number];
  centroidMm: [number, number, number];
}

/** Result of {@link repairSegmentation}. */
export interface RepairSegmentationResult {
  /** The repaired label map (a copy: same array type, geometry and header). */
  volume: Volume;
  /** Every relabelled component, in order. */
  changes: RepairChange[];
  /** Rounds run (the last one changed nothing unless `stable` is false). */
  iterations: number;
  /** False when `maxIterations` stopped it while components were still being relabelled. */
  stable: boolean;
  /** Voxels whose label changed. */
  voxelsChanged: number;
}

/**
 * Remove forbidden contacts by relabelling small components (post-processing): every connected component of a
 * label that has a forbidden contact, is no larger than `maxComponentMm3` and is not the largest component of its
 * label gets the label `j` that makes the most of its boundary allowed — each contact of the component with a
 * voxel of label k counts for j when the prior allows (j, k), including k = j — ties broken by the longer shared
 * boundary, then the smaller code. A component is relabelled only if that strictly lowers its forbidden contacts,
 * and two touching components never change in the same round, so the number of forbidden contacts falls with
 * every round and the process stops; rounds repeat until nothing changes.
 *
 * Components use the prior's connectivity with radius 1; contacts use the prior's neighbourhood. Codes unknown to
 * the prior are never a target (their contacts are all forbidden), and voxels labelled −1 are left alone.
 *
 * @param volume - 3D label map (not modified).
 * @param prior - the adjacency prior.
 * @throws RangeError for a 4D volume, invalid labels or a non-positive size limit.
 */
export function repairSegmentation(volume: Volume, prior: AdjacencyPrior, options: RepairSegmentationOptions = {}): RepairSegmentationResult {
  const source = options.source ?? 'repairSegmentation';
  if (volume.frames !== 1) throw new RangeError(`${source}: ${volume.frames} frames, expected a single 3D label map`);
  // Validates the labels and bounds how many distinct ones there are (the per-label tables below are that long).
  labelCodes(volume.data, { source });
  const maxMm3 = options.maxComponentMm3 ?? DEFAULT_MAX_COMPONENT_MM3;
  if (!(maxMm3 > 0)) throw new RangeError(`${source}: maxComponentMm3 is ${maxMm3}, expected a positive number`);
  const { connectivity, radius } = resolveNeighbourhood({
    connectivity: options.connectivity ?? prior.connectivity,
    radius: options.radius ?? prior.radius,
  });
  const offsets = forwardOffsets({ connectivity, radius });
  const [nx, ny, nz] = volume.dims;
  const voxelMm3 = Math.abs(volume.spacingMm[0] * volume.spacingMm[1] * volume.spacingMm[2]);
  const maxVoxels = maxMm3 / voxelMm3;
  const data = volume.data.slice() as VoxelArray;
  const L = prior.numLabels;

  const unknown = new Map<number, number>();
  const unknownCodes: number[] = [];
  const encode = (code: number) => {
    if (code < 0) return -1;
    const i = prior.indexOfLabel(code);
    if (i >= 0) return i;
    let u = unknown.get(code);
    if (u === undefined) {
      unknown.set(code, (u = L + unknownCodes.length));
      unknownCodes.push(code);
    }
    return u;
  };
  const codeOf = (e: number) => (e < L ? prior.labels[e] : unknownCodes[e - L]);
  const nameOf = (e: number) => (e < L ? prior.names[e] ?? options.names?.get(prior.labels[e]) : options.names?.get(codeOf(e))) ?? `label ${codeOf(e)}`;
  const allowed = (a: number, b: number) => a < L && b < L && prior.counts[a * L + b] > 0;
  // For each label k, the labels j with allowed(j, k) (a column of the prior: priors are symmetric when extracted,
  // but one read from a CSV need not be).
  const allowedColumns = columnsOfAllowed(prior);

  const changes: RepairChange[] = [];
  const maxIterations = options.maxIterations ?? 20;
  let iterations = 0;
  let stable = false;
  let voxelsChanged = 0;
  while (iterations < maxIterations) {
    iterations++;
    const runs = labelRuns(data, volume.dims, { encode });
    const comps = runComponents(runs, connectivity);
    const { runLabel, rowPtr, runStart } = runs;
    const { componentOfRun } = comps;
    const K = L + unknownCodes.length;
    const largest = new Int32Array(K).fill(-1);
    for (let c = 0; c < comps.count; c++) {
      const l = comps.labelOf[c];
      if (largest[l] < 0 || comps.sizeOf[c] > comps.sizeOf[largest[l]]) largest[l] = c;
    }
    const isCandidate = new Uint8Array(comps.count);
    for (let c = 0; c < comps.count; c++) isCandidate[c] = comps.sizeOf[c] <= maxVoxels && largest[comps.labelOf[c]] !== c ? 1 : 0;

    // Contacts of candidate components, one flat record per side of a run pair: (component, other label, other
    // component, length). Flat typed arrays, not a Map per component: on a badly wrong segmentation (an untrained
    // network: millions of contacts, hundreds of thousands of small components) the Maps made one round take 15 s.
    const records = new ContactRecords();
    const hasForbidden = new Uint8Array(comps.count);
    forEachRunPair(runs, offsets, (pa, pb, x0, x1) => {
      const a = runLabel[pa];
      const b = runLabel[pb];
      if (a < 0 || b < 0 || a === b) return;
      const ca = componentOfRun[pa];
      const cb = componentOfRun[pb];
      const forbidden = !allowed(a, b);
      if (ca >= 0 && isCandidate[ca]) {
        records.push(ca, b, cb, x1 - x0);
        if (forbidden) hasForbidden[ca] = 1;
      }
      if (cb >= 0 && isCandidate[cb]) {
        records.push(cb, a, ca, x1 - x0);
        if (forbidden) hasForbidden[cb] = 1;
      }
    });
    const byComponent = records.groupBy(comps.count);

    const order: number[] = [];
    for (let c = 0; c < comps.count; c++) if (hasForbidden[c]) order.push(c);
    order.sort((x, y) => comps.sizeOf[x] - comps.sizeOf[y] || x - y);
    const blocked = new Uint8Array(comps.count);
    const relabel = new Map<number, number>();
    // Per component: contact length by label (`shared`), and for each label j present, the length of contacts that
    // j would make allowed (`ok`), summed over the allowed column of each neighbouring label k: O(contacts · degree)
    // instead of O(labels²) per component.
    const shared = new Float64Array(K);
    const ok = new Float64Array(K);
    const seen = new Int32Array(K).fill(-1);
    const present: number[] = [];
    for (const c of order) {
      if (blocked[c]) continue;
      const a = comps.labelOf[c];
      present.length = 0;
      let total = 0;
      let before = 0;
      for (let r = byComponent.start[c]; r < byComponent.start[c + 1]; r++) {
        const rec = byComponent.order[r];
        const k = records.label[rec];
        const n = records.length[rec];
        if (seen[k] !== c) {
          seen[k] = c;
          shared[k] = 0;
          ok[k] = 0;
          present.push(k);
        }
        shared[k] += n;
        total += n;
        if (!allowed(a, k)) before += n;
      }
      for (const k of present) {
        if (k >= L) continue; // unknown codes are allowed with nothing
        const n = shared[k];
        for (let e = allowedColumns.colPtr[k]; e < allowedColumns.colPtr[k + 1]; e++) {
          const j = allowedColumns.rows[e];
          if (seen[j] === c) ok[j] += n;
        }
      }
      let best = -1;
      let bestAfter = Infinity;
      let bestShared = -1;
      for (const j of present) {
        if (j >= L) continue;
        const after = total - ok[j];
        if (after < bestAfter || (after === bestAfter && (shared[j] > bestShared || (shared[j] === bestShared && codeOf(j) < codeOf(best))))) {
          best = j;
          bestAfter = after;
          bestShared = shared[j];
        }
      }
      if (best < 0 || bestAfter >= before) continue;
      relabel.set(c, best);
      // Two touching components never change in the same round (each one's gain assumes the other stays).
      for (let r = byComponent.start[c]; r < byComponent.start[c + 1]; r++) {
        const other = records.component[byComponent.order[r]];
        if (other >= 0 && isCandidate[other]) blocked[other] = 1;
      }
      changes.push({
        iteration: iterations,
        from: codeOf(a),
        fromName: nameOf(a),
        to: codeOf(best),
        toName: nameOf(best),
        voxels: comps.sizeOf[c],
        volumeMm3: comps.sizeOf[c] * voxelMm3,
        forbiddenContactsBefore: before,
        forbiddenContactsAfter: bestAfter,
        centroidVoxel: [0, 0, 0],
        centroidMm: [0, 0, 0],
      });
    }
    if (relabel.size === 0) {
      stable = true;
      break;
    }
    // Write the new codes and measure each changed component's centroid from its runs.
    const firstChange = changes.length - relabel.size;
    const indexOfChange = new Map([...relabel.keys()].map((c, t) => [c, firstChange + t]));
    const sums = new Map<number, [number, number, number]>();
    for (let row = 0; row < ny * nz; row++) {
      const end = rowPtr[row + 1];
      for (let r = rowPtr[row]; r < end; r++) {
        const c = componentOfRun[r];
        const to = c >= 0 ? relabel.get(c) : undefined;
        if (to === undefined) continue;
        const x0 = runStart[r];
        const x1 = r + 1 < end ? runStart[r + 1] : nx;
        data.fill(codeOf(to), row * nx + x0, row * nx + x1);
        voxelsChanged += x1 - x0;
        const s = sums.get(c) ?? [0, 0, 0];
        const len = x1 - x0;
        s[0] += ((x0 + x1 - 1) / 2) * len;
        s[1] += (row % ny) * len;
        s[2] += Math.floor(row / ny) * len;
        sums.set(c, s);
      }
    }
    for (const [c, s] of sums) {
      const change = changes[indexOfChange.get(c)!];
      const size = comps.sizeOf[c];
      change.centroidVoxel = [s[0] / size, s[1] / size, s[2] / size];
      change.centroidMm = voxelToWorld(volume.affine, change.centroidVoxel);
    }
  }
  return {
    volume: { ...volume, dims: [nx, ny, nz], data, header: { ...volume.header } },
    changes,
    iterations,
    stable,
    voxelsChanged,
  };
}

/** For each label k of the prior, the labels j with counts[j][k] > 0, as CSC arrays. */
function columnsOfAllowed(prior: AdjacencyPrior): { colPtr: Int32Array; rows: Int32Array } {
  const L = prior.numLabels;
  const colPtr = new Int32Array(L + 1);
  for (let j = 0; j < L; j++) for (let k = 0; k < L; k++) if (prior.counts[j * L + k] > 0) colPtr[k + 1]++;
  for (let k = 0; k < L; k++) colPtr[k + 1] += colPtr[k];
  const rows = new Int32Array(colPtr[L]);
  const fill = colPtr.slice(0, L);
  for (let j = 0; j < L; j++) for (let k = 0; k < L; k++) if (prior.counts[j * L + k] > 0) rows[fill[k]++] = j;
  return { colPtr, rows };
}

/** Growable columns of contact records: component, other label, other component (−1: none), length in voxels. */
class ContactRecords {
  component = new Int32Array(1024);
  owner = new Int32Array(1024);
  label = new Int32Array(1024);
  length = new Int32Array(1024);
  size = 0;

  push(owner: number, label: number, component: number, length: number): void {
    if (this.size === this.owner.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.owner = grow(this.owner);
      this.label = grow(this.label);
      this.component = grow(this.component);
      this.length = grow(this.length);
    }
    this.owner[this.size] = owner;
    this.label[this.size] = label;
    this.component[this.size] = component;
    this.length[this.size] = length;
    this.size++;
  }

  /** Record indices grouped by owner (a counting sort): those of owner c are order[start[c] … start[c + 1]). */
  groupBy(owners: number): { start: Int32Array; order: Int32Array } {
    const start = new Int32Array(owners + 1);
    for (let r = 0; r < this.size; r++) start[this.owner[r] + 1]++;
    for (let c = 0; c < owners; c++) start[c + 1] += start[c];
    const order = new Int32Array(this.size);
    const fill = start.slice(0, owners);
    for (let r = 0; r < this.size; r++) order[fill[this.owner[r]]++] = r;
    return { start, order };
  }
}
