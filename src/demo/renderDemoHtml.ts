import { PNG } from 'pngjs';
import type { TopLevelSpec } from 'vega-lite';
import { checkSegmentation } from '../metric/checkSegmentation.js';
import type { Volume } from '../volume/Volume.js';
import { contactOverlay } from '../view/contactOverlay.js';
import { compareToControl, formatSigned } from './compareToControl.js';
import { diceContactsChart } from './diceContactsChart.js';
import { renderChartSvg } from './renderChartSvg.js';
import type { DemoReport, SliceInput } from './demoReport.js';
import { trainingCurveChart } from './trainingCurveChart.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const f = (x: number | null | undefined, d = 3) => (x === null || x === undefined || Number.isNaN(x) ? '–' : x.toFixed(d));

/**
 * `report.html` of a demo: one self-contained page (plots as inline SVG rendered from Vega-Lite charts, PNG slices
 * as data URLs, no script, no network): the results table, Dice against forbidden contacts per run in each test
 * domain, training curves of validation Dice and λ, one coronal slice of a test subject per run with its forbidden
 * contacts in red, and the prior's adjacency matrix. The same report gives the same bytes.
 *
 * @param slices - the subject to draw (null: the section is left out and says why).
 */
export async function renderDemoHtml(r: DemoReport, slices: SliceInput | null): Promise<string> {
  const [test, unseen, dice, lambda, baselineDice] = await Promise.all(
    [diceContactsChart(r, 'test'), diceContactsChart(r, 'unseen-test'), trainingCurveChart(r, 'validation-dice'), trainingCurveChart(r, 'lambda'), trainingCurveChart(r, 'baseline-dice')].map(chart),
  );
  const body: string[] = [];
  body.push(`<h1>NonAdjLoss demo (${esc(r.mode)})</h1>`);
  body.push(
    `<p>${r.atlas === 'aal' ? 'Colin27 T1 + AAL' : 'INIA19 + NeuroMaps'}, labels <code>${esc(r.labels)}</code> (${r.prior.numLabels} incl. background), grid ${r.grid.dims.join('×')} at ${r.grid.spacingMm.join('×')} mm; ` +
      `unseen domain: ${esc(r.unseenContrast)}. Baseline (${r.baseline.source}): ${esc(r.baseline.note)}. ` +
      `λ heuristic ${r.heuristicLambda.toPrecision(4)}; fine-tunes: ${r.plan.fineTune.epochs} epochs × ${r.plan.fineTune.steps} steps, batch ${r.plan.fineTune.batchSize}, Adam at ${r.plan.fineTune.lr}.</p>`,
  );
  body.push('<h2>Results</h2>', resultsTable(r));
  body.push('<h2>Against the matched control</h2>', controlTable(r));
  body.push('<h2>Dice against forbidden contacts</h2>', '<div class="row">', test, unseen, '</div>');
  body.push('<h2>Training curves</h2>', '<div class="row">', dice, lambda, '</div>', '<div class="row">', baselineDice, '</div>');
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
    '<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:1300px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}th{background:#f3f3f3}td:first-child{text-align:left}.row{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0 .5em .5em 0;display:inline-block;text-align:center}figcaption{font-size:12px}img.px{image-rendering:pixelated}code{font-size:12px}.warn{color:#a00;font-size:12px;max-width:460px}</style>',
    '</head><body>',
    ...body,
    '</body></html>\n',
  ].join('\n');
}

/** A chart's SVG, with whatever Vega logged about it written under it rather than lost. */
async function chart(spec: TopLevelSpec): Promise<string> {
  const { svg, warnings } = await renderChartSvg(spec);
  return `<div>${svg}${warnings.map((w) => `<p class="warn">${esc(w)}</p>`).join('')}</div>`;
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

/** Each run minus the control fine-tune, per domain (`compareToControl`). */
function controlTable(r: DemoReport): string {
  const rows = compareToControl(r);
  if (rows.length === 0) return '<p>No control run.</p>';
  const head = ['run', 'domain', 'Dice Δ (points)', 'contacts vs control', 'pairs Δ', 'collapsed Δ'];
  const body = rows.map((c) =>
    `<tr><td>${esc(c.run)}</td><td>${c.domain}</td><td>${formatSigned(c.diceDeltaPoints, 2)}</td><td>${c.contactsChangePercent === null ? '–' : `${formatSigned(c.contactsChangePercent, 0)} %`}</td><td>${formatSigned(c.pairsDelta, 1)}</td><td>${formatSigned(c.collapsedDelta, 1)}</td></tr>`);
  return `<table><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr>${body.join('')}</table><p>The control is the fine-tune with λ = 0 and the same steps, batch, seed and learning rate: the difference is what NonAdjLoss (or repair) does beyond the fine-tune itself.</p>`;
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
