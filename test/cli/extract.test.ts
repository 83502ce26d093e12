/**
 * `nonadj extract` run as a user runs it (the built binary), on datasets made from the bundled AAL atlas.
 * `npm test` builds first; alone: `npm run build && node --import tsx --test test/cli/extract.test.ts`.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PNG } from 'pngjs';
import { AdjacencyPrior } from '../../src/prior/AdjacencyPrior.js';
import { makeVolume } from '../../src/volume/Volume.js';
import { readNiftiFile, writeNiftiFile } from '../../src/volume/niftiFile.js';
import { bruteForceAdjacency } from '../helpers/bruteForceAdjacency.js';
import { assertSnapshot, ROOT, runCli } from '../helpers/runCliSnapshot.js';

const AAL = path.join(ROOT, 'data', 'aal.nii.gz');
const SEG = 'prepro_seg_mni.nii.gz';
let tmp: string;

/** A dataset folder whose exams are links to files. */
async function dataset(name: string, exams: Record<string, string | null>): Promise<string> {
  const dir = path.join(tmp, name);
  for (const [id, file] of Object.entries(exams)) {
    await mkdir(path.join(dir, id), { recursive: true });
    if (file) await symlink(file, path.join(dir, id, SEG));
  }
  return dir;
}

describe('nonadj extract', () => {
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'nonadj-extract-'));
  });
  after(() => rm(tmp, { recursive: true, force: true }));

  test('on two AAL exams: the three files, counts = 2 × an independent brute-force count', async () => {
    const data = await dataset('aal2', { '1000': AAL, '1001': AAL });
    const out = path.join(tmp, 'prior');
    const run = runCli(['extract', data, out, '117', '--names', 'data/aal.nii.txt', '--threads', '2']);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.deepEqual((await readdir(out)).sort(), ['graph.json', 'graph.png', 'graph.png.csv']);

    const volume = await readNiftiFile(AAL, { expect: '3d' });
    const expected = bruteForceAdjacency(volume.data, volume.dims, 117);
    const csv = AdjacencyPrior.parseCsv(await readFile(path.join(out, 'graph.png.csv'), 'utf8'));
    assert.equal(csv.numLabels, 117);
    for (let k = 0; k < expected.length; k++) {
      if (csv.counts[k] !== 2 * expected[k]) assert.fail(`entry [${Math.floor(k / 117)}][${k % 117}]: ${csv.counts[k]} vs 2 × ${expected[k]}`);
    }
    // The background diagonal is far beyond float32's 2^24: exact integers are the point.
    assert.ok(csv.counts[0] > 2 ** 24);

    const json = AdjacencyPrior.parseJson(await readFile(path.join(out, 'graph.json'), 'utf8'));
    assert.deepEqual([...json.counts], [...csv.counts]);
    assert.equal(json.names[1], 'Precentral_L');
    assert.equal(json.names[0], null);
    assert.deepEqual(json.exams.map((e) => [e.id, e.dims]), [['1000', [181, 217, 181]], ['1001', [181, 217, 181]]]);
    assert.equal(json.toJson().forbiddenOrderedPairs, 13689 - 1313);

    const png = PNG.sync.read(await readFile(path.join(out, 'graph.png')));
    assert.equal(png.width, 117);
    assert.equal(png.data[(1 * 117 + 1) * 4], 255); // Precentral_L touches itself
  });

  test('--files, inferred nb_labels, --contiguous and the 6-neighbourhood', async () => {
    // Labels 0, 5 and 9 only: six voxels in a row 0 0 5 5 9 9.
    const small = path.join(tmp, 'small.nii.gz');
    await writeNiftiFile(small, makeVolume([6, 1, 1], Uint8Array.from([0, 0, 5, 5, 9, 9])), { kind: 'labels' });
    const out = path.join(tmp, 'small-prior');
    const run = runCli(['extract', out, '--files', small, '--contiguous', '--connectivity', '6']);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.match(run.stderr, /nb_labels not given: using 10 \(largest label \+ 1\)/);
    assert.match(run.stderr, /relabelled to 3 contiguous labels: 7 label\(s\) never occur \(1, 2, 3, 4, 6, 7, 8\)/);
    const prior = AdjacencyPrior.parseJson(await readFile(path.join(out, 'graph.json'), 'utf8'));
    assert.deepEqual(prior.labels, [0, 5, 9]);
    // 0|0, 0|5, 5|5, 5|9, 9|9 along x; each unordered pair seen from both ends.
    assert.deepEqual([...prior.counts], [2, 1, 0, 1, 2, 1, 0, 1, 2]);
    assert.equal(prior.connectivity, 6);
  });

  test('errors: one line naming the file and value, exit 2, no output written', async () => {
    const empty = path.join(tmp, 'empty');
    await mkdir(empty);
    const notNifti = path.join(tmp, 'not-nifti.nii.gz');
    await writeFile(notNifti, 'hello, this is not an image\n'.repeat(20));
    const truncated = path.join(tmp, 'truncated.nii.gz');
    const aalBytes = await readFile(AAL);
    await writeFile(truncated, aalBytes.subarray(0, aalBytes.length >> 1));
    const fourD = path.join(tmp, 'four-d.nii.gz');
    await writeNiftiFile(fourD, makeVolume([2, 2, 1], new Uint8Array(8)), { kind: 'labels' });
    const fractional = path.join(tmp, 'fractional.nii.gz');
    await writeNiftiFile(fractional, makeVolume([2, 1, 1], Float32Array.from([0, 1.5])), { kind: 'image' });
    const negative = path.join(tmp, 'negative.nii.gz');
    await writeNiftiFile(negative, makeVolume([3, 1, 1], Int16Array.from([0, -2, -2])), { kind: 'labels' });
    const partial = await dataset('partial', { a: AAL, b: null });
    const blocker = path.join(tmp, 'a-file');
    await writeFile(blocker, 'x');

    const cases: string[][] = [
      ['extract', path.join(tmp, 'missing'), path.join(tmp, 'o1')],
      ['extract', empty, path.join(tmp, 'o2')],
      ['extract', partial, path.join(tmp, 'o3')],
      ['extract', path.join(tmp, 'o4'), '--files', notNifti],
      ['extract', path.join(tmp, 'o5'), '--files', truncated],
      ['extract', path.join(tmp, 'o6'), '--files', fourD],
      ['extract', path.join(tmp, 'o7'), '--files', fractional],
      ['extract', path.join(tmp, 'o8'), '--files', negative],
      ['extract', path.join(tmp, 'o9'), '100', '--files', AAL],
      ['extract', path.join(blocker, 'out'), '--files', AAL],
      ['extract', path.join(tmp, 'o10'), '--files', AAL, '--connectivity', '8'],
      ['extract', path.join(tmp, 'o11'), 'many', '--files', AAL],
    ];
    const runs = cases.map((args) => runCli(args));
    for (const r of runs) {
      assert.equal(r.exitCode, 2, `${r.args.join(' ')}\n${r.stderr}`);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
    // Nothing written where the runs failed (o4..o11 may exist as folders, but hold no graph file).
    for (const name of ['o1', 'o2', 'o3', 'o4', 'o5', 'o6', 'o7', 'o8', 'o9', 'o10', 'o11']) {
      const files = await readdir(path.join(tmp, name)).catch(() => []);
      assert.deepEqual(files, [], `${name} holds ${files.join(', ')}`);
    }
    // --skip-missing continues with the exams that have a label map.
    const skip = runCli(['extract', partial, path.join(tmp, 'o12'), '117', '--skip-missing']);
    assert.equal(skip.exitCode, 0, skip.stderr);
    assert.match(skip.stderr, /skipped exam b: no prepro_seg_mni\.nii\.gz/);
    runs.push(skip);
    assertSnapshot('extract-errors', runs, [[tmp, '<tmp>'], [ROOT, '<repo>']]);
  });
});
