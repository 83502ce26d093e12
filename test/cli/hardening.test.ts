/**
 * Regression tests for the failures of the fault-injection pass (issue 12), run on the built binary: each case is
 * one reproduced failure, and must now end in exit code 2 with one line naming the file and the value (or succeed
 * with bounded memory where the input is legitimate).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { readNiftiFile } from '../../src/volume/niftiFile.js';
import { buildNifti, type RawNiftiSpec } from '../helpers/niftiFixtures.js';
import { assertSnapshot, runCli, type CliRun } from '../helpers/runCliSnapshot.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'nonadj-harden-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const N = 40;
/** A 40³ map of four octant-like blocks carrying `codes` (x < 20 / ≥ 20, z < 20 / ≥ 20). */
const blocks = (codes: number[]) =>
  Array.from({ length: N ** 3 }, (_, v) => codes[((v % N) < 20 ? 0 : 1) + (Math.floor(v / (N * N)) < 20 ? 0 : 2)]);
function nifti(name: string, spec: Partial<RawNiftiSpec> & { data: ArrayLike<number> }, patch?: (view: DataView) => void): string {
  const bytes = buildNifti({ dim: [3, N, N, N], datatype: 512, ...spec });
  patch?.(new DataView(bytes.buffer));
  const file = path.join(tmp, name);
  writeFileSync(file, name.endsWith('.gz') ? gzipSync(bytes) : bytes);
  return file;
}
const fs = nifti('fs.nii.gz', { data: blocks([0, 2, 11175, 14175]) });
const big = nifti('big.nii.gz', { datatype: 768, data: blocks([0, 2, 2 ** 31 - 1, 4e9]) });
const huge = nifti('huge.nii.gz', { datatype: 64, data: blocks([0, 2, 1e30, 5]) });
const slope = nifti('slope.nii.gz', { sclSlope: 351, data: blocks([0, 2, 100, 110]) });
const shifted = nifti('shifted.nii', { data: blocks([0, 2, 3, 4]) }, (v) => v.setFloat32(108, 349, true));
const infinite = nifti('infinite.nii.gz', { sformCode: 2, srow: [1, 0, 0, 0, 0, 1, 0, -Infinity, 0, 0, 1, 0], data: blocks([0, 2, 3, 4]) });
const qformOnly = nifti('qform.nii.gz', { qformCode: 1, sformCode: 0, quatern: [0, 0, 0.25], qoffset: [-20, -20, -20], data: blocks([0, 2, 3, 4]) });
const bombFile = path.join(tmp, 'bomb.nii.gz');
writeFileSync(bombFile, gzipSync(Buffer.concat([buildNifti({ dim: [3, N, N, N], datatype: 512, data: blocks([0, 2, 3, 4]) }), Buffer.alloc(64 * 2 ** 20)])));

/** graph.json variants: the good one extracted by the CLI, mutated. */
function prior(name: string, mutate: (doc: any) => unknown): string {
  const doc = JSON.parse(readFileSync(path.join(tmp, 'p-fs', 'graph.json'), 'utf8'));
  const file = path.join(tmp, name);
  writeFileSync(file, JSON.stringify(mutate(doc)));
  return file;
}

function expectOneLineError(r: CliRun, pattern: RegExp): void {
  assert.equal(r.exitCode, 2, `${r.args.join(' ')}\n${r.stderr}`);
  // One line, plus commander's pointer to --help after an option error.
  const lines = r.stderr.trimEnd().split('\n').filter((line) => !/^\(see nonadj .*--help\)$/.test(line));
  assert.equal(lines.length, 1, `one line: ${r.stderr}`);
  assert.match(r.stderr, pattern);
}

