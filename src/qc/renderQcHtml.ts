import path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { escapeHtml as esc } from '../view/escapeHtml.js';
import { renderChartSvg } from '../view/renderChartSvg.js';
import type { ContactThumbnail } from './contactThumbnail.js';
import type { CheckDocument, CheckDocumentCase } from './makeCheckDocument.js';

/** Options of {@link renderQcHtml}. */
export interface RenderQcHtmlOptions {
  /** Thumbnail of each flagged case's worst contact, by case file (from `checkCases` with `thumbnail: true`). */
  thumbnails?: ReadonlyMap<string, ContactThumbnail>;
  /** Flagged cases shown with a thumbnail and a command, most contacts first. @default 200 */
  maxFlaggedShown?: number;
  /** Pairs (rows) of the pair × case view. @default 30 */
  maxPairs?: number;
  /** Cases (columns) of the pair × case view. @default 40 */
  maxCases?: number;
}

type OkCase = Extract<CheckDocumentCase, { status: 'ok' }>;

/** One forbidden pair summed over the cohort. */
export interface CohortPair {
  labels: [number, number];
  names: [string, string];
  /** Cases in which the pair touches. */
  cases: number;
  /** Contacts summed over those cases. */
  contacts: number;
}

/**
 * The cases of a check ranked for QC: most forbidden contacts first, then most forbidden pairs, then input order
 * (a stable sort, so the ranking is the same for any `--jobs`). Cases that could not be checked are left out.
 */
export function rankCases(doc: CheckDocument): OkCase[] {
  const ok = doc.cases.filter((c): c is OkCase => c.status === 'ok');
  return ok.map((c, i) => ({ c, i })).sort((x, y) => y.c.forbiddenContacts - x.c.forbiddenContacts || y.c.forbiddenPairs - x.c.forbiddenPairs || x.i - y.i).map((x) => x.c);
}

/** Forbidden pairs over the cohort: in how many cases each touches and how often, most frequent first. */
export function cohortPairs(doc: CheckDocument): CohortPair[] {
  const byKey = new Map<string, CohortPair>();
  for (const c of doc.cases) {
    if (c.status !== 'ok') continue;
    for (const p of c.pairs) {
      const key = `${p.labels[0]}-${p.labels[1]}`;
      const entry = byKey.get(key) ?? { labels: p.labels, names: p.names, cases: 0, contacts: 0 };
      entry.cases++;
      entry.contacts += p.contacts;
      byKey.set(key, entry);
    }
  }
  return [...byKey.values()].sort((a, b) => b.cases - a.cases || b.contacts - a.contacts || a.labels[0] - b.labels[0] || a.labels[1] - b.labels[1]);
}

/** A POSIX-shell word: kept as is when it holds only safe characters, else single-quoted. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The `nonadj view` command that opens a case with its forbidden contacts (the label map is its own background). */
export function viewCommand(doc: CheckDocument, file: string): string {
  const words = ['nonadj', 'view', file, '--seg', file, '--prior', doc.prior.path];
  if (doc.options.names) words.push('--names', doc.options.names.path);
  return words.map(shellQuote).join(' ');
}

const pairText = (p: { labels: [number, number]; names: [string, string] }) => `${p.labels[0]}–${p.labels[1]} ${p.names[0]} – ${p.names[1]}`;

/**
 * The QC report of `nonadj check --report qc.html`: one self-contained page (charts as inline SVG rendered from
 * Vega-Lite, thumbnails as PNG data URLs, no script, no network; a Content-Security-Policy forbids any fetch) with
 * what was run (tool, prior and its SHA-256, options), the cases ranked by forbidden contacts (`rankCases`), the pairs
 * that fail most across the cohort (`cohortPairs`: a table and a pair × case heatmap of contacts), for each flagged
 * case the thumbnail of its worst contact and the `nonadj view` command that opens it, and the cases that could not be
 * checked with the reason. The same document gives the same bytes.
 */
