import { PNG } from 'pngjs';
import type { TopLevelSpec } from 'vega-lite';
import { checkSegmentation } from '../metric/checkSegmentation.js';
import type { Volume } from '../volume/Volume.js';
import { contactOverlay } from '../view/contactOverlay.js';
import { demoTables, DOMAIN_TITLES, FLOOR_ROW, formatLambda, HEURISTIC_FORMULA, type DemoTable } from './demoTables.js';
import { diceContactsChart } from './diceContactsChart.js';
import { isSinglePreview } from './isSinglePreview.js';
import { escapeHtml } from '../view/escapeHtml.js';
import { renderChartSvg } from '../view/renderChartSvg.js';
import { renderSlicePng } from '../view/renderSlicePng.js';
import type { DemoReport, SliceInput } from './demoReport.js';
import { trainingCurveChart } from './trainingCurveChart.js';

const esc = escapeHtml;

/** An HTML table of plain-text cells, escaped. */
function table(t: DemoTable, className = ''): string {
  return `<table${className ? ` class="${className}"` : ''}><tr>${t.header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>` +
    t.rows.map((row) => `<tr>${row.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('') + '</table>';
}

/**
 * `report.html` of a demo (report version 2): one self-contained page (plots as inline SVG rendered from Vega-Lite
 * charts, PNG slices as data URLs, no script, no network), in the order of `renderDemoMarkdown` and with the same
 * numbers (`demoTables`): what was run (a `SINGLE-SEED PREVIEW` banner for the `quick` and `default` modes), the
 * reference λ heuristic per seed, the headline decision made on validation, per test domain the main table (with the
 * truth floor), the paired table against the control and the Dice-against-contacts chart (`diceContactsChart`: the
 * paired intervals around each row's point); λ auto per seed (table, λ and validation Dice per epoch); the baseline's
 * training curve; one coronal slice of a test subject per row with its forbidden contacts in red; the subjects'
 * anatomy against the prior; the prior's adjacency matrix; every command; provenance. The same report gives the same
 * bytes.
 *
 * @param slices - the subject to draw (null: the section is left out and says why).
 */
export async function renderDemoHtml(r: DemoReport, slices: SliceInput | null): Promise<string> {
  const t = demoTables(r);
  const preview = isSinglePreview(r);
  const [test, unseen, autoLambda, autoDice, baselineDice] = await Promise.all(
    [diceContactsChart(r, 'test'), diceContactsChart(r, 'unseen-test'), trainingCurveChart(r, 'auto-lambda'), trainingCurveChart(r, 'auto-dice'), trainingCurveChart(r, 'baseline-dice')].map(chart),
  );
  const charts = { test, 'unseen-test': unseen };
  const body: string[] = [];
  body.push(preview ? `<h1>NonAdjLoss demo: <span class="alarm">SINGLE-SEED PREVIEW</span> (mode ${esc(r.mode)})</h1>` : `<h1>NonAdjLoss demo: replicated experiment (${r.seeds.length} seeds)</h1>`);
  if (preview) {
    body.push(
      `<p class="banner"><b>This is a single-seed preview, not the experiment.</b> Every arm was fine-tuned once (seed ${esc(r.seeds.join(', '))}), so the intervals below ` +
        'resample test subjects only and say nothing about how much another seed would change the result. The replicated experiment ' +
        '(<code>nonadj demo --replicates N</code>, N ≥ 2 seeds) is what the README reports.</p>',
    );
  }
  body.push('<h2>What was run</h2>', `<ul>${t.setup.map((item) => `<li><b>${esc(item.label)}</b>: ${esc(item.text)}.</li>`).join('')}</ul>`);
  body.push('<h3>The reference λ heuristic</h3>', `<p>${esc(HEURISTIC_FORMULA)}</p>`, table(t.heuristic));
  body.push(
    '<h2>Headline decision</h2>',
    `<p>Rule, fixed before any number was seen: ${esc(r.decision.rule)}.</p>`,
    table(t.decision),
    r.decision.chosen === null ? '<p><b>Headline row: none</b> (no multiplier met the rule).</p>' : `<p><b>Headline row: <code>${esc(r.decision.chosen)}</code>.</b></p>`,
    '<p>The decision was made on the validation subjects before any test number was computed; the test tables below played no part in it.</p>',
  );
  for (const d of t.domains) {
    body.push(
      `<h2>Test subjects, ${DOMAIN_TITLES[d.domain]} (<code>${d.domain}</code>, ${r.sets[d.domain]?.length ?? 0} subjects)</h2>`,
      table(d.main, 'main'),
      `<p class="note">Means over seeds × subjects; ± is the standard deviation over seeds of the per-seed means. “${esc(FLOOR_ROW)}”: the label maps' own forbidden ` +
        'contacts and pairs against the prior (mean over the subjects; the prior counts the training label maps only), which a segmentation equal to the truth would score. ' +
        'HD100 = maximum symmetric surface distance, mean over structures; extra components = connected components beyond one per structure; collapsed = structures below half their true volume.</p>',
      `<h3>Against the control (<code>${d.domain}</code>)</h3>`,
      d.paired.rows.length > 0 ? table(d.paired, 'paired') : '<p>No comparison on this domain.</p>',
      '<p class="note">Each row minus the control (λ = 0, same seed, same steps, same subjects), paired per seed and subject; 95 % intervals from a bootstrap over seeds and subjects. ' +
        'Contacts change = (row − control) / control of the mean contacts; the median is over subjects of each subject\'s own change. Where an interval contains 0 the data show no detectable difference.</p>',
      charts[d.domain],
    );
  }
  body.push(
    '<h2>λ auto</h2>',
    t.autoLambda.rows.length > 0 ? table(t.autoLambda) : '<p>No auto run.</p>',
    '<p class="note">The controller (METHOD.md §4) grows λ after good epochs, shrinks it and reloads the last good model when validation Dice drops; epochs include the warm-up at λ = 0.</p>',
    '<div class="row">', autoLambda, autoDice, '</div>',
  );
  body.push('<h2>Baseline training</h2>', `<p>${esc(r.baseline.source)}: ${esc(r.baseline.note)}.</p>`, baselineDice);
  body.push('<h2>Coronal slices</h2>', slices ? sliceGrid(slices) : '<p>No labelled test subject.</p>');
  body.push(
    '<h2>The subjects\' anatomy against the prior</h2>',
    t.anatomy.rows.length > 0 ? table(t.anatomy) : '<p>No subject.</p>',
    '<p class="note">Extra pairs: label pairs that touch in the subject but in no training label map; missing pairs: pairs the prior allows that the subject lacks.</p>',
  );
  body.push(
    '<h2>The prior</h2>',
    `<p>${r.prior.numLabels}×${r.prior.numLabels} adjacency (white = the pair touches in some training label map, black = forbidden: ${r.prior.forbiddenUnorderedPairs} unordered pairs).</p>`,
    priorImage(r),
  );
  const commands = [`<li>baseline (${esc(r.baseline.source)}): <code>${esc(r.baseline.command)}</code></li>`];
  for (const run of r.runs) {
    if (run.runs.length === 0) {
      if (run.postprocess) commands.push(`<li><b>${esc(run.name)}</b>: ${esc(run.description)} (no training: the predictions of <code>${esc(run.base)}</code>, post-processed)</li>`);
      continue;
    }
    for (const a of run.runs) {
      commands.push(`<li><b>${esc(run.name)}</b> seed ${a.seed} (λ ${a.lambda === 'auto' ? 'auto' : formatLambda(a.lambda)}, ${a.steps} steps, ${(a.seconds / 60).toFixed(1)} min): <code>${esc(a.command)}</code></li>`);
    }
  }
  body.push('<h2>Commands</h2>', `<ul>${commands.join('')}</ul>`);
  body.push(
    '<h2>Provenance</h2>',
    `<p>nonadj ${esc(r.provenance.version)}, Node ${esc(r.provenance.node)}, ${r.provenance.cores} × ${esc(r.provenance.cpus)}. Demo time: ${(r.seconds / 60).toFixed(1)} min. ` +
      'Per-subject scores of every row and seed are in report.json.</p>',
  );
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">`,
    `<title>nonadj demo (${esc(r.mode)}${preview ? ', single-seed preview' : ''})</title>`,
    '<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:1300px}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}th{background:#f3f3f3}td:first-child{text-align:left}' +
      '.row{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0 .5em .5em 0;display:inline-block;text-align:center}figcaption{font-size:12px}img.px{image-rendering:pixelated}code{font-size:12px}' +
      '.warn{color:#a00;font-size:12px;max-width:460px}.note{font-size:12px;color:#444;max-width:1000px}.alarm{color:#a00;font-size:1.4em}.banner{border:3px solid #a00;padding:.6em 1em;font-size:1.2em;background:#fff4f4}</style>',
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

