import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** The page's script and stylesheet, as built by `npm run build:viewer` (esbuild bundle of `viewer/`, NiiVue included). */
export interface ViewerAssets {
  /** `viewer-dist/viewer.js`: one self-contained script (IIFE), no imports, no network access. */
  js: string;
  /** `viewer-dist/viewer.css`. */
  css: string;
}

/** The folder the package ships the built page in (`viewer-dist/` at the package root, beside `dist/` and `src/`). */
export const VIEWER_DIST = fileURLToPath(new URL('../../viewer-dist/', import.meta.url));

/**
 * Read the built page assets from {@link VIEWER_DIST}.
 *
 * @throws Error saying to run `npm run build:viewer` when they are missing.
 */
export async function readViewerAssets(): Promise<ViewerAssets> {
  try {
    const [js, css] = await Promise.all([readFile(`${VIEWER_DIST}viewer.js`, 'utf8'), readFile(`${VIEWER_DIST}viewer.css`, 'utf8')]);
    return { js, css };
  } catch (error) {
    throw new Error(`the viewer page is not built (${VIEWER_DIST}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); run \`npm run build:viewer\``, {
      cause: error,
    });
  }
}
