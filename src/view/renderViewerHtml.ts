import type { ViewerData } from './makeViewerData.js';
import { readViewerAssets, type ViewerAssets } from './readViewerAssets.js';
import { escapeHtml, viewerPageHtml } from './viewerPageHtml.js';

/** Options of {@link renderViewerHtml}. */
export interface RenderViewerHtmlOptions {
  /** Page title; default `nonadj view: <image file>`. */
  title?: string;
  /** The built page assets; default read from the package (`readViewerAssets()`). */
  assets?: ViewerAssets;
}

/**
 * Content-Security-Policy of the static page: inline script and style only, data and blob URLs for the embedded
 * volumes, and no network at all, so the file behaves the same offline and cannot leak anything when shared.
 */
export const STATIC_PAGE_CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; connect-src data: blob:; base-uri 'none'; form-action 'none'";

/**
 * The `nonadj view` page as one self-contained HTML file: the script (NiiVue included), the stylesheet, the
 * report and the three volumes (base64 gzipped NIfTI) are all embedded. It opens from disk with no server and no
 * network (its CSP forbids any); reports can embed or link it.
 *
 * Size: the script is about 0.9 MB, plus 4/3 of the gzipped volumes (about 5 MB for a 1 mm T1 with AAL).
 *
 * @param data - from `makeViewerData` (volumes in memory) or `loadViewerData` (files).
 * @throws Error when the assets are not given and the package's page is not built.
 * @example
 * await writeFile('view.html', await renderViewerHtml(await loadViewerData({ image: 't1.nii.gz', segmentation: 'seg.nii.gz', prior: 'graph.json' })));
 */
export async function renderViewerHtml(data: ViewerData, options: RenderViewerHtmlOptions = {}): Promise<string> {
  const assets = options.assets ?? (await readViewerAssets());
  const volumes: Array<[string, Uint8Array | null]> = [
    ['image', data.volumes.image],
    ['segmentation', data.volumes.segmentation],
    ['contacts', data.volumes.contacts],
  ];
  const embedded = volumes
    .filter((entry): entry is [string, Uint8Array] => entry[1] !== null)
    .map(([name, bytes]) => `<script type="application/gzip;base64" id="nonadj-volume-${name}">${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}</script>`);
  return viewerPageHtml({
    title: options.title ?? `nonadj view: ${data.report.image.file}`,
    source: 'static',
    head: `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(STATIC_PAGE_CSP)}">\n<style>\n${assets.css}\n</style>`,
    tail: [
      // In JSON, "<" occurs only inside strings, where \u003c means the same: no "</script" or "<!--" can remain.
      `<script type="application/json" id="nonadj-report">${JSON.stringify(data.report).replace(/</g, '\\u003c')}</script>`,
      ...embedded,
      `<script>\n${inlineScriptText(assets.js)}\n</script>`,
    ].join('\n'),
  });
}

/**
 * Make script text safe inside an inline `<script>`: the HTML parser ends a script at `</script` and treats `<!--`
 * specially, whatever the JavaScript means. `\/` and `\x21` stand for `/` and `!` alike in JS strings, templates
 * and regular expressions (unicode mode included).
 */
function inlineScriptText(text: string): string {
  return text.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\x21--');
}
