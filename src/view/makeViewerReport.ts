import type { CheckSegmentationResult, UnknownLabel, VoxelBox } from '../metric/checkSegmentation.js';
import type { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import type { Connectivity } from '../prior/neighbourhood.js';
import type { Volume } from '../volume/Volume.js';

/** One label of the segmentation as the page shows it (colour table and names). */
export interface ViewerLabel {
  /** Voxel value in the segmentation. */
  code: number;
  /** Name from `--names`, else from the prior, else `label <code>`. */
  name: string;
  /** Display colour `[r, g, b]` in 0..255 (from the names file, the `.lut`, else a generated palette). */
  rgb: [number, number, number];
  /** Voxels carrying the code. */
  voxels: number;
}

/** One row of the page's table of forbidden pairs. */
export interface ViewerPair {
  /** Value of the pair's voxels in the contact layer (1-based position in `pairs`). */
  value: number;
  /** The two label codes, ascending. */
  labels: [number, number];
  names: [string, string];
  /** Row of each label in the prior's matrix (the heatmap), −1 for a label the prior does not know. */
  priorRows: [number, number];
  /** Unordered neighbour voxel pairs with one label each. */
  contacts: number;
  /** Distinct voxels of each label that take part in these contacts. */
  voxels: [number, number];
  /** Voxels showing this pair in the contact layer (fewer than `voxels[0] + voxels[1]` where pairs overlap). */
  shownVoxels: number;
  /** Mean voxel coordinates `[i, j, k]` of the contact zone, on the segmentation's grid. */
  centroidVoxel: [number, number, number];
  /** The same point in RAS+ millimetres. */
  centroidMm: [number, number, number];
  boundingBox: VoxelBox;
}

/** The prior as the heatmap needs it. */
export interface ViewerPrior {
  /** File name as given (shown, never opened by the page). */
  file: string;
  numLabels: number;
  /** `labels[i]` = label code of row `i`. */
  labels: number[];
  /** `names[i]` = display name of row `i`. */
  names: string[];
  /** `L × L` row-major ordered neighbour-pair counts. */
  counts: number[];
  connectivity: Connectivity;
  radius: number;
  /** Forbidden unordered pairs {i, j}, i < j. */
  forbiddenUnorderedPairs: number;
}

/** A volume's file name and geometry. */
export interface ViewerGrid {
  /** File name as given (shown, never opened by the page). */
  file: string;
  /** `[nx, ny, nz]` in voxels. */
  dims: [number, number, number];
  /** Voxel size in millimetres. */
  spacingMm: [number, number, number];
  /** Voxel → RAS+ mm, row-major 4×4 as 16 numbers (the page maps the cursor back to voxel indices with it). */
  affine: number[];
}

/** The check as the page shows it. */
export interface ViewerCheck {
  forbiddenPairs: number;
  forbiddenContacts: number;
  /** Most contacts first (the order of `checkSegmentation`). */
  pairs: ViewerPair[];
  unknownLabels: UnknownLabel[];
  absentLabels: number[];
  connectivity: Connectivity;
  radius: number;
}

/**
 * Everything the page shows besides the voxels: served as `/data/report.json` or embedded in a static page.
 * Plain JSON (no typed arrays).
 */
export interface ViewerReport {
  format: 'nonadj-viewer';
  version: 1;
  /** Tool and version that made it, e.g. `nonadj 0.1.0`. */
  tool: string | null;
  image: ViewerGrid;
  /** Null without a segmentation. */
  segmentation: (ViewerGrid & { labels: ViewerLabel[] }) | null;
  /** Null without a prior. */
  prior: ViewerPrior | null;
  /** Null unless both a segmentation and a prior were given. */
  check: ViewerCheck | null;
}

/** Input of {@link makeViewerReport}. */
export interface MakeViewerReportInput {
  image: { file: string; volume: Volume };
  segmentation?: { file: string; volume: Volume };
  prior?: { file: string; prior: AdjacencyPrior };
  /** `checkSegmentation(segmentation, prior)`; required when both are given. */
  check?: CheckSegmentationResult;
  /** `shownVoxels` of `contactOverlay(segmentation, check)`; default `voxels[0] + voxels[1]` of each pair. */
  shownVoxels?: readonly number[];
  /** Label code → name and optional colour (e.g. `parseLabelNames(...).entries`). Names here win over the prior's. */
  labels?: ReadonlyMap<number, { name: string; rgb?: [number, number, number] }>;
  /** Label code → colour (e.g. `parseMricronLut(...)`), used where `labels` gives none. */
  colours?: ReadonlyMap<number, [number, number, number]>;
  tool?: string;
}

/**
 * Turn a check, its prior and the label names into the page's model: the label table of the segmentation
 * (code, name, colour, voxel count), the rows of the forbidden-pair table and the heatmap's matrix.
 *
 * @throws Error when a segmentation and a prior are given without their check, or the check's pairs and
 *   `shownVoxels` differ in length.
 */
export function makeViewerReport(input: MakeViewerReportInput): ViewerReport {
  const { image, segmentation, prior, check } = input;
  if (segmentation && prior && !check) throw new Error('makeViewerReport: a segmentation and a prior were given without their check');
  if (check && input.shownVoxels && input.shownVoxels.length !== check.pairs.length) {
    throw new Error(`makeViewerReport: shownVoxels has ${input.shownVoxels.length} entries for ${check.pairs.length} pairs`);
  }
  const p = prior?.prior;
  const nameOf = (code: number): string => {
    const named = input.labels?.get(code)?.name;
    if (named) return named;
    const row = p ? p.indexOfLabel(code) : -1;
    return (row >= 0 ? p!.names[row] : null) ?? `label ${code}`;
  };
  const colourOf = (code: number): [number, number, number] => input.labels?.get(code)?.rgb ?? input.colours?.get(code) ?? paletteColour(code);

  let segmentationReport: ViewerReport['segmentation'] = null;
  if (segmentation) {
    const counts = new Map<number, number>();
    const data = segmentation.volume.data;
    const n = segmentation.volume.dims[0] * segmentation.volume.dims[1] * segmentation.volume.dims[2];
    // Runs of one value are the norm in label maps: count them without a map lookup per voxel.
    let prev = NaN;
    let run = 0;
    for (let v = 0; v < n; v++) {
      const l = data[v];
      if (l === prev) {
        run++;
        continue;
      }
      if (run > 0) counts.set(prev, (counts.get(prev) ?? 0) + run);
      prev = l;
      run = 1;
    }
    if (run > 0) counts.set(prev, (counts.get(prev) ?? 0) + run);
    segmentationReport = {
      ...grid(segmentation),
      labels: [...counts.keys()]
        .filter((code) => code >= 0)
        .sort((a, b) => a - b)
        .map((code) => ({ code, name: nameOf(code), rgb: colourOf(code), voxels: counts.get(code)! })),
    };
  }

  let priorReport: ViewerPrior | null = null;
  if (p) {
    priorReport = {
      file: prior!.file,
      numLabels: p.numLabels,
      labels: [...p.labels],
      names: p.labels.map((code) => nameOf(code)),
      counts: Array.from(p.counts),
      connectivity: p.connectivity,
      radius: p.radius,
      forbiddenUnorderedPairs: p.forbiddenUnorderedPairs,
    };
  }

  let checkReport: ViewerCheck | null = null;
  if (check) {
    checkReport = {
      forbiddenPairs: check.forbiddenPairs,
      forbiddenContacts: check.forbiddenContacts,
      pairs: check.pairs.map((pair, i) => ({
        value: i + 1,
        labels: [...pair.labels],
        names: [nameOf(pair.labels[0]), nameOf(pair.labels[1])],
        priorRows: [p ? p.indexOfLabel(pair.labels[0]) : -1, p ? p.indexOfLabel(pair.labels[1]) : -1],
        contacts: pair.contacts,
        voxels: [...pair.voxels],
        shownVoxels: input.shownVoxels?.[i] ?? pair.voxels[0] + pair.voxels[1],
        centroidVoxel: [...pair.centroidVoxel],
        centroidMm: [...pair.centroidMm],
        boundingBox: { min: [...pair.boundingBox.min], max: [...pair.boundingBox.max] },
      })),
      unknownLabels: check.unknownLabels.map((u) => ({ ...u, name: nameOf(u.label) })),
      absentLabels: [...check.absentLabels],
      connectivity: check.connectivity,
      radius: check.radius,
    };
  }

  return {
    format: 'nonadj-viewer',
    version: 1,
    tool: input.tool ?? null,
    image: grid(image),
    segmentation: segmentationReport,
    prior: priorReport,
    check: checkReport,
  };
}

function grid({ file, volume }: { file: string; volume: Volume }): ViewerGrid {
  return { file, dims: [...volume.dims], spacingMm: [...volume.spacingMm], affine: Array.from(volume.affine) };
}

/**
 * A colour for a label without one: hues a golden angle apart (neighbouring codes far apart on the wheel), fairly
 * saturated and bright so they read on a grey T1.
 */
function paletteColour(code: number): [number, number, number] {
  const h = (((code * 137.508) % 360) + 360) % 360;
  const s = 0.7;
  const v = 0.95;
  const c = v * s;
  const x = c * (1 - Math.abs(((h / 60) % 2) - 1));
  const m = v - c;
  const [r, g, b] = h < 60 ? [c, x, 0] : h < 120 ? [x, c, 0] : h < 180 ? [0, c, x] : h < 240 ? [0, x, c] : h < 300 ? [x, 0, c] : [c, 0, x];
  return [Math.round((r + m) * 255), Math.round((g + m) * 255), Math.round((b + m) * 255)];
}
