import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { findLabelMaps } from './findLabelMaps.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'nonadj-find-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Create empty files (discovery never opens them) and return the folder. */
function tree(name: string, files: string[]): string {
  const dir = path.join(root, name);
  for (const f of files) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), f.endsWith('.json') ? JSON.stringify(DESCRIPTIONS[path.basename(path.dirname(path.join(dir, f)))] ?? { Name: 'x', DatasetType: 'derivative' }) : '');
  }
  return dir;
}
const DESCRIPTIONS: Record<string, object> = { raw: { Name: 'raw', BIDSVersion: '1.8.0' }, old: { Name: 'old', PipelineDescription: { Name: 'fs' } } };

describe('findLabelMaps', () => {
  test('a plain folder: every NIfTI below it, sorted, hidden ones skipped; a file as given', async () => {
    const dir = tree('plain', ['b.nii.gz', 'a/c.nii', 'notes.txt', '.hidden/d.nii.gz', 'e.NII.GZ']);
    const found = await findLabelMaps([dir, path.join(dir, 'notes.txt')]);
    assert.deepEqual(found.files.map((f) => path.relative(dir, f)), ['a/c.nii', 'b.nii.gz', 'e.NII.GZ', 'notes.txt']);
    assert.deepEqual(found.bidsDatasets, []);
  });

  test('a BIDS derivatives dataset: sub-*/[ses-*/]anat/*_dseg.nii[.gz] only', async () => {
    const dir = tree('deriv', [
      'dataset_description.json',
      'sub-01/anat/sub-01_desc-aparcaseg_dseg.nii.gz',
      'sub-01/anat/sub-01_desc-preproc_T1w.nii.gz',
      'sub-01/anat/sub-01_label-GM_probseg.nii.gz',
      'sub-01/anat/sub-01_desc-brain_mask.nii.gz',
      'sub-01/figures/sub-01_dseg.nii.gz',
      'sub-02/ses-1/anat/sub-02_ses-1_dseg.nii',
      'sourcedata/sub-03/anat/sub-03_dseg.nii.gz',
    ]);
    const found = await findLabelMaps([dir]);
    assert.deepEqual(found.files.map((f) => path.relative(dir, f)), ['sub-01/anat/sub-01_desc-aparcaseg_dseg.nii.gz', 'sub-02/ses-1/anat/sub-02_ses-1_dseg.nii']);
    assert.deepEqual(found.bidsDatasets, [dir]);
  });

  test('a raw BIDS dataset contributes its derivatives datasets (also pre-1.4 ones with PipelineDescription)', async () => {
    const dir = tree('raw', ['dataset_description.json', 'sub-01/anat/sub-01_T1w.nii.gz', 'derivatives/old/dataset_description.json', 'derivatives/old/sub-01/anat/sub-01_dseg.nii.gz', 'derivatives/notbids/x_dseg.nii.gz']);
    const found = await findLabelMaps([dir]);
    assert.deepEqual(found.files.map((f) => path.relative(dir, f)), ['derivatives/old/sub-01/anat/sub-01_dseg.nii.gz']);
  });

  test('errors name the input and what was looked for', async () => {
    await assert.rejects(findLabelMaps([path.join(root, 'missing')]), /cannot read .*missing: ENOENT/);
    await assert.rejects(findLabelMaps([tree('empty-deriv', ['dataset_description.json', 'sub-01/anat/sub-01_T1w.nii.gz'])]), /is a BIDS dataset with no label map: expected sub-\*\/\[ses-\*\/\]anat\/\*_dseg\.nii\[\.gz\]/);
    await assert.rejects(findLabelMaps([tree('nothing', ['readme.txt'])]), /holds no \.nii, \.nii\.gz, \.mgz or \.mgh file/);
  });
});
