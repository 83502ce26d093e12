import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { relabelToA2009s } from '../../src/synth/relabelToA2009s.js';
import { pasteIslands } from '../../src/synth/pasteIslands.js';
import { AdjacencyPrior } from '../../src/prior/AdjacencyPrior.js';
import { readNiftiFile, writeNiftiFile } from '../../src/volume/niftiFile.js';
import { makeVolume } from '../../src/volume/Volume.js';
import type { CheckDocument, CheckDocumentCase } from '../../src/qc/makeCheckDocument.js';
import { makeMetricCliFixtures, type MetricCliFixtures } from '../helpers/metricCliFixtures.js';
import { assertSnapshot, ROOT, runCli, type CliRun } from '../helpers/runCliSnapshot.js';

let fx: MetricCliFixtures;
/** Files of the dataset-level tests, in fx.dir: a broken file, a float map of whole numbers, a BIDS derivatives dataset. */
let broken: string;
let floatMap: string;
let bids: string;
before(async () => {
  fx = await makeMetricCliFixtures();
  broken = path.join(fx.dir, 'broken.nii.gz');
  writeFileSync(broken, 'not a NIfTI file');
  floatMap = path.join(fx.dir, 'float-whole.nii.gz');
  const cube = await readNiftiFile(fx.cube);
  await writeNiftiFile(floatMap, makeVolume(cube.dims, Float32Array.from(cube.data), { affine: cube.affine }), { kind: 'image' });
  bids = path.join(fx.dir, 'bids-derivatives');
  const put = (rel: string, from?: string) => {
    mkdirSync(path.dirname(path.join(bids, rel)), { recursive: true });
    if (from) copyFileSync(from, path.join(bids, rel));
    else writeFileSync(path.join(bids, rel), JSON.stringify({ Name: 'seg', BIDSVersion: '1.9.0', DatasetType: 'derivative', GeneratedBy: [{ Name: 'SynthSeg' }] }));
  };
  put('dataset_description.json');
  put('sub-01/anat/sub-01_desc-synthseg_dseg.nii.gz', fx.cube);
  put('sub-02/ses-1/anat/sub-02_ses-1_desc-synthseg_dseg.nii.gz', fx.clean);
  put('sub-02/ses-1/anat/sub-02_ses-1_T1w.nii.gz', fx.fractional);
});

const ajv = new Ajv2020({ strict: true, allErrors: true });
const validateCheck = ajv.compile(JSON.parse(readFileSync(path.join(ROOT, 'schemas', 'check.schema.json'), 'utf8')));
/** Parse `check --json` output and validate it against schemas/check.schema.json (ajv, JSON Schema 2020-12). */
function checkJson(stdout: string): CheckDocument {
  const doc: unknown = JSON.parse(stdout);
  assert.ok(validateCheck(doc), JSON.stringify(validateCheck.errors));
  return doc as CheckDocument;
}
/** The checked case at `i`, failing when it is an error entry. */
function okCase(doc: CheckDocument, i: number) {
  const c = doc.cases[i];
  assert.equal(c.status, 'ok', JSON.stringify(c));
  return c as Extract<CheckDocumentCase, { status: 'ok' }>;
}
after(() => rmSync(fx.dir, { recursive: true, force: true }));

