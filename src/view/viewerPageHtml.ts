/** Options of {@link viewerPageHtml}. */
export interface ViewerPageHtmlOptions {
  /** Page title. */
  title: string;
  /** `'served'`: the page loads `/assets/*` and `/data/*` from the server; `'static'`: everything is inline. */
  source: 'served' | 'static';
  /** Markup inserted at the end of `<head>` (stylesheet link or inline style, CSP meta). */
  head: string;
  /** Markup inserted at the end of `<body>` (embedded data, then the script). */
  tail: string;
}

/**
 * The page of `nonadj view` around its script: the layout the script fills (the NiiVue canvas, the location line,
 * the table of forbidden pairs, the heatmap). The script finds its data through `<body data-source>`.
 */
export function viewerPageHtml(options: ViewerPageHtmlOptions): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title>
<link rel="icon" href="data:,">
${options.head}
</head>
<body data-source="${options.source}">
<header>
  <h1>nonadj view</h1>
  <p id="files"></p>
  <p id="summary" role="status"></p>
</header>
<main>
  <section id="viewer" aria-label="Image viewer">
    <div id="toolbar">
      <label>View <select id="layout">
        <option value="multiplanar" selected>3 planes + 3D</option>
        <option value="axial">Axial</option>
        <option value="coronal">Coronal</option>
        <option value="sagittal">Sagittal</option>
        <option value="render">3D</option>
      </select></label>
      <label><input type="checkbox" id="show-seg" checked> segmentation</label>
      <label>opacity <input type="range" id="seg-opacity" min="0" max="100" value="45"></label>
      <label><input type="checkbox" id="show-contacts" checked> forbidden contacts</label>
      <label>zoom on a pair <select id="zoom">
        <option value="1">1×</option>
        <option value="2">2×</option>
        <option value="3" selected>3×</option>
        <option value="5">5×</option>
      </select></label>
    </div>
    <div id="canvas-box"><canvas id="gl"></canvas></div>
    <p id="hover" class="readout" aria-live="off">&nbsp;</p>
    <p id="location" class="readout">&nbsp;</p>
  </section>
  <aside>
    <section id="pairs-section">
      <h2>Forbidden contacts</h2>
      <p id="pairs-note" class="note"></p>
      <div id="pairs-box"><table id="pairs">
        <thead><tr><th scope="col">#</th><th scope="col">Structure</th><th scope="col">Structure</th><th scope="col" class="num">Contacts</th></tr></thead>
        <tbody></tbody>
      </table></div>
    </section>
    <section id="heatmap-section">
      <h2>Prior adjacency</h2>
      <p id="heatmap-note" class="note"></p>
      <div id="heatmap-box"><canvas id="heatmap" width="1" height="1"></canvas><div id="heatmap-tip" hidden></div></div>
      <p id="heatmap-legend" class="note"></p>
    </section>
  </aside>
</main>
<p id="status" role="status">Loading…</p>
<noscript><p>This page needs JavaScript and WebGL2.</p></noscript>
${options.tail}
</body>
</html>
`;
}

/** Escape text for HTML element content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
