/**
 * A FreeSurfer aparc.a2009s-sized parcellation (190 codes up to 14 175 and background; `relabelToA2009s`, made
 * from the bundled AAL atlas) through `nonadj extract` as a user runs it (the built binary), against an independent
 * brute-force count over compact indices. `npm run build` first when run alone.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { AdjacencyPrior } from '../../src/prior/AdjacencyPrior.js';
import { relabelToA2009s } from '../../src/synth/relabelToA2009s.js';
import { readNiftiFile, writeNiftiFile } from '../../src/volume/niftiFile.js';
import { bruteForceAdjacency } from '../helpers/bruteForceAdjacency.js';
import { ROOT, runCli } from '../helpers/runCliSnapshot.js';

let tmp: string;
let file: string;
let codes: number[];
let compact: Int32Array;
let dims: [number, number, number];

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'nonadj-a2009s-'));
  const aal = await readNiftiFile(path.join(ROOT, 'data/aal.nii.gz'), { expect: '3d' });
  dims = aal.dims;
  const relabelled = relabelToA2009s(aal);
  const labels = relabelled.data;
  file = path.join(tmp, 'aparc.a2009s+aseg.nii.gz');
  await writeNiftiFile(file, relabelled, { kind: 'labels' });
  codes = [...new Set(labels)].sort((a, b) => a - b);
  const index = new Map(codes.map((c, i) => [c, i]));
  compact = Int32Array.from(labels, (c) => index.get(c)!);
});
after(() => rm(tmp, { recursive: true, force: true }));

test('extract --contiguous on 190 codes up to 14 175 (191 labels with background) = a brute-force count over the labels present', () => {
  assert.equal(codes.length, 191);
  assert.equal(codes.at(-1), 14175);
  const out = path.join(tmp, 'prior');
  const run = runCli(['extract', out, '--files', file, '--contiguous', '-q']);
  assert.equal(run.exitCode, 0, run.stderr);
  assert.match(run.stdout, /labels: {3}191 \(connectivity 26, radius 1\)/);
  return readFile(path.join(out, 'graph.json'), 'utf8').then((text) => {
    const prior = AdjacencyPrior.parseJson(text);
    assert.deepEqual(prior.labels, codes);
    const expected = bruteForceAdjacency(compact, dims, codes.length);
    for (let k = 0; k < expected.length; k++) {
      if (prior.counts[k] !== expected[k]) assert.fail(`pair (${codes[Math.floor(k / codes.length)]}, ${codes[k % codes.length]}): ${prior.counts[k]} vs ${expected[k]}`);
    }
  });
});

test('without --contiguous the dense 14 176-row prior is refused, naming the file and the way out', () => {
  const run = runCli(['extract', path.join(tmp, 'dense'), '--files', file, '-q']);
  assert.equal(run.exitCode, 2);
  assert.match(run.stderr, /label 14175 in .*aparc\.a2009s\+aseg\.nii\.gz needs a 14176×14176 prior .* relabel to the 191 labels present with --contiguous/);
});