export async function renderQcHtml(doc: CheckDocument, options: RenderQcHtmlOptions = {}): Promise<string> {
  const ranked = rankCases(doc);
  const flagged = ranked.filter((c) => c.forbiddenContacts > 0);
  const pairs = cohortPairs(doc);
  const errors = doc.cases.filter((c) => c.status === 'error');
  const s = doc.summary;
  const o = doc.options;
  const body: string[] = [];
  body.push(
    '<h1>nonadj check: QC report</h1>',
    `<p id="summary">${s.cases} case${s.cases === 1 ? '' : 's'}: <b>${s.flagged} flagged</b> (forbidden contacts), ${s.clean} clean, ${s.errors} not checked.</p>`,
    `<p class="note">${esc(doc.tool.name)} ${esc(doc.tool.version)}; prior <code>${esc(doc.prior.path)}</code> (${doc.prior.numLabels} labels, sha256 <code>${doc.prior.sha256}</code>); ` +
      `connectivity ${o.connectivity}, radius ${o.radius}${o.names ? `; names <code>${esc(o.names.path)}</code> (sha256 <code>${o.names.sha256}</code>)` : ''}` +
      `${o.allowFloatLabels ? '; float labels allowed' : ''}. A contact is a pair of neighbouring voxels whose labels the prior never saw touching.</p>`,
  );

  body.push('<h2>Cases ranked by forbidden contacts</h2>');
  const rows = ranked.map((c, i) => {
    const worst = c.pairs[0];
    const anchor = c.forbiddenContacts > 0 ? `<a href="#case-${i + 1}">${esc(c.file)}</a>` : esc(c.file);
    return `<tr class="${c.forbiddenContacts > 0 ? 'flagged' : 'clean'}"><td>${i + 1}</td><td class="file">${anchor}</td><td>${c.forbiddenContacts}</td><td>${c.forbiddenPairs}</td>` +
      `<td class="l">${worst ? esc(pairText(worst)) : ''}</td><td>${c.unknownLabels.length}</td><td>${c.labelsInSegmentation}</td></tr>`;
  });
  body.push(
    '<table id="ranking"><thead><tr><th>rank</th><th>case</th><th>forbidden contacts</th><th>forbidden pairs</th><th>worst pair</th><th>unknown labels</th><th>labels</th></tr></thead>' +
      `<tbody>${rows.join('')}</tbody></table>`,
  );

  body.push('<h2>Pairs across the cohort</h2>');
  if (pairs.length === 0) {
    body.push('<p>No forbidden pair in any case.</p>');
  } else {
    const maxPairs = options.maxPairs ?? 30;
    const maxCases = options.maxCases ?? 40;
    body.push(
      `<p>${pairs.length} forbidden pair${pairs.length === 1 ? '' : 's'} in ${flagged.length} case${flagged.length === 1 ? '' : 's'}, most frequent first.</p>`,
      '<table id="pairs"><thead><tr><th>pair</th><th>names</th><th>cases</th><th>share of cases</th><th>contacts</th></tr></thead><tbody>' +
        pairs.slice(0, 100).map((p) =>
          `<tr><td>${p.labels[0]}–${p.labels[1]}</td><td class="l">${esc(`${p.names[0]} – ${p.names[1]}`)}</td><td>${p.cases}</td><td>${((100 * p.cases) / (s.cases - s.errors)).toFixed(0)} %</td><td>${p.contacts}</td></tr>`,
        ).join('') +
        '</tbody></table>' +
        (pairs.length > 100 ? `<p class="note">… ${pairs.length - 100} more pairs (--json lists them all).</p>` : ''),
      await heatmap(pairs.slice(0, maxPairs), flagged.slice(0, maxCases)),
      `<p class="note">Contacts of the ${Math.min(maxPairs, pairs.length)} most frequent pairs (rows) in the ${Math.min(maxCases, flagged.length)} most flagged cases (columns, in rank order); empty: the pair does not touch in that case.</p>`,
    );
  }

  body.push('<h2>Flagged cases</h2>');
  if (flagged.length === 0) body.push('<p>None.</p>');
  const shown = flagged.slice(0, options.maxFlaggedShown ?? 200);
  for (const [i, c] of shown.entries()) {
    const worst = c.pairs[0];
    const thumb = options.thumbnails?.get(c.file);
    const picture = thumb
      ? `<img class="px" src="${thumb.png}" alt="worst contact of ${esc(c.file)}"><figcaption>coronal slice j = ${thumb.sliceJ}, x ${thumb.window.i[0]}–${thumb.window.i[1]}, z ${thumb.window.k[0]}–${thumb.window.k[1]}; ${thumb.contactVoxels} contact voxels in red</figcaption>`
      : '<figcaption>no thumbnail</figcaption>';
    body.push(
      `<section class="case" id="case-${i + 1}"><h3>${i + 1}. ${esc(c.file)}</h3>` +
        `<p>${c.forbiddenContacts} forbidden contacts in ${c.forbiddenPairs} pair${c.forbiddenPairs === 1 ? '' : 's'}; worst: <b>${esc(pairText(worst))}</b>, ${worst.contacts} contacts around voxel ` +
        `(${worst.centroidVoxel.map((x) => x.toFixed(0)).join(', ')}), (${worst.centroidMm.map((x) => x.toFixed(0)).join(', ')}) mm.</p>` +
        `<figure>${picture}</figure><p>Open it: <code class="cmd">${esc(viewCommand(doc, c.file))}</code></p></section>`,
    );
  }
  if (flagged.length > shown.length) body.push(`<p class="note">… ${flagged.length - shown.length} more flagged cases (--json lists them all).</p>`);

  if (errors.length > 0) {
    body.push(
      '<h2>Not checked</h2>',
      '<table id="errors"><thead><tr><th>case</th><th>error</th></tr></thead><tbody>' +
        errors.map((c) => `<tr><td class="file">${esc(c.file)}</td><td class="l">${esc(c.status === 'error' ? c.error : '')}</td></tr>`).join('') +
        '</tbody></table>',
    );
  }
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">`,
    `<title>nonadj QC: ${s.flagged} of ${s.cases} cases flagged</title>`,
    '<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:1300px}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}th{background:#f3f3f3}' +
      'td.l,td.file{text-align:left}tr.flagged td:nth-child(3){color:#a00;font-weight:bold}figure{margin:.3em 0;display:inline-block}figcaption{font-size:12px}img.px{image-rendering:pixelated}' +
      'code{font-size:12px}.note{font-size:12px;color:#444;max-width:1000px}section.case{border-top:1px solid #ddd;padding-top:.3em}.warn{color:#a00;font-size:12px}</style>',
    '</head><body>',
    ...body,
    '</body></html>\n',
  ].join('\n');
}

