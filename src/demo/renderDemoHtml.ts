import { PNG } from 'pngjs';
import { checkSegmentation } from '../metric/checkSegmentation.js';
import type { Volume } from '../volume/Volume.js';
import { contactOverlay } from '../view/contactOverlay.js';
import type { DemoReport, SliceInput } from './runDemo.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const f = (x: number | null | undefined, d = 3) => (x === null || x === undefined || Number.isNaN(x) ? '–' : x.toFixed(d));
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/**
 * `report.html` of a demo: one self-contained page (inline SVG plots drawn here, PNG slices as data URLs, no
 * script, no network): the results table, Dice against forbidden contacts per run, training curves with λ, one
 * coronal slice of a test subject per run with its forbidden contacts in red, and the prior's adjacency matrix.
 *
 * @param slices - the subject to draw (null: the section is left out and says why).
 */
export function renderDemoHtml(r: DemoReport, slices: SliceInput | null): string {
  const body: string[] = [];
  body.push(`<h1>NonAdjLoss demo (${esc(r.mode)})</h1>`);
  body.push(
    `<p>${r.atlas === 'aal' ? 'Colin27 T1 + AAL' : 'INIA19 + NeuroMaps'}, labels <code>${esc(r.labels)}</code> (${r.prior.numLabels} incl. background), grid ${r.grid.dims.join('×')} at ${r.grid.spacingMm.join('×')} mm; ` +
      `unseen domain: ${esc(r.unseenContrast)}. Baseline (${r.baseline.source}): ${esc(r.baseline.note)}. ` +
      `λ heuristic ${r.heuristicLambda.toPrecision(4)}; fine-tunes: ${r.plan.fineTune.epochs} epochs × ${r.plan.fineTune.steps} steps, batch ${r.plan.fineTune.batchSize}, Adam at ${r.plan.fineTune.lr}.</p>`,
  );
  body.push('<h2>Results</h2>', resultsTable(r));
  body.push('<h2>Dice against forbidden contacts</h2>', '<div class="row">', scatter(r, 'test'), scatter(r, 'unseen-test'), '</div>');
  body.push('<h2>Training curves</h2>', '<div class="row">', curves(r, 'dice'), curves(r, 'lambda'), '</div>');
  body.push('<h2>Coronal slices</h2>');
  body.push(slices ? sliceGrid(slices) : '<p>No labelled test subject.</p>');
  body.push(
    '<h2>The prior</h2>',
    `<p>${r.prior.numLabels}×${r.prior.numLabels} adjacency (white = the pair touches in some training label map, black = forbidden: ${r.prior.forbiddenUnorderedPairs} unordered pairs).</p>`,
    priorImage(r),
  );
  body.push('<h2>Commands</h2><ul>', ...r.runs.map((run) => `<li><b>${esc(run.name)}</b>: <code>${esc(run.command)}</code></li>`), '</ul>');
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">`,
    `<title>nonadj demo (${esc(r.mode)})</title>`,
    '<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:1300px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}th{background:#f3f3f3}td:first-child{text-align:left}.row{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0 .5em .5em 0;display:inline-block;text-align:center}figcaption{font-size:12px}img.px{image-rendering:pixelated}code{font-size:12px}</style>',
    '</head><body>',
    ...body,
    '</body></html>\n',
  ].join('\n');
}

function resultsTable(r: DemoReport): string {
  const head = ['run', 'λ', 'steps', 'Dice', 'HD95 mm', 'pairs', 'contacts', 'collapsed', 'Dice (unseen)', 'HD95 (unseen)', 'pairs (unseen)', 'contacts (unseen)', 'collapsed (unseen)'];
  const rows = r.runs.map((run) => {
    const t = run.domains.test, u = run.domains['unseen-test'];
    const lam = run.lambda === null ? '–' : run.lambda === 'auto' ? 'auto' : run.lambda === 0 ? '0' : run.lambda.toPrecision(3);
    return `<tr><td>${esc(run.name)}</td><td>${lam}</td><td>${run.steps ?? '–'}</td>` +
      [t?.meanDice, t?.meanHausdorff95Mm, t?.forbiddenPairs, t?.forbiddenContacts, t?.collapsed, u?.meanDice, u?.meanHausdorff95Mm, u?.forbiddenPairs, u?.forbiddenContacts, u?.collapsed]
        .map((x, i) => `<td>${f(x, [0, 5].includes(i) ? 3 : [3, 8].includes(i) ? 0 : 1)}</td>`).join('') + '</tr>';
  });
  return `<table><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr>${rows.join('')}</table><p>Means over the test subjects of each domain; pairs = forbidden unordered label pairs, contacts = forbidden neighbour voxel pairs (26-neighbourhood), collapsed = structures below half their true volume.</p>`;
}

