import { PNG } from 'pngjs';
import type { AdjacencyPrior } from './AdjacencyPrior.js';

/**
 * The binarised prior as an `L × L`-pixel greyscale PNG (the reference's `graph.png`): pixel (x = j, y = i) is
 * white (255) when labels i and j may touch (count > 0) and black (0) otherwise. Row 0 is the top row.
 *
 * @returns PNG file bytes.
 */
export function encodeGraphPng(prior: AdjacencyPrior): Uint8Array {
  const L = prior.numLabels;
  const png = new PNG({ width: L, height: L, colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 });
  // pngjs takes one byte per pixel for greyscale input without alpha.
  png.data = Buffer.from(Uint8Array.from(prior.counts, (c) => (c > 0 ? 255 : 0)));
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false });
}