/** One coronal slice y as a PNG data URL, scaled 3×: superior up (row 0 is the highest z), grey levels stretched over the slice. */
function slicePng(image: Volume, seg: Volume | null, contacts: Volume | null, y: number): string {
  const [nx, ny, nz] = image.dims;
  let lo = Infinity, hi = -Infinity;
  for (let z = 0; z < nz; z++) for (let x = 0; x < nx; x++) {
    const v = Number(image.data[x + nx * (y + ny * z)]);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const grey = new Float64Array(nx * nz);
  const labels = new Float64Array(nx * nz);
  const contact = new Uint8Array(nx * nz);
  for (let z = 0; z < nz; z++) {
    for (let x = 0; x < nx; x++) {
      const v = x + nx * (y + ny * z);
      const p = x + nx * (nz - 1 - z);
      grey[p] = hi > lo ? (255 * (Number(image.data[v]) - lo)) / (hi - lo) : 0;
      labels[p] = seg ? Number(seg.data[v]) : 0;
      contact[p] = contacts && Number(contacts.data[v]) > 0 ? 1 : 0;
    }
  }
  return renderSlicePng({ width: nx, height: nz, grey, labels, contact }, { scale: 3 });
}

function sliceGrid(s: SliceInput): string {
  const [nx, ny, nz] = s.truth.dims;
  // The coronal slice with the most forbidden contacts in the first prediction (the baseline in the demo's order), else the middle.
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
  const missing = s.missing && s.missing.length > 0
    ? `<p>Not shown: ${s.missing.map(esc).join(', ')} (run on another machine and resumed from their logs and scores: their models, hence their predictions, are not here).</p>`
    : '';
  return `<p>${esc(s.subject)}, coronal slice y = ${y} (the slice of the middle 40 % with the most forbidden contacts in ${s.predictions.length > 0 ? esc(s.predictions[0].run) : 'the first prediction'}); forbidden contacts in red.</p><div>${figs.join('')}</div>${missing}`;
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