/** Scatter of mean Dice (y) against forbidden contacts (x, log10(1 + x)) per run. */
function scatter(r: DemoReport, set: 'test' | 'unseen-test'): string {
  const W = 420, H = 300, m = { l: 50, r: 10, t: 20, b: 40 };
  const pts = r.runs.map((run, i) => ({ name: run.name, color: PALETTE[i % PALETTE.length], d: run.domains[set] })).filter((p) => p.d !== null);
  const xs = pts.map((p) => Math.log10(1 + p.d!.forbiddenContacts));
  const ys = pts.map((p) => p.d!.meanDice);
  const x1 = Math.max(1, ...xs) * 1.05, y1 = Math.min(1, Math.max(0.05, ...ys) * 1.1);
  const X = (x: number) => m.l + (x / x1) * (W - m.l - m.r);
  const Y = (y: number) => H - m.b - (y / y1) * (H - m.t - m.b);
  const ticks = Array.from({ length: Math.floor(x1) + 1 }, (_, k) => k);
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-size="11">`,
    `<text x="${W / 2}" y="12" text-anchor="middle" font-weight="bold">${set === 'test' ? 'test (training contrast)' : 'unseen contrast'}</text>`,
    `<line x1="${m.l}" y1="${H - m.b}" x2="${W - m.r}" y2="${H - m.b}" stroke="#000"/><line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${H - m.b}" stroke="#000"/>`,
    ...ticks.map((k) => `<text x="${X(k)}" y="${H - m.b + 14}" text-anchor="middle">${k === 0 ? '0' : `1e${k}`}</text>`),
    ...[0, 0.25, 0.5, 0.75, 1].map((t) => t * y1).map((y) => `<text x="${m.l - 4}" y="${Y(y) + 4}" text-anchor="end">${y.toFixed(2)}</text>`),
    `<text x="${(W + m.l) / 2}" y="${H - 6}" text-anchor="middle">forbidden contacts per subject (log scale, 1 + x)</text>`,
    `<text transform="translate(12 ${(H - m.b + m.t) / 2}) rotate(-90)" text-anchor="middle">mean Dice</text>`,
    ...pts.map((p, i) => `<circle cx="${X(xs[i])}" cy="${Y(ys[i])}" r="5" fill="${p.color}"><title>${esc(p.name)}: Dice ${ys[i].toFixed(3)}, ${p.d!.forbiddenContacts.toFixed(0)} contacts</title></circle><text x="${X(xs[i]) + 7}" y="${Y(ys[i]) - 5}" fill="${p.color}">${esc(p.name)}</text>`),
    '</svg>',
  ];
  return svg.join('');
}

/** Validation Dice or λ per epoch, one line per run with a log. */
function curves(r: DemoReport, what: 'dice' | 'lambda'): string {
  const W = 420, H = 300, m = { l: 60, r: 110, t: 20, b: 40 };
  const series = r.runs.map((run, i) => ({
    name: run.name,
    color: PALETTE[i % PALETTE.length],
    pts: run.log.map((e) => [e.epoch + 1, what === 'dice' ? e.validation?.meanDice ?? NaN : e.lambda] as [number, number]).filter(([, y]) => Number.isFinite(y)),
  })).filter((s) => s.pts.length > 0);
  const all = series.flatMap((s) => s.pts);
  const x1 = Math.max(2, ...all.map(([x]) => x));
  const y1 = Math.max(what === 'dice' ? 0.05 : 1e-9, ...all.map(([, y]) => y)) * 1.1;
  const X = (x: number) => m.l + ((x - 1) / (x1 - 1)) * (W - m.l - m.r);
  const Y = (y: number) => H - m.b - (y / y1) * (H - m.t - m.b);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-size="11">`,
    `<text x="${(W - m.r + m.l) / 2}" y="12" text-anchor="middle" font-weight="bold">${what === 'dice' ? 'validation Dice per epoch' : 'λ per epoch'}</text>`,
    `<line x1="${m.l}" y1="${H - m.b}" x2="${W - m.r}" y2="${H - m.b}" stroke="#000"/><line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${H - m.b}" stroke="#000"/>`,
    ...[0, 0.5, 1].map((t) => t * y1).map((y) => `<text x="${m.l - 4}" y="${Y(y) + 4}" text-anchor="end">${what === 'dice' ? y.toFixed(2) : y.toPrecision(2)}</text>`),
    `<text x="${m.l}" y="${H - m.b + 14}">1</text><text x="${W - m.r}" y="${H - m.b + 14}" text-anchor="end">${x1}</text>`,
    `<text x="${(W - m.r + m.l) / 2}" y="${H - 6}" text-anchor="middle">epoch</text>`,
    ...series.map((s, i) =>
      `<polyline fill="none" stroke="${s.color}" stroke-width="1.5" points="${s.pts.map(([x, y]) => `${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(' ')}"/>` +
      s.pts.map(([x, y]) => `<circle cx="${X(x).toFixed(1)}" cy="${Y(y).toFixed(1)}" r="2.5" fill="${s.color}"/>`).join('') +
      `<text x="${W - m.r + 6}" y="${m.t + 14 * i + 8}" fill="${s.color}">${esc(s.name)}</text>`),
    '</svg>',
  ].join('');
}

