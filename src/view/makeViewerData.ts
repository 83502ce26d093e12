import { gzipSync } from 'node:zlib';
import { checkSegmentation } from '../metric/checkSegmentation.js';
import type { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import type { LabelEntry } from '../prior/parseLabelNames.js';
import type { Volume } from '../volume/Volume.js';
import { writeNifti } from '../volume/writeNifti.js';
import { contactOverlay } from './contactOverlay.js';
import { makeViewerReport, type ViewerReport } from './makeViewerReport.js';

/** A volume for the page: the parsed volume, its display name and, when it came from a file, the file's bytes. */
export interface ViewerVolumeInput {
  /** Name shown on the page (e.g. the path given on the command line). */
  file: string;
  volume: Volume;
  /**
   * The NIfTI file as read from disk (`.nii` or `.nii.gz`). When given it is sent to the page unchanged (gzipped
   * if it was not), so the page sees exactly the file; otherwise `volume` is written as NIfTI-1.
   */
  bytes?: Uint8Array;
}

/** Input of {@link makeViewerData}. */
export interface ViewerInput {
  /** The background image (T1 or any scalar volume). */
  image: ViewerVolumeInput;
  /** A 3D label map to overlay. */
  segmentation?: ViewerVolumeInput;
  /** The adjacency prior: the heatmap, and with a segmentation the check and its contact layer. */
  prior?: { file: string; prior: AdjacencyPrior };
  /** Label code → name and optional colour (`parseLabelNames(...).entries`); these names win over the prior's. */
  labels?: ReadonlyMap<number, LabelEntry>;
  /** Label code → colour (`parseMricronLut(...)`), used where `labels` gives none. */
  colours?: ReadonlyMap<number, [number, number, number]>;
  /** Tool and version recorded in the report. */
  tool?: string;
}

/** What a page needs: its model and the gzip-compressed NIfTI files it loads. */
export interface ViewerData {
  report: ViewerReport;
  volumes: {
    /** `image.nii.gz`. */
    image: Uint8Array;
    /** `seg.nii.gz`, null without a segmentation. */
    segmentation: Uint8Array | null;
    /** `contacts.nii.gz` (see `contactOverlay`), null without both a segmentation and a prior. */
    contacts: Uint8Array | null;
  };
}

/**
 * Everything `nonadj view` shows, computed in memory: checks the segmentation against the prior, builds the
 * contact layer and the page's model, and encodes the three volumes. Used by the `view` command and by
 * {@link renderViewerHtml} callers that hold volumes in memory (e.g. a report of a training run).
 *
 * @throws every error of `checkSegmentation` (a 4D or non-integer segmentation), and of `writeNifti`.
 */
export function makeViewerData(input: ViewerInput): ViewerData {
  const { segmentation, prior } = input;
  const names = input.labels ? new Map([...input.labels].map(([code, entry]) => [code, entry.name])) : undefined;
  const check = segmentation && prior ? checkSegmentation(segmentation.volume, prior.prior, { names, source: segmentation.file }) : undefined;
  const overlay = segmentation && check ? contactOverlay(segmentation.volume, check) : undefined;
  const report = makeViewerReport({
    image: input.image,
    segmentation,
    prior,
    check,
    shownVoxels: overlay?.shownVoxels,
    labels: input.labels,
    colours: input.colours,
    tool: input.tool,
  });
  return {
    report,
    volumes: {
      image: niftiGz(input.image, 'image'),
      segmentation: segmentation ? niftiGz(segmentation, 'labels') : null,
      contacts: overlay ? writeNifti(overlay.volume, { kind: 'labels', gzip: true, description: 'nonadj forbidden contacts' }) : null,
    },
  };
}

function niftiGz(input: ViewerVolumeInput, kind: 'image' | 'labels'): Uint8Array {
  if (!input.bytes) return writeNifti(input.volume, { kind, gzip: true });
  if (input.bytes[0] === 0x1f && input.bytes[1] === 0x8b) return input.bytes;
  const zipped = gzipSync(input.bytes, { level: 4 });
  return new Uint8Array(zipped.buffer, zipped.byteOffset, zipped.byteLength);
}
