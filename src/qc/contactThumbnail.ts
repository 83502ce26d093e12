import type { CheckSegmentationResult } from '../metric/checkSegmentation.js';
import type { Volume } from '../volume/Volume.js';
import { contactOverlay } from '../view/contactOverlay.js';
import { renderSlicePng } from '../view/renderSlicePng.js';

/** Options of {@link contactThumbnail}. */
export interface ContactThumbnailOptions {
  /** Side of the square window around the contact, in voxels (clipped to the grid). @default 96 */
  windowVoxels?: number;
  /** Pixels per voxel. @default 2 */
  scale?: number;
}

/** A picture of a case's worst forbidden contact. */
export interface ContactThumbnail {
  /** The pair drawn (codes, ascending): `check.pairs[0]`, the one with most contacts. */
  labels: [number, number];
  /** The coronal slice drawn: voxel index j (NIfTI order; x across, z up). */
  sliceJ: number;
  /** The window shown, in voxel indices (inclusive): x `[i0, i1]`, z `[k0, k1]`. */
  window: { i: [number, number]; k: [number, number] };
  /** Contact voxels of the pair on that slice. */
  contactVoxels: number;
  /** PNG data URL: the labels in colour, the pair's contact voxels in red, superior up. */
  png: string;
}

/**
 * The thumbnail of the QC report for one flagged case: the coronal slice (x across, z up) through the worst pair's
 * contact zone, chosen as the slice j within its bounding box that holds the most of its contact voxels, cropped to
 * a window centred on the pair's centroid, with the labels in colour and the contact voxels (`contactOverlay` of
 * that pair alone) in red.
 *
 * @param segmentation - the 3D label map that was checked (x fastest).
 * @param check - its `checkSegmentation` result; null is returned when it has no forbidden pair.
 */
export function contactThumbnail(
  segmentation: Volume,
  check: Pick<CheckSegmentationResult, 'pairs' | 'connectivity' | 'radius'>,
  options: ContactThumbnailOptions = {},
): ContactThumbnail | null {
  const worst = check.pairs[0];
  if (!worst) return null;
  const [nx, ny, nz] = segmentation.dims;
  const overlay = contactOverlay(segmentation, { pairs: [worst], connectivity: check.connectivity, radius: check.radius }).volume.data;
  const { min, max } = worst.boundingBox;
  let sliceJ = Math.round(worst.centroidVoxel[1]);
  let best = -1;
  for (let j = min[1]; j <= max[1]; j++) {
    let n = 0;
    for (let k = min[2]; k <= max[2]; k++) for (let i = min[0]; i <= max[0]; i++) if (overlay[i + nx * (j + ny * k)] > 0) n++;
    if (n > best) [best, sliceJ] = [n, j];
  }
  const side = options.windowVoxels ?? 96;
  const span = (centre: number, n: number): [number, number] => {
    const w = Math.min(side, n);
    const lo = Math.max(0, Math.min(n - w, Math.round(centre - w / 2)));
    return [lo, lo + w - 1];
  };
  const wi = span(worst.centroidVoxel[0], nx);
  const wk = span(worst.centroidVoxel[2], nz);
  const width = wi[1] - wi[0] + 1;
  const height = wk[1] - wk[0] + 1;
  const labels = new Float64Array(width * height);
  const contact = new Uint8Array(width * height);
  for (let k = wk[0]; k <= wk[1]; k++) {
    for (let i = wi[0]; i <= wi[1]; i++) {
      const v = i + nx * (sliceJ + ny * k);
      const p = i - wi[0] + width * (wk[1] - k);
      labels[p] = Number(segmentation.data[v]);
      contact[p] = overlay[v] > 0 ? 1 : 0;
    }
  }
  const png = renderSlicePng({ width, height, labels, contact }, { scale: options.scale ?? 2 });
  return { labels: worst.labels, sliceJ, window: { i: wi, k: wk }, contactVoxels: Math.max(best, 0), png };
}
