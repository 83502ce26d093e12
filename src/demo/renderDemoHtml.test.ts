import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PNG } from 'pngjs';
import { demoPreviewFixture, demoReportFixture } from '../../test/helpers/demoReportFixture.js';
import { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import { makeVolume } from '../volume/Volume.js';
import { renderDemoHtml } from './renderDemoHtml.js';
import type { DemoReport } from './demoReport.js';

const count = (text: string, what: string | RegExp) => (typeof what === 'string' ? text.split(what).length - 1 : [...text.matchAll(what)].length);

/** Decode a `data:image/png;base64,…` URL. */
const png = (url: string) => PNG.sync.read(Buffer.from(url.replace(/^data:image\/png;base64,/, ''), 'base64'));

/** Every attribute of a tag that makes a browser fetch something, with its value (escaped text is no tag). */
const fetching = (html: string) =>
  [...html.matchAll(/<[a-z][^>]*>/gi)].flatMap((tag) => [...tag[0].matchAll(/\s(src|href|srcset|action|poster|data|xlink:href)\s*=\s*["']?([^"'\s>]*)/gi)].map((m) => [m[1], m[2]]));

/** The page must stand alone: no network, no script. */
function assertSelfContained(html: string): void {
  for (const [attr, value] of fetching(html)) assert.match(value, /^data:image\/png;base64,/, `${attr}="${value.slice(0, 40)}"`);
  // The only URLs are the SVG and XLink namespaces of Vega's <svg> elements, identifiers a browser never fetches.
  assert.deepEqual([...new Set(html.match(/https?:\/\/[^"'\s<>]*/g) ?? [])].sort(), ['http://www.w3.org/1999/xlink', 'http://www.w3.org/2000/svg']);
  assert.equal(count(html, /<(script|link|iframe|object|embed)\b/gi), 0);
  assert.equal(count(html, /url\(|@import/gi), 0);
  assert.ok(html.includes(`content="default-src 'none'; img-src data:; style-src 'unsafe-inline'"`));
}

/** Vega's screen-reader label of each point of a chart, in drawing order. */
const pointLabels = (svg: string) => [...svg.matchAll(/aria-label="([^"]*)" role="graphics-symbol" aria-roledescription="point"/g)].map((m) => m[1]);

/** The page's <svg> elements, in page order. */
const svgs = (html: string) => [...html.matchAll(/<svg [\s\S]*?<\/svg>/g)].map((m) => m[0]);

/** The <h2> and <h3> headings, in page order, tags stripped. */
const headings = (html: string) => [...html.matchAll(/<h([23])>(.*?)<\/h\1>/g)].map((m) => m[2].replace(/<[^>]+>/g, ''));

describe('renderDemoHtml', async () => {
  const report = demoReportFixture();
  const html = await renderDemoHtml(report, null);

  test('a self-contained page that ends with a newline', () => {
    assert.ok(html.startsWith('<!doctype html><html lang="en"><head><meta charset="utf-8">'));
    assert.ok(html.endsWith('</body></html>\n'));
    assertSelfContained(html);
    assert.deepEqual(fetching(html).map(([attr]) => attr), ['src']); // the prior's image
    assert.ok(!/NaN|Infinity|undefined/.test(html));
  });

  test('sections in the order of the Markdown report', () => {
    assert.deepEqual(headings(html), [
      'What was run', 'The reference λ heuristic', 'Headline decision',
      'Test subjects, training scanner (test, 2 subjects)', 'Against the control (test)',
      'Test subjects, unseen scanner (unseen-test, 2 subjects)', 'Against the control (unseen-test)',
      'λ auto', 'Baseline training', 'Coronal slices', "The subjects' anatomy against the prior", 'The prior', 'Commands', 'Provenance',
    ]);
  });

  test('tables: the golden numbers of demoTables, escaped', () => {
    assert.ok(html.includes('<tr><td>lambda-1x</td><td>0.810 ± 0.002</td><td>6.0 ± 1.0</td><td>1.0</td><td>9.5</td><td>0.75</td><td>0.00</td></tr>'));
    assert.ok(html.includes('<tr><td>ground truth (floor)</td><td>–</td><td>1.5</td><td>0.5</td><td>–</td><td>–</td><td>–</td></tr>'));
    assert.ok(html.includes('<tr><td>auto</td><td>2 × 2</td><td>no detectable difference [−0.50, +0.10]</td><td>no detectable difference [−25, +5]</td>'));
    assert.ok(html.includes('<tr><td>1×</td><td>lambda-1x</td><td>−0.31</td><td>−78</td><td>yes: chosen</td></tr>'));
    assert.ok(html.includes('<p><b>Headline row: <code>lambda-1x</code>.</b></p>'));
    assert.match(html, /made on the validation subjects before any test number was computed/);
    assert.ok(html.includes('<tr><td>2</td><td>4</td><td>1</td><td>0</td><td>0</td><td>0.800</td><td>2.00×</td></tr>'));
    assert.ok(html.includes('λ_ref = 0.3 × (mean training Dice coefficient) / (mean training NonAdjLoss)'));
  });

  test('one <svg> per plot: Dice against contacts (2 domains), λ auto (λ, Dice), the baseline\'s Dice', () => {
    assert.equal(count(html, '<svg '), 5);
    assert.equal(count(html, '</svg>'), 5);
    const titles = [...html.matchAll(/aria-roledescription="title" aria-label="Title text '([^']*)'"/g)].map((m) => m[1]);
    assert.deepEqual(titles, [
      'Test subjects (training scanner)', 'Test subjects (unseen scanner)', 'λ auto: λ per epoch, per seed (λ &gt; 0)',
      'λ auto: validation Dice per epoch, per seed', 'Baseline training: validation Dice per epoch',
    ]);
    // Points: 6 rows on test, 3 scored on unseen; λ 4 + 3 epochs > 0; auto Dice 5 + 4 epochs; baseline 3 epochs.
    assert.deepEqual(svgs(html).map((c) => pointLabels(c).length), [6, 3, 7, 9, 3]);
    assert.equal(count(html, 'class="warn"'), 0); // Vega logged nothing
  });

  test('the same report gives the same bytes', async () => {
    assert.equal(await renderDemoHtml(demoReportFixture(), null), html);
  });

  test('"single-seed preview" in big letters on a default report, absent from a replicated one', async () => {
    const preview = await renderDemoHtml(demoPreviewFixture(), null);
    assert.ok(preview.includes('<h1>NonAdjLoss demo: <span class="alarm">SINGLE-SEED PREVIEW</span> (mode default)</h1>'));
    assert.ok(preview.includes('<p class="banner"><b>This is a single-seed preview, not the experiment.</b>'));
    assert.ok(preview.includes('<title>nonadj demo (default, single-seed preview)</title>'));
    assert.doesNotMatch(html, /single-seed|preview/i);
    assert.ok(html.includes('<h1>NonAdjLoss demo: replicated experiment (2 seeds)</h1>'));
  });

  test('every command, per arm and seed; provenance', () => {
    for (const row of report.runs) {
      for (const run of row.runs) assert.ok(html.includes(`<li><b>${row.name}</b> seed ${run.seed} (λ `) && html.includes(`<code>${run.command.replace(/'/g, '&#39;')}</code>`), `${row.name} ${run.seed}`);
    }
    assert.ok(html.includes('<li><b>control+lcc</b>: control+lcc row (no training: the predictions of <code>control</code>, post-processed)</li>'));
    assert.ok(html.includes('nonadj 0.9.0, Node v20.11.0, 2 × Test CPU @ 2.0GHz. Demo time: 12.6 min.'));
  });

  test('escapes a row name and a command holding markup', async () => {
    const r = demoReportFixture();
    const evil = '<script>alert("x")</script>';
    for (const c of r.comparisons) if (c.run === 'semi') c.run = evil;
    r.runs[4] = { ...r.runs[4], name: evil, runs: r.runs[4].runs.map((x) => ({ ...x, command: `nonadj train '<img src=x onerror=alert(1)>&` })) };
    const page = await renderDemoHtml(r, null);
    assert.equal(count(page, '<script'), 0);
    assert.ok(!page.includes('<img src=x'));
    const escaped = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;';
    // Set-up's row list; the test domain's main and paired tables; in the test chart its 2 bars, its point and the
    // legend's screen-reader label; the unseen main table (a row of dashes); the unseen chart's legend label (Vega
    // names the whole colour domain there, though the visible legend lists only the 3 rows drawn); 2 commands.
    assert.equal(count(page, escaped), 1 + 2 + 4 + 1 + 1 + 2);
    assert.ok(page.includes('<code>nonadj train &#39;&lt;img src=x onerror=alert(1)&gt;&amp;</code>'));
    assertSelfContained(page);
  });

  test('the prior image is the report\'s adjacency: white where the count is > 0', () => {
    const m = /<img class="px"[^>]* src="(data:image\/png;base64,[^"]+)" alt="prior adjacency matrix">/.exec(html);
    assert.ok(m);
    const image = png(m[1]);
    const L = report.prior.numLabels;
    assert.deepEqual([image.width, image.height], [L, L]);
    for (let i = 0; i < L; i++) {
      for (let j = 0; j < L; j++) assert.equal(image.data[4 * (i * L + j)], report.prior.counts[i][j] > 0 ? 255 : 0, `[${i}][${j}]`);
    }
    assert.ok(html.includes('0 Background · 1 Caudate_L · 2 Vermis'));
  });

  test('without slices the section says why; with slices one figure per row plus image and truth', async () => {
    assert.ok(html.includes('<h2>Coronal slices</h2>\n<p>No labelled test subject.</p>'));
    // 4×4×2 volumes (x, y, z): a truth with labels 1 and 2 side by side, which the prior forbids to touch.
    const dims = [4, 4, 2] as const;
    const truth = makeVolume(dims, Int32Array.from({ length: 32 }, (_, v) => (v % 4 < 2 ? 1 : 2)));
    const image = makeVolume(dims, Float32Array.from({ length: 32 }, (_, v) => v));
    const prior = AdjacencyPrior.fromCounts([[1, 1, 1], [1, 1, 0], [1, 0, 1]]);
    const r: DemoReport = demoReportFixture();
    const rows = ['baseline', 'control'];
    const page = await renderDemoHtml(r, { subject: 'test/t1', image, truth, prior, predictions: rows.map((run) => ({ run, volume: truth })) });
    assertSelfContained(page);
    assert.equal(fetching(page).length, 4 + 1); // the figures and the prior's image
    const figures = [...page.matchAll(/<figure><img src="([^"]+)" alt="([^"]*)"><figcaption>/g)];
    assert.deepEqual(figures.map((f) => f[2]), ['image', 'truth', 'baseline', 'control']);
    // Each slice is x by z, scaled 3×.
    for (const f of figures) assert.deepEqual([png(f[1]).width, png(f[1]).height], [12, 6]);
    // The forbidden 1–2 contacts (x = 1 | x = 2) are drawn red in the rows' slices only: red 0.3·v + 178 > green.
    const pixel = (url: string, x: number) => {
      const p = png(url);
      const o = 4 * (3 * x + 1); // row 1 of the scaled image, centre of voxel column x
      return [p.data[o], p.data[o + 1], p.data[o + 2]];
    };
    const [r1, g1] = pixel(figures[2][1], 1);
    assert.ok(r1 >= 178 && r1 > g1 + 100, `contact voxel ${r1},${g1}`);
    const [rt, gt] = pixel(figures[1][1], 1);
    assert.ok(!(rt >= 178 && rt > gt + 100), `truth voxel ${rt},${gt} drawn as a contact`);
    assert.match(page, /test\/t1, coronal slice y = [12] \(the slice of the middle 40 % with the most forbidden contacts in baseline\)/);
  });

  test('a report without logs, λ auto or unseen scores still draws five empty-safe plots', async () => {
    const r = demoReportFixture();
    r.baseline.log = [];
    r.autoLambda = [];
    for (const run of r.runs) {
      for (const x of run.runs) x.log = [];
      run.domains['unseen-test'] = null;
    }
    const page = await renderDemoHtml(r, null);
    assert.equal(count(page, '<svg '), 5);
    assert.deepEqual(svgs(page).map((c) => pointLabels(c).length), [6, 0, 0, 0, 0]);
    for (const why of ['no row was scored on this domain', 'no auto run has λ &gt; 0', 'no auto run has a validation log', 'the baseline has no validation log']) assert.ok(page.includes(`>${why}</text>`), why);
    assert.ok(page.includes('<h2>λ auto</h2>\n<p>No auto run.</p>'));
    assert.equal(count(page, 'class="warn"'), 0);
    assert.ok(!/NaN|Infinity|undefined/.test(page));
  });
});
