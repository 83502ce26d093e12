import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CheckSegmentationResult, ForbiddenPair } from '../metric/checkSegmentation.js';
import type { CheckedCase } from './checkCases.js';
import { makeCheckDocument } from './makeCheckDocument.js';
import { cohortPairs, rankCases, renderQcHtml, shellQuote, viewCommand } from './renderQcHtml.js';

const pair = (a: number, b: number, contacts: number): ForbiddenPair => ({
  labels: [a, b], names: [`L${a}`, `L${b}`], known: [true, true], contacts, voxels: [1, 1],
  boundingBox: { min: [0, 0, 0], max: [1, 1, 1] }, centroidVoxel: [0.5, 0.5, 0.5], centroidMm: [0.5, 0.5, 0.5],
});
const result = (pairs: ForbiddenPair[]): CheckSegmentationResult => ({
  forbiddenPairs: pairs.length, forbiddenContacts: pairs.reduce((s, p) => s + p.contacts, 0), pairs, unknownLabels: [], absentLabels: [],
  labelsInSegmentation: 3, reference: { unique: 0, cumulated: 0, m1: 0, m2: 0 }, connectivity: 26, radius: 1,
});
const ok = (file: string, pairs: ForbiddenPair[]): CheckedCase => ({ file, status: 'ok', result: result(pairs), thumbnail: null });
const SHA = 'a'.repeat(64);
const provenance = {
  tool: { name: 'nonadj', version: '0.1.0' },
  prior: { path: 'prior dir/graph.json', sha256: SHA, numLabels: 3 },
  options: { connectivity: 26 as const, radius: 1, names: null, allowFloatLabels: false, keepGoing: true },
};
// c: 10 contacts in 1 pair; a and d: 7 in 2 pairs (tie: input order a before d); b: 7 in 1 pair; e clean; <x> broken.
const doc = makeCheckDocument(provenance, [
  ok('a.nii.gz', [pair(1, 2, 4), pair(1, 3, 3)]),
  ok('b.nii.gz', [pair(1, 2, 7)]),
  ok('c.nii.gz', [pair(2, 3, 10)]),
  { file: '<x>.nii.gz', status: 'error', error: 'readNifti: <x>.nii.gz: not NIfTI' },
  ok('d.nii.gz', [pair(1, 2, 5), pair(1, 3, 2)]),
  ok('e.nii.gz', []),
]);

describe('the QC report', () => {
  test('makeCheckDocument: provenance, summary, cases in input order with their status', () => {
    assert.deepEqual(doc.summary, { cases: 6, clean: 1, flagged: 4, errors: 1 });
    assert.deepEqual([doc.format, doc.version, doc.prior.sha256], ['nonadj-check', 1, SHA]);
    assert.deepEqual(doc.cases.map((c) => c.status), ['ok', 'ok', 'ok', 'error', 'ok', 'ok']);
    assert.equal(Object.keys(doc.cases[0]).slice(0, 4).join(), 'file,status,forbiddenPairs,forbiddenContacts');
  });

  test('rankCases: most contacts, then most pairs, then input order; errors left out', () => {
    assert.deepEqual(rankCases(doc).map((c) => c.file), ['c.nii.gz', 'a.nii.gz', 'd.nii.gz', 'b.nii.gz', 'e.nii.gz']);
  });

  test('cohortPairs: cases per pair and summed contacts, most frequent first', () => {
    assert.deepEqual(cohortPairs(doc).map((p) => [p.labels.join('-'), p.cases, p.contacts]), [['1-2', 3, 16], ['1-3', 2, 5], ['2-3', 1, 10]]);
  });

  test('shellQuote and viewCommand give a command a POSIX shell runs as is', () => {
    assert.equal(shellQuote('sub-01/anat/x_dseg.nii.gz'), 'sub-01/anat/x_dseg.nii.gz');
    assert.equal(shellQuote("it's here"), `'it'\\''s here'`);
    assert.equal(viewCommand(doc, 'a.nii.gz'), "nonadj view a.nii.gz --seg a.nii.gz --prior 'prior dir/graph.json'");
  });

  test('the page: self-contained, the ranking, the pairs, one section per flagged case, the errors, escaped', async () => {
    const html = await renderQcHtml(doc);
    // Nothing a browser would fetch: attributes that load something hold PNG data URLs or in-page anchors, and the
    // only URLs are the SVG and XLink namespaces of Vega's <svg>, identifiers that are never fetched.
    const loads = [...html.matchAll(/<[a-z][^>]*>/gi)].flatMap((tag) => [...tag[0].matchAll(/\s(src|href|srcset|action|poster|data|xlink:href)\s*=\s*["']?([^"'\s>]*)/gi)].map((m) => m[2]));
    for (const value of loads) assert.match(value, /^(data:image\/png;base64,|#case-\d+$)/);
    assert.deepEqual([...new Set(html.match(/https?:\/\/[^"'\s<>]*/g) ?? [])].sort(), ['http://www.w3.org/1999/xlink', 'http://www.w3.org/2000/svg']);
    // url(#…) is the legend's in-page gradient; any other url( or @import would load a resource.
    assert.ok(!/<(script|link|iframe|object|embed)\b|url\((?!#)|@import/i.test(html));
    assert.match(html, /Content-Security-Policy" content="default-src 'none'; img-src data:/);
    const ranking = html.slice(html.indexOf('<table id="ranking">'), html.indexOf('</table>', html.indexOf('<table id="ranking">')));
    assert.deepEqual([...ranking.matchAll(/<td class="file">(?:<a [^>]*>)?([^<]+)/g)].map((m) => m[1]), ['c.nii.gz', 'a.nii.gz', 'd.nii.gz', 'b.nii.gz', 'e.nii.gz']);
    assert.equal((html.match(/<section class="case"/g) ?? []).length, 4);
    assert.match(html, /<table id="errors">.*&lt;x&gt;\.nii\.gz.*readNifti: &lt;x&gt;\.nii\.gz: not NIfTI/s);
    assert.match(html, /<div id="heatmap"><svg/);
    assert.match(html, /<code class="cmd">nonadj view c.nii.gz --seg c.nii.gz --prior &#39;prior dir\/graph.json&#39;<\/code>/);
    assert.equal(await renderQcHtml(doc), html, 'the same document gives the same bytes');
  });
});
