import { PNG } from 'pngjs';
import { labelRgb } from './labelRgb.js';

/** One 2D slice to draw, row-major with row 0 at the top of the picture (`width × height` values per layer). */
export interface SliceLayers {
  width: number;
  height: number;
  /** Grey level of each pixel, 0…255 (the image); all 0 (black) when omitted. */
  grey?: ArrayLike<number>;
  /** Label code of each pixel (0 = none): blended over the grey as 45 % grey + 55 % `labelRgb(code)`. */
  labels?: ArrayLike<number>;
  /** Pixels > 0 are forbidden contacts: drawn red (30 % of the colour below + 178 red). */
  contact?: ArrayLike<number>;
}

/** Options of {@link renderSlicePng}. */
export interface RenderSlicePngOptions {
  /** Each voxel becomes `scale × scale` pixels (nearest neighbour). @default 3 */
  scale?: number;
}

/**
 * A slice with its labels and forbidden contacts as a PNG data URL (`data:image/png;base64,…`), the pictures of the
 * static pages (the demo's coronal slices, the QC report's thumbnails): no script, no network, the same layers give
 * the same bytes.
 */
export function renderSlicePng(layers: SliceLayers, options: RenderSlicePngOptions = {}): string {
  const { width, height, grey, labels, contact } = layers;
  const S = options.scale ?? 3;
  const png = new PNG({ width: width * S, height: height * S });
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      const p = col + width * row;
      const g = grey ? grey[p] : 0;
      let rgb: [number, number, number] = [g, g, g];
      const label = labels ? Number(labels[p]) : 0;
      if (label > 0) {
        const c = labelRgb(label);
        rgb = [0.45 * g + 0.55 * c[0], 0.45 * g + 0.55 * c[1], 0.45 * g + 0.55 * c[2]];
      }
      if (contact && Number(contact[p]) > 0) rgb = [0.3 * rgb[0] + 178, 0.3 * rgb[1], 0.3 * rgb[2]];
      for (let dy = 0; dy < S; dy++) for (let dx = 0; dx < S; dx++) {
        const o = 4 * (row * S * width * S + dy * width * S + col * S + dx);
        png.data[o] = rgb[0];
        png.data[o + 1] = rgb[1];
        png.data[o + 2] = rgb[2];
        png.data[o + 3] = 255;
      }
    }
  }
  return `data:image/png;base64,${PNG.sync.write(png).toString('base64')}`;
}
