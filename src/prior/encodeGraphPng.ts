import { createRequire } from 'node:module';
import type { PackerOptions } from 'pngjs';
import type { AdjacencyPrior } from './AdjacencyPrior.js';

/**
 * pngjs's synchronous encoder on its own (what `PNG.sync.write` calls, so the bytes are the same): `import 'pngjs'`
 * loads its 22 modules (stream decoder, parser, async packer) for a 117 × 117 picture, 17 ms against 7 for this
 * one's 6 (fresh processes, machine under load). `require` rather than `import` spares Node's CommonJS export scan.
 */
type PackSync = (png: { width: number; height: number; data: Buffer; gamma?: number }, options: PackerOptions) => Buffer;
const packSync = createRequire(import.meta.url)('pngjs/lib/packer-sync.js') as PackSync;

/**
 * The binarised prior as an `L × L`-pixel greyscale PNG (the reference's `graph.png`): pixel (x = j, y = i) is
 * white (255) when labels i and j may touch (count > 0) and black (0) otherwise. Row 0 is the top row.
 *
 * @returns PNG file bytes.
 */
export function encodeGraphPng(prior: AdjacencyPrior): Uint8Array {
  const L = prior.numLabels;
  // pngjs takes one byte per pixel for greyscale input without alpha.
  const data = Buffer.from(Uint8Array.from(prior.counts, (c) => (c > 0 ? 255 : 0)));
  return packSync({ width: L, height: L, data }, { colorType: 0, inputColorType: 0, inputHasAlpha: false });
}