describe('issue 12: fault-injection regressions (built binary)', () => {
  test('large label codes: memory follows the labels present; limits named with the file and the label', () => {
    const runs: CliRun[] = [];
    const run = (args: string[]) => (runs.push(runCli(args)), runs.at(-1)!);
    expectOneLineError(run(['extract', path.join(tmp, 'x1'), '--files', fs, '-q']), /fs\.nii\.gz needs a 14176×14176 prior .* over the limit of 4096 labels; relabel to the 4 labels present with --contiguous/);
    expectOneLineError(run(['extract', path.join(tmp, 'x2'), '20000', '--files', fs, '-q']), /nb_labels is 20000, over the limit of 4096/);
    // A float64 map is refused as such first (assertPlausibleLabelMap); allowed, its 1e30 is still refused as a label.
    expectOneLineError(run(['extract', path.join(tmp, 'x3'), '--files', huge, '-q']), /huge\.nii\.gz: stored as float64, expected an integer datatype .*--allow-float-labels/);
    expectOneLineError(run(['extract', path.join(tmp, 'x3'), '--files', huge, '-q', '--allow-float-labels']), /huge\.nii\.gz: voxel \d+ holds 1e\+30, expected a label in 0 … 2\^53/);
    for (const [file, out] of [[fs, 'p-fs'], [big, 'p-big'], [slope, 'p-slope']]) {
      const r = run(['extract', path.join(tmp, out), '--files', file, '--contiguous', '-q']);
      assert.equal(r.exitCode, 0, r.stderr);
      assert.match(r.stdout, /labels: {3}4 \(/);
    }
    assert.deepEqual(JSON.parse(readFileSync(path.join(tmp, 'p-big', 'graph.json'), 'utf8')).labels, [0, 2, 2147483647, 4000000000]);
    assert.equal(run(['check', big, '--prior', path.join(tmp, 'p-big', 'graph.json')]).exitCode, 0);
    const r = run(['evaluate', '--pred', fs, '--truth', fs, '--json']);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).cases[0].result.labels.map((l: { label: number; dice: number }) => [l.label, l.dice]), [[2, 1], [11175, 1], [14175, 1]]);
    assertSnapshot('hardening-labels', runs.filter((x) => x.args[0] !== 'evaluate'), [[tmp, '<tmp>']]);
  });

  test('radius, connectivity and malformed priors: exit 2 naming the file', () => {
    const good = path.join(tmp, 'p-fs', 'graph.json');
    const cases: Array<[string[], RegExp]> = [
      [['check', fs, '--prior', good, '--radius', '1000'], /option '--radius <r>' argument '1000' is invalid\. expected an integer in 1 … 10/],
      [['extract', path.join(tmp, 'x4'), '--files', fs, '--radius', '11', '-q'], /expected an integer in 1 … 10/],
      [['check', fs, '--prior', prior('radius.json', (d) => ({ ...d, radius: 1000 }))], /radius\.json: radius is 1000, expected an integer in 1 … 10/],
      [['check', fs, '--prior', prior('null.json', () => null)], /null\.json: the document is null, expected a JSON object/],
      [['check', fs, '--prior', prior('conn.json', (d) => ({ ...d, connectivity: '26' }))], /conn\.json: connectivity is "26", expected the number 6, 18 or 26/],
      [['check', fs, '--prior', prior('strings.json', (d) => ({ ...d, labels: d.labels.map(String) }))], /strings\.json: labels\[0\] is "0", expected an integer label code/],
      [['check', fs, '--prior', prior('dup.json', (d) => ({ ...d, labels: [0, 2, 2, 14175] }))], /dup\.json: labels\[2\] is 2, expected a code not used before/],
      [['check', fs, '--prior', prior('nullcount.json', (d) => ((d.counts[0][1] = null), d))], /nullcount\.json: counts\[0\]\[1\] is null, expected a non-negative integer/],
      [['check', fs, '--prior', prior('nested.json', (d) => ((d.counts[1][1] = [d.counts[1][1]]), d))], /nested\.json: counts\[1\]\[1\] is \[\d+\]/],
      [['check', shifted, '--prior', good], /shifted\.nii: vox_offset is 349, inside the 352-byte header/],
      [['check', infinite, '--prior', good], /infinite\.nii\.gz: srow_y\[3\] is -Infinity with sform_code 2, expected a finite value/],
      [['check', bombFile, '--prior', good], /bomb\.nii\.gz: gzip stream inflates to more than \d+ bytes, the header needs 128352 .* refused/],
      [['extract', path.join(tmp, 'x5'), '--files', bombFile, '-q'], /bomb\.nii\.gz: gzip stream inflates/],
      [['repair', fs, fs, '--prior', good], /output .*fs\.nii\.gz is the input; pass --in-place to replace it/],
    ];
    const runs = cases.map(([args, pattern]) => {
      const r = runCli(args);
      expectOneLineError(r, pattern);
      return r;
    });
    assertSnapshot('hardening-errors', runs, [[tmp, '<tmp>']]);
  });

  test('repair keeps the input datatype and qform-only codes; --in-place replaces the input', async () => {
    const good = path.join(tmp, 'p-fs', 'graph.json');
    const out = path.join(tmp, 'repaired.nii.gz');
    assert.equal(runCli(['repair', fs, out, '--prior', good]).exitCode, 0);
    assert.equal((await readNiftiFile(out)).header.datatype, 'uint16');
    const qprior = path.join(tmp, 'p-q');
    assert.equal(runCli(['extract', qprior, '--files', qformOnly, '-q']).exitCode, 0);
    const qout = path.join(tmp, 'q-repaired.nii');
    assert.equal(runCli(['repair', qformOnly, qout, '--prior', path.join(qprior, 'graph.json')]).exitCode, 0);
    const back = await readNiftiFile(qout);
    assert.deepEqual([back.header.qformCode, back.header.sformCode, back.header.datatype], [1, 0, 'uint16']);
    const r = runCli(['repair', out, out, '--prior', good, '--in-place']);
    assert.equal(r.exitCode, 0, r.stderr);
  });
});