/** Pair × case heatmap of contacts (log colour scale), as inline SVG. */
async function heatmap(pairs: readonly CohortPair[], cases: readonly OkCase[]): Promise<string> {
  const caseNames = cases.map((c, i) => `${i + 1}. ${path.basename(c.file).replace(/\.nii(\.gz)?$/i, '')}`);
  const pairNames = pairs.map((p) => pairText(p).slice(0, 60));
  const values: Array<{ pair: string; case: string; contacts: number }> = [];
  cases.forEach((c, ci) => {
    for (const p of c.pairs) {
      const pi = pairs.findIndex((q) => q.labels[0] === p.labels[0] && q.labels[1] === p.labels[1]);
      if (pi >= 0) values.push({ pair: pairNames[pi], case: caseNames[ci], contacts: p.contacts });
    }
  });
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values },
    width: { step: 14 },
    height: { step: 14 },
    mark: 'rect',
    encoding: {
      x: { field: 'case', type: 'ordinal', sort: caseNames, title: 'case (rank)', axis: { labelAngle: -60, labelLimit: 160 } },
      // No y title: Vega estimates text widths without a canvas and would draw it over the long pair names.
      y: { field: 'pair', type: 'ordinal', sort: pairNames, title: null, axis: { labelLimit: 320 } },
      color: { field: 'contacts', type: 'quantitative', scale: { type: 'log', scheme: 'reds' }, title: 'contacts' },
    },
  };
  const { svg, warnings } = await renderChartSvg(spec);
  // Vega numbers legend gradients with a process-wide counter (gradient_0, gradient_1, …): renamed so the same
  // document gives the same bytes however many charts were drawn before. The page has this one gradient.
  return `<div id="heatmap">${svg.replace(/\bgradient_\d+\b/g, 'heatmap_gradient')}${warnings.map((w) => `<p class="warn">${esc(w)}</p>`).join('')}</div>`;
}
