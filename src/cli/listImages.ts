import { describeSkipped, findImages } from '../qc/findImages.js';

/** One image to segment and the input (file or folder) it came from. */
export interface ListedImage {
  file: string;
  input: string;
}

/**
 * The images of `segment` / `adapt` inputs (`findImages`: a folder's label maps, masks and 4D volumes are left out, a
 * BIDS dataset gives its T1w images), with one stderr line, unless `quiet`, saying how many volumes were skipped and
 * why: `segment: 2 of 5 volumes skipped (2 a label map or mask by its name (…))`.
 *
 * @throws Error (from `findImages`) naming an input that does not exist or holds no image.
 */
export async function listImages(inputs: readonly string[], options: { tool: string; quiet?: boolean }): Promise<ListedImage[]> {
  const images: ListedImage[] = [];
  const skipped = [];
  for (const input of inputs) {
    const found = await findImages([input]);
    images.push(...found.files.map((file) => ({ file, input })));
    skipped.push(...found.skipped);
  }
  if (skipped.length > 0 && !options.quiet) {
    process.stderr.write(`${options.tool}: ${skipped.length} of ${skipped.length + images.length} volumes skipped (${describeSkipped(skipped)})\n`);
  }
  return images;
}
