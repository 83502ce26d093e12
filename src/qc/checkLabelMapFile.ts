import { checkSegmentation, type CheckSegmentationResult } from '../metric/checkSegmentation.js';
import type { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import { assertPlausibleLabelMap } from '../prior/assertPlausibleLabelMap.js';
import type { Connectivity } from '../prior/neighbourhood.js';
import { readNiftiFile } from '../volume/niftiFile.js';
import { contactThumbnail, type ContactThumbnail } from './contactThumbnail.js';

/** Options of {@link checkLabelMapFile}, the same for every case of a run. */
export interface CheckLabelMapFileOptions {
  /** Neighbourhood; default: the prior's. */
  connectivity?: Connectivity;
  /** Chebyshev radius in voxels; default: the prior's. */
  radius?: number;
  /** Names of codes the prior does not know (`--names`). */
  names?: ReadonlyMap<number, string>;
  /** Accept float and image-like maps (`--allow-float-labels`, see `assertPlausibleLabelMap`). @default false */
  allowFloatLabels?: boolean;
  /** Draw the worst contact of a flagged case (`contactThumbnail`), for the QC report. @default false */
  thumbnail?: boolean;
}

/** Result of {@link checkLabelMapFile}. */
export interface CheckLabelMapFileResult {
  result: CheckSegmentationResult;
  /** The worst contact's picture, when asked for and the case has a forbidden pair; else null. */
  thumbnail: ContactThumbnail | null;
}

/**
 * Check one label map file against a prior: read it (3D NIfTI), refuse what is not plausibly a label map, run
 * `checkSegmentation` and, if asked, draw the worst contact. The volume is dropped when this returns, so a loop over
 * cases holds one volume at a time.
 *
 * @throws Error naming `file` when it cannot be read, is 4D, is not plausibly a label map or holds invalid labels.
 */
export async function checkLabelMapFile(file: string, prior: AdjacencyPrior, options: CheckLabelMapFileOptions = {}): Promise<CheckLabelMapFileResult> {
  const volume = await readNiftiFile(file, { expect: '3d' });
  assertPlausibleLabelMap(volume, { allowFloatLabels: options.allowFloatLabels, source: file });
  const result = checkSegmentation(volume, prior, { connectivity: options.connectivity, radius: options.radius, names: options.names, source: file });
  return { result, thumbnail: options.thumbnail ? contactThumbnail(volume, result) : null };
}
