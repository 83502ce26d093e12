import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PNG } from 'pngjs';
import { demoReportFixture } from '../../test/helpers/demoReportFixture.js';
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

  test('one <svg> per documented plot: Dice against contacts (2 domains) and training curves (fine-tunes\' Dice, λ, baseline\'s Dice)', () => {
    assert.equal(count(html, '<svg '), 5);
    assert.equal(count(html, '</svg>'), 5);
    const titles = [...html.matchAll(/aria-roledescription="title" aria-label="Title text '([^']*)'"/g)].map((m) => m[1]);
    assert.deepEqual(titles, ['Test subjects (training contrast)', 'Test subjects (unseen contrast)', 'Fine-tunes: validation Dice per epoch', 'λ per epoch (runs with λ &gt; 0)', 'Baseline training: validation Dice per epoch']);
    const charts = svgs(html);
    // Scatter points: both runs in the test domain, only lambda-1h in the unseen one (control's is null).
    assert.deepEqual(charts.slice(0, 2).map((c) => pointLabels(c)), [
      ['contacts: 12; dice: 0.81234; run: control', 'contacts: 0; dice: 0.79; run: lambda-1h'],
      ['contacts: 131; dice: 0.6049; run: lambda-1h'],
    ]);
    // Curves: 2 runs × 2 epochs of validation Dice; λ only for lambda-1h (control's λ is 0); no baseline run here.
    assert.deepEqual(charts.slice(2).map((c) => pointLabels(c).length), [4, 2, 0]);
    assert.deepEqual(charts.slice(2).map((c) => count(c, 'aria-roledescription="line mark"')), [2, 1, 0]);
    assert.equal(count(html, 'class="warn"'), 0); // Vega logged nothing
  });

  test('the same report gives the same bytes', async () => {
    assert.equal(await renderDemoHtml(demoReportFixture(), null), html);
  });

  test('results table: the report\'s numbers, formatted as the Markdown report', () => {
    assert.ok(html.includes(
      '<tr><td>control</td><td>0</td><td>2</td><td>0.812</td><td>3.5</td><td>1.5</td><td>12</td><td>0.5</td><td>–</td><td>–</td><td>–</td><td>–</td><td>–</td></tr>',
    ));
    assert.ok(html.includes(
      '<tr><td>lambda-1h</td><td>0.123</td><td>80</td><td>0.790</td><td>–</td><td>0.0</td><td>0</td><td>0.0</td><td>0.605</td><td>7.2</td><td>2.5</td><td>131</td><td>0.5</td></tr>',
    ));
  });

  test('escapes a run name and a command holding markup', async () => {
    const r = demoReportFixture();
    const evil = '<script>alert("x")</script>';
    r.runs[1] = { ...r.runs[1], name: evil, command: `nonadj train '<img src=x onerror=alert(1)>&` };
    const page = await renderDemoHtml(r, null);
    assert.equal(count(page, '<script'), 0);
    assert.ok(!page.includes('<img src=x'));
    const escaped = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;';
    // Results table, control comparison (its test-domain row; the control has no unseen domain) and commands; in
    // each of the 4 charts that show it the legend's label for screen readers (not the baseline's chart); the run's
    // marks' labels: 1 point per scatter, then per curve a line and 2 points. (The legend's visible text is cut.)
    assert.equal(count(page, escaped), 3 + 4 + (1 + 1 + 3 + 3));
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

  test('without slices the section says why; with slices one figure per run plus image and truth', async () => {
    assert.ok(html.includes('<h2>Coronal slices</h2>\n<p>No labelled test subject.</p>'));
    // 4×4×2 volumes (x, y, z): a truth with labels 1 and 2 side by side, which the prior forbids to touch.
    const dims = [4, 4, 2] as const;
    const truth = makeVolume(dims, Int32Array.from({ length: 32 }, (_, v) => (v % 4 < 2 ? 1 : 2)));
    const image = makeVolume(dims, Float32Array.from({ length: 32 }, (_, v) => v));
    const prior = AdjacencyPrior.fromCounts([[1, 1, 1], [1, 1, 0], [1, 0, 1]]);
    const r: DemoReport = demoReportFixture();
    const page = await renderDemoHtml(r, { subject: 'test/t1', image, truth, prior, predictions: r.runs.map((run) => ({ run: run.name, volume: truth })) });
    assertSelfContained(page);
    assert.equal(fetching(page).length, 4 + 1); // the figures and the prior's image
    const figures = [...page.matchAll(/<figure><img src="([^"]+)" alt="([^"]*)"><figcaption>/g)];
    assert.deepEqual(figures.map((f) => f[2]), ['image', 'truth', 'control', 'lambda-1h']);
    // Each slice is x by z, scaled 3×.
    for (const f of figures) assert.deepEqual([png(f[1]).width, png(f[1]).height], [12, 6]);
    // The forbidden 1–2 contacts (x = 1 | x = 2) are drawn red in the runs' slices only: red 0.3·v + 178 > green.
    const pixel = (url: string, x: number) => {
      const p = png(url);
      const o = 4 * (3 * x + 1); // row 1 of the scaled image, centre of voxel column x
      return [p.data[o], p.data[o + 1], p.data[o + 2]];
    };
    const [r1, g1] = pixel(figures[2][1], 1);
    assert.ok(r1 >= 178 && r1 > g1 + 100, `contact voxel ${r1},${g1}`);
    const [rt, gt] = pixel(figures[1][1], 1);
    assert.ok(!(rt >= 178 && rt > gt + 100), `truth voxel ${rt},${gt} drawn as a contact`);
    assert.match(page, /test\/t1, coronal slice y = [12] /);
  });

  test('a report whose runs have no log and no unseen domain still draws five empty-safe plots', async () => {
    const r = demoReportFixture();
    for (const run of r.runs) {
      run.log = [];
      run.domains['unseen-test'] = null;
    }
    const page = await renderDemoHtml(r, null);
    assert.equal(count(page, '<svg '), 5);
    assert.deepEqual(svgs(page).map((c) => pointLabels(c).length), [2, 0, 0, 0, 0]);
    for (const why of ['no run was scored on this domain', 'no run has a validation log', 'no run has λ &gt; 0', 'the baseline has no training log']) assert.ok(page.includes(`>${why}</text>`), why);
    assert.equal(count(page, 'class="warn"'), 0);
    assert.ok(!/NaN|Infinity|undefined/.test(page));
  });
});