describe('nonadj check', () => {
  test('text output and exit codes (snapshot)', () => {
    const runs: CliRun[] = [
      runCli(['check', 'data/aal.nii.gz', '--prior', fx.aalPrior]),
      runCli(['check', fx.aalIslands, '--prior', fx.aalPrior]),
      runCli(['check', fx.aalIslands, '--prior', fx.aalPrior, '--no-fail']),
      runCli(['check', fx.cube, fx.clean, '--prior', fx.smallPrior, '--jobs', '1']),
      runCli(['check', fx.cube, '--prior', fx.smallPrior, '--connectivity', '6', '--csv']),
      runCli(['check', fx.unknown, '--prior', fx.smallPrior]),
      runCli(['check', fx.fractional, '--prior', fx.smallPrior]),
      runCli(['check', `${fx.dir}/missing.nii.gz`, '--prior', fx.smallPrior]),
      runCli(['check', fx.cube, '--prior', `${fx.dir}/cube.nii.gz`]),
      runCli(['check', fx.cube, '--prior', fx.smallPrior, '--json', '--csv']),
    ];
    assert.deepEqual(runs.map((r) => r.exitCode), [0, 1, 0, 1, 1, 1, 2, 2, 2, 2]);
    assertSnapshot('check', runs, [[fx.dir, '<tmp>']]);
  });

  test('AAL with pasted islands reports exactly the pasted contacts (--json)', () => {
    const r = runCli(['check', fx.aalIslands, '--prior', fx.aalPrior, '--json']);
    assert.equal(r.exitCode, 1);
    const [report] = JSON.parse(r.stdout).cases;
    assert.deepEqual(Object.keys(report).slice(0, 6), ['file', 'status', 'forbiddenPairs', 'forbiddenContacts', 'pairs', 'unknownLabels']);
    assert.ok('reference' in report);
    assert.equal(report.forbiddenPairs, 3);
    assert.equal(report.forbiddenContacts, 3 * 386);
    for (const p of report.pairs) assert.deepEqual([p.contacts, [...p.voxels].sort((a: number, b: number) => a - b)], [386, [26, 98]]);
  });

  test('a CSV prior with --names gives the same report', () => {
    const json = JSON.parse(runCli(['check', fx.aalIslands, '--prior', fx.aalPrior, '--json']).stdout);
    const csv = JSON.parse(runCli(['check', fx.aalIslands, '--prior', fx.aalPriorCsv, '--names', 'data/aal.nii.txt', '--json']).stdout);
    assert.deepEqual(csv.cases[0].pairs, json.cases[0].pairs);
  });

  test('HarvardOxford against the AAL prior: label sets differ and it says so', () => {
    const r = runCli(['check', 'data/HarvardOxford-cort-maxprob-thr0-1mm.nii.gz', '--prior', fx.aalPrior]);
    assert.equal(r.exitCode, 1);
    assert.match(r.stdout, /labels: 49 in the segmentation, 117 in the prior; absent from the segmentation: 49–116/);
  });

  test('--json: provenance (tool, prior path and SHA-256, options) and cases, valid against the schema', () => {
    const r = runCli(['check', fx.aalIslands, fx.cube, '--prior', fx.aalPrior, '--names', 'data/aal.nii.txt', '--connectivity', '18', '--json']);
    assert.equal(r.exitCode, 1);
    const doc = checkJson(r.stdout);
    const sha = (file: string) => spawnSync('sha256sum', [file], { encoding: 'utf8' }).stdout.split(' ')[0];
    assert.deepEqual(doc.tool, { name: 'nonadj', version: JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version });
    assert.deepEqual(doc.prior, { path: fx.aalPrior, sha256: sha(fx.aalPrior), numLabels: 117 });
    assert.deepEqual(doc.options, { connectivity: 18, radius: 1, names: { path: 'data/aal.nii.txt', sha256: sha('data/aal.nii.txt') }, allowFloatLabels: false, keepGoing: false });
    assert.deepEqual(doc.summary, { cases: 2, clean: 0, flagged: 2, errors: 0 });
    assert.deepEqual(doc.cases.map((c) => c.file), [fx.aalIslands, fx.cube]);
  });

  test('--keep-going: an unreadable case is an error entry in text, JSON and CSV, the others are reported, exit 2', () => {
    const args = ['check', fx.cube, broken, fx.clean, '--prior', fx.smallPrior, '--keep-going', '-q'];
    const text = runCli(args);
    assert.equal(text.exitCode, 2);
    assert.match(text.stdout, /cube\.nii\.gz: 1 forbidden pair, 386 forbidden contacts/);
    assert.match(text.stdout, /broken\.nii\.gz: error: readNifti: .*broken\.nii\.gz: .*not NIfTI/);
    assert.match(text.stdout, /clean\.nii\.gz: 0 forbidden pairs/);
    assert.match(text.stdout, /3 files, 1 with forbidden contacts, 1 not checked \(errors\)/);
    assert.match(text.stderr, /^nonadj check: readNifti: .*broken\.nii\.gz/m);
    const doc = checkJson(runCli([...args, '--json']).stdout);
    assert.deepEqual(doc.cases.map((c) => c.status), ['ok', 'error', 'ok']);
    assert.deepEqual(doc.summary, { cases: 3, clean: 1, flagged: 1, errors: 1 });
    assert.equal(doc.options.keepGoing, true);
    const csv = runCli([...args, '--csv']);
    assert.equal(csv.exitCode, 2);
    const lines = csv.stdout.trimEnd().split('\n');
    assert.match(lines[0], /^# nonadj \d+\.\d+\.\d+; prior .*small-graph\.json sha256 [0-9a-f]{64}; connectivity 26; radius 1; names -; allow-float-labels false$/);
    // file, status, 25 empty fields, error.
    assert.match(lines[3], /broken\.nii\.gz,error,{26}"readNifti: .*not NIfTI"$/);
    // Without --keep-going: one line naming the file, no report, exit 2.
    const stop = runCli(['check', fx.cube, broken, fx.clean, '--prior', fx.smallPrior, '-q']);
    assert.deepEqual([stop.exitCode, stop.stdout], [2, '']);
    assert.match(stop.stderr, /^nonadj check: readNifti: .*broken\.nii\.gz: .*\n$/);
  });

  test('--jobs 1 and --jobs 2 print the same bytes; progress on stderr, one line per case', () => {
    const files = [fx.aalIslands, fx.cube, fx.clean, fx.unknown, fx.aalIslands];
    const one = runCli(['check', ...files, '--prior', fx.smallPrior, '--jobs', '1', '--json', '--no-fail']);
    const two = runCli(['check', ...files, '--prior', fx.smallPrior, '--jobs', '2', '--json', '--no-fail']);
    assert.equal(one.exitCode, 0);
    assert.equal(two.stdout, one.stdout);
    assert.equal(two.stderr.split('\n').filter((l) => /^check: \d\/5 /.test(l)).length, 5);
  });

  test('a BIDS derivatives dataset: its sub-*/[ses-*/]anat/*_dseg files, not the images beside them', () => {
    const doc = checkJson(runCli(['check', bids, '--prior', fx.smallPrior, '--json', '-q']).stdout);
    assert.deepEqual(doc.cases.map((c: { file: string }) => path.relative(bids, c.file)), [
      'sub-01/anat/sub-01_desc-synthseg_dseg.nii.gz',
      'sub-02/ses-1/anat/sub-02_ses-1_desc-synthseg_dseg.nii.gz',
    ]);
    assert.deepEqual([okCase(doc, 0).forbiddenContacts, okCase(doc, 1).forbiddenContacts], [386, 0]);
  });

  test('guards (check and extract): a float map, a T1 image; --allow-float-labels reads whole-number floats as labels', () => {
    const float = runCli(['check', floatMap, '--prior', fx.smallPrior]);
    assert.equal(float.exitCode, 2);
    assert.equal(float.stderr, `nonadj check: ${floatMap}: stored as float32, expected an integer datatype for a label map (its 2 values are whole numbers); --allow-float-labels reads it as labels anyway\n`);
    const allowed = runCli(['check', floatMap, '--prior', fx.smallPrior, '--allow-float-labels', '--json']);
    assert.equal(allowed.exitCode, 1);
    assert.equal(okCase(checkJson(allowed.stdout), 0).forbiddenContacts, 386);
    // extract reads its exams through the same guard, with the same flag.
    const refused = runCli(['extract', path.join(fx.dir, 'float-prior'), '--files', floatMap, '-q']);
    assert.equal(refused.exitCode, 2);
    assert.match(refused.stderr, /^nonadj extract: .*float-whole\.nii\.gz: stored as float32, .*--allow-float-labels/);
    assert.equal(runCli(['extract', path.join(fx.dir, 'float-prior'), '--files', floatMap, '-q', '--allow-float-labels']).exitCode, 0);
    const t1 = runCli(['check', 'data/ch2.nii.gz', '--prior', fx.aalPrior]);
    assert.equal(t1.exitCode, 2);
    assert.match(t1.stderr, /^nonadj check: data\/ch2\.nii\.gz: 249 distinct values and 91 % of neighbouring voxels differ \(uint8\); .*is this an image, e\.g\. a T1\?; --allow-float-labels reads it as labels anyway\n$/);
  });

  test('--report: a self-contained page, cases ranked by forbidden contacts, one view command per flagged case', () => {
    const report = path.join(fx.dir, 'qc.html');
    const r = runCli(['check', fx.clean, fx.cube, fx.aalIslands, broken, '--prior', fx.smallPrior, '--keep-going', '--report', report, '-q', '--no-fail']);
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, /QC report: .*qc\.html/);
    const html = readFileSync(report, 'utf8');
    const ranking = html.slice(html.indexOf('<table id="ranking">'), html.indexOf('</table>', html.indexOf('<table id="ranking">')));
    assert.deepEqual([...ranking.matchAll(/<td class="file">(?:<a [^>]*>)?([^<]+)/g)].map((m) => path.basename(m[1])), ['aal-islands.nii.gz', 'cube.nii.gz', 'clean.nii.gz']);
    assert.equal((html.match(/<img class="px" src="data:image\/png;base64,/g) ?? []).length, 2);
    assert.ok(html.includes(`nonadj view ${fx.cube} --seg ${fx.cube} --prior ${fx.smallPrior}`));
    assert.match(html, /<table id="errors">.*broken\.nii\.gz/s);
  });

  test('a FreeSurfer aparc.a2009s-sized case (190 labels, codes up to 14175) through extract, check and the report', async () => {
    // AAL relabelled into the a2009s code set, its prior extracted (contiguous rows), islands pasted into a copy.
    const a2009s = relabelToA2009s(await readNiftiFile(path.join(ROOT, 'data', 'aal.nii.gz')));
    const atlas = path.join(fx.dir, 'a2009s.nii.gz');
    await writeNiftiFile(atlas, a2009s, { kind: 'labels' });
    const out = path.join(fx.dir, 'a2009s-prior');
    const extract = runCli(['extract', out, '--files', atlas, '--contiguous', '-q']);
    assert.equal(extract.exitCode, 0, extract.stderr);
    const priorFile = path.join(out, 'graph.json');
    const prior = await AdjacencyPrior.read(priorFile);
    assert.deepEqual([prior.numLabels, prior.labels.at(-1)], [191, 14175]);
    const pasted = pasteIslands(a2009s, { count: 5, prior, seed: 7, hosts: prior.labels.filter((c) => c > 0) });
    const islands = path.join(fx.dir, 'a2009s-islands.nii.gz');
    await writeNiftiFile(islands, pasted.volume, { kind: 'labels' });
    const report = path.join(fx.dir, 'a2009s-qc.html');
    // Peak memory of the whole process (GNU time, kB): the check of a 1 mm brain with 191 labels stays well under 1 GB.
    const timed = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, path.join(ROOT, 'bin', 'nonadj.js'), 'check', atlas, islands, '--prior', priorFile, '--json', '--report', report, '-q'], { encoding: 'utf8' });
    assert.equal(timed.status, 1, timed.stderr);
    const doc = checkJson(timed.stdout);
    assert.deepEqual([okCase(doc, 0).forbiddenPairs, okCase(doc, 1).forbiddenPairs], [0, 5]);
    assert.deepEqual([okCase(doc, 0).labelsInSegmentation, okCase(doc, 1).labelsInSegmentation], [191, 191]);
    assert.ok(okCase(doc, 1).pairs.every((p) => p.labels.every((code) => prior.labels.includes(code))));
    const peakKb = Number(timed.stderr.trim().split('\n').at(-1));
    assert.ok(peakKb < 1_000_000, `peak ${peakKb} kB`);
    assert.ok(existsSync(report));
    assert.match(readFileSync(report, 'utf8'), /<section class="case" id="case-1"><h3>1\. [^<]*a2009s-islands\.nii\.gz<\/h3>/);
  });
});
