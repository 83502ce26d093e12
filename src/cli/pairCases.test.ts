import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { pairCases } from './pairCases.js';

const j = (...parts: string[]) => path.join(...parts);

describe('pairCases', () => {
  test('folders: by relative path without extension (.nii and .nii.gz meet)', () => {
    const pairs = pairCases({ root: 'p', files: [j('p', 'b.nii.gz'), j('p', 'a.nii')] }, { root: 't', files: [j('t', 'a.nii.gz'), j('t', 'b.nii.gz')] });
    assert.deepEqual(pairs, [
      { case: 'a', prediction: j('p', 'a.nii'), truth: j('t', 'a.nii.gz') },
      { case: 'b', prediction: j('p', 'b.nii.gz'), truth: j('t', 'b.nii.gz') },
    ]);
  });
  test('folders: a file alone in its sub-folder is keyed by the folder', () => {
    const pairs = pairCases({ root: 'p', files: [j('p', 'c1', 'pred.nii.gz')] }, { root: 't', files: [j('t', 'c1', 'seg.nii.gz')] });
    assert.deepEqual(pairs, [{ case: 'c1', prediction: j('p', 'c1', 'pred.nii.gz'), truth: j('t', 'c1', 'seg.nii.gz') }]);
  });
  test('folders: unmatched cases are listed', () => {
    assert.throws(
      () => pairCases({ root: 'p', files: [j('p', 'a.nii.gz'), j('p', 'x.nii.gz')] }, { root: 't', files: [j('t', 'a.nii.gz'), j('t', 'y.nii.gz')] }),
      /no truth for 1 prediction case\(s\): x; no prediction for 1 truth case\(s\): y/,
    );
  });
  test('file lists: by base name when they match, else in order; counts must agree', () => {
    assert.deepEqual(
      pairCases({ root: null, files: ['x/b.nii.gz', 'x/a.nii.gz'] }, { root: null, files: ['y/a.nii.gz', 'y/b.nii.gz'] }).map((p) => [p.prediction, p.truth]),
      [['x/b.nii.gz', 'y/b.nii.gz'], ['x/a.nii.gz', 'y/a.nii.gz']],
    );
    assert.deepEqual(
      pairCases({ root: null, files: ['x/p1.nii.gz', 'x/p2.nii.gz'] }, { root: null, files: ['y/t1.nii.gz', 'y/t2.nii.gz'] }).map((p) => p.truth),
      ['y/t1.nii.gz', 'y/t2.nii.gz'],
    );
    assert.throws(() => pairCases({ root: null, files: ['a.nii'] }, { root: null, files: [] }), /1 prediction\(s\) and 0 truth file\(s\)/);
  });
});
