import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stripVolumeExtension, volumeExtension } from './volumeExtension.js';

test('volumeExtension: the four endings in any case, nothing else', () => {
  const cases: Array<[string, string | null]> = [
    ['a.nii', '.nii'], ['a.nii.gz', '.nii.gz'], ['A.NII.GZ', '.nii.gz'], ['sub/T1.mgz', '.mgz'], ['aseg.MGH', '.mgh'],
    ['aal.nii.txt', null], ['x.gz', null], ['mgz', null], ['a.img', null],
  ];
  for (const [name, ext] of cases) assert.equal(volumeExtension(name), ext, name);
});

test('stripVolumeExtension removes exactly the ending', () => {
  assert.equal(stripVolumeExtension('case1/seg.nii.gz'), 'case1/seg');
  assert.equal(stripVolumeExtension('orig.mgz'), 'orig');
  assert.equal(stripVolumeExtension('notes.txt'), 'notes.txt');
});
