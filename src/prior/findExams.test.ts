import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { examsFromFiles, findExams } from './findExams.js';

describe('findExams', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'nonadj-find-'));
    for (const id of ['10', '2', '1']) {
      await mkdir(path.join(dir, id));
      await writeFile(path.join(dir, id, 'seg.nii.gz'), '');
    }
    await mkdir(path.join(dir, 'notes'));
    await writeFile(path.join(dir, 'README.txt'), 'not an exam');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('natural order, plain files ignored, folders without the label map reported', async () => {
    await assert.rejects(findExams(dir, { segName: 'seg.nii.gz' }), /1 of 4 exam folders .* lack the label map: notes \(no seg\.nii\.gz\)/);
    const { exams, skipped } = await findExams(dir, { segName: 'seg.nii.gz', skipMissing: true });
    assert.deepEqual(exams.map((e) => e.id), ['1', '2', '10']);
    assert.equal(exams[2].file, path.join(dir, '10', 'seg.nii.gz'));
    assert.deepEqual(skipped, [{ id: 'notes', reason: 'no seg.nii.gz' }]);
  });

  test('a missing folder, a file instead of a folder, no exam holding the label map', async () => {
    await assert.rejects(findExams(path.join(dir, 'nope')), /data folder .*nope does not exist/);
    await assert.rejects(findExams(path.join(dir, 'README.txt')), /README\.txt is not a folder/);
    await assert.rejects(findExams(dir, { segName: 'other.nii.gz', skipMissing: true }), /no exam in .* holds other\.nii\.gz/);
  });

  test('examsFromFiles names each exam after its file', () => {
    assert.deepEqual(examsFromFiles(['a/b/s1.nii.gz', 'c/S2.NII']), [
      { id: 's1', file: 'a/b/s1.nii.gz' },
      { id: 'S2', file: 'c/S2.NII' },
    ]);
  });
});
