import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { tempDir, volumeFrom, writeExamFolders } from '../../test/helpers/trainingDataFixtures.js';
import { findTrainingExams } from './findTrainingExams.js';

const image = volumeFrom([2, 2, 2], (i) => i);
const label = volumeFrom([2, 2, 2], (i) => i, Uint8Array);
const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
async function dataset(exams: Array<{ id: string; image: boolean; label: boolean }>): Promise<string> {
  const dir = await tempDir();
  dirs.push(dir);
  await writeExamFolders(dir, exams.map((e) => ({ id: e.id, image: e.image ? image : null, label: e.label ? label : null })));
  return dir;
}

describe('findTrainingExams', () => {
  test('lists exam folders in natural order with both files', async () => {
    const dir = await dataset(['10', '2', '1'].map((id) => ({ id, image: true, label: true })));
    await writeFile(path.join(dir, 'notes.txt'), 'ignored');
    const exams = await findTrainingExams(dir);
    assert.deepEqual(exams.map((e) => e.id), ['1', '2', '10']);
    assert.deepEqual(exams[0], { id: '1', image: path.join(dir, '1', 'prepro_im_mni_bc.nii.gz'), label: path.join(dir, '1', 'prepro_seg_mni.nii.gz') });
  });

  test('names every exam folder missing a file, and the file', async () => {
    const dir = await dataset([
      { id: 'a', image: true, label: true },
      { id: 'b', image: true, label: false },
      { id: 'c', image: false, label: false },
    ]);
    await assert.rejects(findTrainingExams(dir), (e: Error) => {
      assert.match(e.message, /findTrainingExams: 2 exam folders in .* lack a file: b \(no prepro_seg_mni\.nii\.gz\); c \(no prepro_im_mni_bc\.nii\.gz, no prepro_seg_mni\.nii\.gz\)/);
      return true;
    });
  });

  test('configurable names', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    await writeExamFolders(dir, [{ id: 's1', image, label }], { image: 't1.nii', label: 'seg.nii' });
    const exams = await findTrainingExams(dir, { imageName: 't1.nii', labelName: 'seg.nii' });
    assert.equal(exams[0].label, path.join(dir, 's1', 'seg.nii'));
    await assert.rejects(findTrainingExams(dir), /s1 \(no prepro_im_mni_bc\.nii\.gz, no prepro_seg_mni\.nii\.gz\)/);
  });

  test('unlabelled folder: sub-folders with the image (label attached if present) and plain image files', async () => {
    const dir = await dataset([
      { id: 'u2', image: true, label: false },
      { id: 'u1', image: true, label: true },
    ]);
    await writeFile(path.join(dir, 'x10.nii.gz'), '');
    await writeFile(path.join(dir, 'x9.nii'), '');
    await writeFile(path.join(dir, 'readme.md'), '');
    const exams = await findTrainingExams(dir, { requireLabels: false });
    assert.deepEqual(exams.map((e) => [e.id, e.label !== undefined]), [['u1', true], ['u2', false], ['x9', false], ['x10', false]]);
    assert.equal(exams[3].image, path.join(dir, 'x10.nii.gz'));
  });

  test('missing, non-folder and empty datasets', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    await assert.rejects(findTrainingExams(path.join(dir, 'nope')), /dataset folder .*nope does not exist; expected one sub-folder per exam holding prepro_im_mni_bc\.nii\.gz and prepro_seg_mni\.nii\.gz/);
    await writeFile(path.join(dir, 'file'), '');
    await assert.rejects(findTrainingExams(path.join(dir, 'file')), /is not a folder/);
    await mkdir(path.join(dir, 'empty'));
    await assert.rejects(findTrainingExams(path.join(dir, 'empty')), /no exam in .*empty/);
  });
});