/** Label colour of code c (0 = transparent): golden-angle hues. */
function labelRgb(c: number): [number, number, number] {
  const h = (c * 137.508) % 360, s = 0.65, l = 0.55;
  const k = (n: number) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const ch = (n: number) => Math.round(255 * (l - a * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1))));
  return [ch(0), ch(8), ch(4)];
}

/** One coronal slice (the y index with most truth foreground near the middle) as a PNG data URL, scaled 3×. */
function slicePng(image: Volume, seg: Volume | null, contacts: Volume | null, y: number): string {
  const [nx, ny, nz] = image.dims;
  const S = 3;
  let lo = Infinity, hi = -Infinity;
  for (let z = 0; z < nz; z++) for (let x = 0; x < nx; x++) {
    const v = Number(image.data[x + nx * (y + ny * z)]);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const png = new PNG({ width: nx * S, height: nz * S });
  for (let z = 0; z < nz; z++) {
    for (let x = 0; x < nx; x++) {
      const v = x + nx * (y + ny * z);
      const grey = hi > lo ? (255 * (Number(image.data[v]) - lo)) / (hi - lo) : 0;
      let rgb: [number, number, number] = [grey, grey, grey];
      const label = seg ? Number(seg.data[v]) : 0;
      if (label > 0) {
        const c = labelRgb(label);
        rgb = [0.45 * grey + 0.55 * c[0], 0.45 * grey + 0.55 * c[1], 0.45 * grey + 0.55 * c[2]];
      }
      if (contacts && Number(contacts.data[v]) > 0) rgb = [0.3 * rgb[0] + 178, 0.3 * rgb[1], 0.3 * rgb[2]];
      // Superior up: image row 0 is the highest z; left of the subject on the right (radiological) is not assumed.
      for (let dy = 0; dy < S; dy++) for (let dx = 0; dx < S; dx++) {
        const o = 4 * ((nz - 1 - z) * S * nx * S + dy * nx * S + x * S + dx);
        png.data[o] = rgb[0];
        png.data[o + 1] = rgb[1];
        png.data[o + 2] = rgb[2];
        png.data[o + 3] = 255;
      }
    }
  }
  return `data:image/png;base64,${PNG.sync.write(png).toString('base64')}`;
}

function sliceGrid(s: SliceInput): string {
  const [nx, ny, nz] = s.truth.dims;
  // The coronal slice with the most forbidden contacts in the first prediction (the baseline), else the middle.
  const overlays = s.predictions.map((p) => contactOverlay(p.volume, checkSegmentation(p.volume, s.prior)).volume);
  let y = Math.floor(ny / 2), best = -1;
  for (let j = Math.floor(ny * 0.3); j < Math.floor(ny * 0.7); j++) {
    let n = 0;
    for (let z = 0; z < nz; z++) for (let x = 0; x < nx; x++) if (overlays[0] && Number(overlays[0].data[x + nx * (j + ny * z)]) > 0) n++;
    if (n > best) [best, y] = [n, j];
  }
  const figs = [
    `<figure><img src="${slicePng(s.image, null, null, y)}" alt="image"><figcaption>image</figcaption></figure>`,
    `<figure><img src="${slicePng(s.image, s.truth, null, y)}" alt="truth"><figcaption>ground truth</figcaption></figure>`,
    ...s.predictions.map((p, i) => `<figure><img src="${slicePng(s.image, p.volume, overlays[i], y)}" alt="${esc(p.run)}"><figcaption>${esc(p.run)}</figcaption></figure>`),
  ];
  return `<p>${esc(s.subject)}, coronal slice y = ${y} (the slice of the middle 40 % with the most forbidden contacts in the baseline); forbidden contacts in red.</p><div>${figs.join('')}</div>`;
}

function priorImage(r: DemoReport): string {
  const L = r.prior.numLabels;
  const png = new PNG({ width: L, height: L, colorType: 0 });
  // Rebuilt from the counts in the report so the page shows exactly what report.json holds.
  for (let i = 0; i < L; i++) for (let j = 0; j < L; j++) {
    const o = 4 * (i * L + j);
    const v = r.prior.counts[i][j] > 0 ? 255 : 0;
    png.data[o] = png.data[o + 1] = png.data[o + 2] = v;
    png.data[o + 3] = 255;
  }
  const size = Math.max(260, Math.min(600, L * 12));
  const names = L <= 40 ? `<p style="font-size:11px">${r.prior.names.map((n, i) => `${i} ${esc(n)}`).join(' · ')}</p>` : '';
  return `<img class="px" width="${size}" height="${size}" src="data:image/png;base64,${PNG.sync.write(png).toString('base64')}" alt="prior adjacency matrix">${names}`;
}
