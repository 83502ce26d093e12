import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { parseLabelNames } from './parseLabelNames.js';

describe('parseLabelNames', () => {
  test('MRIcron index name code (aal.nii.txt)', async () => {
    const { format, entries } = parseLabelNames(await readFile('data/aal.nii.txt', 'utf8'), 'aal.nii.txt');
    assert.equal(format, 'index-name');
    assert.equal(entries.size, 116);
    assert.deepEqual(entries.get(1), { name: 'Precentral_L' });
    assert.deepEqual(entries.get(116), { name: 'Vermis_10' });
  });

  test('tab-separated with CRLF (JHU)', async () => {
    const { entries } = parseLabelNames(await readFile('data/JHU-WhiteMatter-labels-1mm.nii.txt', 'utf8'));
    assert.equal(entries.get(0)?.name, 'Unclassified');
    assert.equal(entries.get(2)?.name, 'Pontine_crossing_tract_(a_part_of_MCP)');
  });

  test('FreeSurfer LUT with comments', () => {
    const lut = '#$Id: FreeSurferColorLUT.txt\n#No. Label Name:  R   G   B   A\n\n0   Unknown  0   0   0   0\n17  Left-Hippocampus  220 216 20  0\n';
    const { format, entries } = parseLabelNames(lut);
    assert.equal(format, 'freesurfer');
    assert.deepEqual(entries.get(17), { name: 'Left-Hippocampus', rgb: [220, 216, 20] });
  });

  test('ITK-SNAP label description with spaces in names', () => {
    const snap = '# ITK-SnAP Label Description File\n    0     0    0    0        0  0  0    "Clear Label"\n    1   255    0    0        1  1  1    "Left thalamus"\n';
    const { format, entries } = parseLabelNames(snap);
    assert.equal(format, 'itk-snap');
    assert.deepEqual(entries.get(1), { name: 'Left thalamus', rgb: [255, 0, 0] });
  });

  test('errors name the file and line', () => {
    assert.throws(() => parseLabelNames('1 a\nxx\n', 'n.txt'), /n\.txt: line 2 is "xx", expected "index name"/);
    assert.throws(() => parseLabelNames('1 a\n1 b\n', 'n.txt'), /n\.txt: line 2: label 1 is named twice/);
    assert.throws(() => parseLabelNames('# nothing\n', 'n.txt'), /n\.txt: no label entries found/);
  });
});
