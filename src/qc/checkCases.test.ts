import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import { writeNiftiFile } from '../volume/niftiFile.js';
import { makeVolume } from '../volume/Volume.js';
import { checkCases, type CheckedCase } from './checkCases.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'nonadj-check-cases-'));
const file = (name: string) => path.join(dir, name);
// Labels 0, 1, 2; only each label with itself is allowed.
const prior = AdjacencyPrior.fromCounts([[1, 0, 0], [0, 1, 0], [0, 0, 1]], { names: ['bg', 'host', 'island'] });

/** 9×9×9 host 1 with a c³ cube of 2 at the corner [2..]: c = 3 gives 386 contacts in a 26-neighbourhood. */
function cube(c: number) {
  const data = new Uint8Array(729).fill(1);
  for (let k = 2; k < 2 + c; k++) for (let j = 2; j < 2 + c; j++) for (let i = 2; i < 2 + c; i++) data[i + 9 * (j + 9 * k)] = 2;
  return makeVolume([9, 9, 9], data);
}

before(async () => {
  await writeNiftiFile(file('cube3.nii.gz'), cube(3), { kind: 'labels' });
  await writeNiftiFile(file('cube2.nii.gz'), cube(2), { kind: 'labels' });
  await writeNiftiFile(file('clean.nii.gz'), cube(0), { kind: 'labels' });
  writeFileSync(file('broken-a.nii.gz'), 'not nifti');
  writeFileSync(file('broken-b.nii.gz'), 'not nifti either');
});
after(() => rmSync(dir, { recursive: true, force: true }));

const summary = (cases: CheckedCase[]) => cases.map((c) => (c.status === 'ok' ? [path.basename(c.file), c.result.forbiddenContacts] : [path.basename(c.file), 'error']));

describe('checkCases', () => {
  test('results in input order and equal for 1 and 2 workers; progress once per case', async () => {
    const files = ['cube2.nii.gz', 'clean.nii.gz', 'cube3.nii.gz', 'cube2.nii.gz'].map(file);
    const seen: number[] = [];
    const one = await checkCases(files, prior, { jobs: 1 });
    const two = await checkCases(files, prior, { jobs: 2, onCaseDone: (_c, done, total) => seen.push(done, total) });
    // A 2³ cube: each of its 8 voxels has 26 neighbours, 7 of them in the cube: 8 · 19 = 152 contacts.
    assert.deepEqual(summary(one), [['cube2.nii.gz', 152], ['clean.nii.gz', 0], ['cube3.nii.gz', 386], ['cube2.nii.gz', 152]]);
    assert.deepEqual(two, one);
    assert.deepEqual(seen, [1, 4, 2, 4, 3, 4, 4, 4]);
  });

  test('--keep-going: an unreadable case becomes an error entry, the others are checked', async () => {
    for (const jobs of [1, 2]) {
      const cases = await checkCases([file('cube3.nii.gz'), file('broken-a.nii.gz'), file('clean.nii.gz')], prior, { jobs, keepGoing: true });
      assert.deepEqual(summary(cases), [['cube3.nii.gz', 386], ['broken-a.nii.gz', 'error'], ['clean.nii.gz', 0]]);
      assert.match((cases[1] as { error: string }).error, /broken-a\.nii\.gz: .*not NIfTI/);
    }
  });

  test('without --keep-going: the error of the first bad case in input order, whatever the workers', async () => {
    const files = [file('cube3.nii.gz'), file('broken-a.nii.gz'), file('broken-b.nii.gz'), file('clean.nii.gz')];
    for (const jobs of [1, 2, 3]) await assert.rejects(checkCases(files, prior, { jobs }), /broken-a\.nii\.gz/);
  });

  test('thumbnails only when asked, only for flagged cases; image-like maps refused unless allowed', async () => {
    const cases = await checkCases([file('cube3.nii.gz'), file('clean.nii.gz')], prior, { jobs: 2, thumbnail: true });
    assert.deepEqual(cases.map((c) => c.status === 'ok' && c.thumbnail !== null), [true, false]);
    const plain = await checkCases([file('cube3.nii.gz')], prior, { jobs: 1 });
    assert.equal(plain[0].status === 'ok' && plain[0].thumbnail, null);
    await writeNiftiFile(file('float.nii.gz'), makeVolume([9, 9, 9], new Float32Array(729).fill(1)), { kind: 'image' });
    await assert.rejects(checkCases([file('float.nii.gz')], prior, { jobs: 1 }), /float\.nii\.gz: stored as float32.*--allow-float-labels/);
    const allowed = await checkCases([file('float.nii.gz')], prior, { jobs: 2, allowFloatLabels: true });
    assert.equal(allowed[0].status, 'ok');
  });
});
