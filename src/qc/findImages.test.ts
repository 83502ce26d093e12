import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { writeNiftiFile } from '../volume/niftiFile.js';
import { makeVolume } from '../volume/Volume.js';
import { describeSkipped, findImages } from './findImages.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'nonadj-find-images-'));
after(() => rmSync(root, { recursive: true, force: true }));
const rel = (dir: string, files: readonly string[]) => files.map((f) => path.relative(dir, f));

/** Empty files: what is decided by name or BIDS layout never opens them. */
function touch(dir: string, files: string[]): void {
  for (const f of files) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), f.endsWith('.json') ? JSON.stringify({ Name: 'x', BIDSVersion: '1.8.0' }) : '');
  }
}

describe('findImages', () => {
  const plain = path.join(root, 'plain');
  const N = 12;
  before(async () => {
    mkdirSync(path.join(plain, 'sub'), { recursive: true });
    // Knuth's multiplicative hash: scrambled values, as noisy as an MR image's (numeric/ is not qc/'s to import).
    const hash = (v: number) => Math.imul(v + 1, 2654435761) >>> 0;
    // A float T1-like image, an integer one (uint8, many grey levels, noisy: not piecewise constant) and label maps.
    const floatT1 = Float32Array.from({ length: N ** 3 }, (_, v) => (hash(v) % 10007) / 100);
    const uint8T1 = Uint8Array.from({ length: N ** 3 }, (_, v) => hash(v) % 256);
    // Three labels in slabs along z: piecewise constant, few values.
    const labels = Int16Array.from({ length: N ** 3 }, (_, v) => Math.floor(v / (N * N) / 4));
    await writeNiftiFile(path.join(plain, 'ch2.nii.gz'), makeVolume([N, N, N], floatT1), { kind: 'image' });
    await writeNiftiFile(path.join(plain, 'sub', 'colin-uint8.nii'), makeVolume([N, N, N], uint8T1), { kind: 'image', preferDatatype: 'uint8' });
    // An integer label map without the label intent (as many atlases ship, AAL's among them): recognised by its voxels.
    await writeNiftiFile(path.join(plain, 'aal.nii'), makeVolume([N, N, N], labels), { kind: 'labels' });
    const bytes = readFileSync(path.join(plain, 'aal.nii'));
    bytes.writeInt16LE(0, 68); // intent_code
    writeFileSync(path.join(plain, 'aal.nii'), bytes);
    // A label map with NIfTI intent 1002, and a 4D volume.
    await writeNiftiFile(path.join(plain, 'atlas-intent.nii.gz'), makeVolume([N, N, N], labels), { kind: 'labels' });
    await writeNiftiFile(path.join(plain, 'probabilities.nii.gz'), makeVolume([N, N, N], new Float32Array(2 * N ** 3).fill(0.5)), { kind: 'image' });
    // Label maps and masks by name: empty files, never opened.
    touch(plain, ['sub-01_desc-aparcaseg_dseg.nii.gz', 'aparc+aseg.mgz', 'prepro_seg_mni.nii.gz', 'brain_mask.nii', 'sub/wmparc.mgz', '.hidden/x.nii']);
  });

  test('a plain folder: every volume but label maps (by name, header or voxels), masks and 4D; a file as given', async () => {
    const found = await findImages([plain, path.join(plain, 'aal.nii')]);
    assert.deepEqual(rel(plain, found.files), ['ch2.nii.gz', 'sub/colin-uint8.nii', 'aal.nii']);
    const reasons = Object.fromEntries(found.skipped.map((s) => [path.relative(plain, s.file), s.reason]));
    assert.deepEqual(reasons, {
      'aal.nii': 'content',
      'aparc+aseg.mgz': 'name',
      'atlas-intent.nii.gz': 'content',
      'brain_mask.nii': 'name',
      'prepro_seg_mni.nii.gz': 'name',
      'probabilities.nii.gz': 'frames',
      'sub-01_desc-aparcaseg_dseg.nii.gz': 'name',
      'sub/wmparc.mgz': 'name',
    });
    assert.match(describeSkipped(found.skipped), /^2 a label map by its header or voxels .*, 5 a label map or mask by its name .*, 1 4D$/);
  });

  test('a BIDS raw dataset: sub-*/[ses-*/]anat/*_T1w only (other suffixes when asked); derivatives are skipped', async () => {
    const dir = path.join(root, 'bids');
    touch(dir, [
      'dataset_description.json',
      'sub-01/anat/sub-01_T1w.nii.gz',
      'sub-01/anat/sub-01_T2w.nii.gz',
      'sub-01/func/sub-01_task-rest_bold.nii.gz',
      'sub-02/ses-1/anat/sub-02_ses-1_acq-mprage_run-1_T1w.nii',
      'sub-02/ses-1/anat/sub-02_ses-1_T1w.json',
      'sourcedata/sub-03/anat/sub-03_T1w.nii.gz',
      'derivatives/fs/sub-01/anat/sub-01_dseg.nii.gz',
    ]);
    const found = await findImages([dir]);
    assert.deepEqual(rel(dir, found.files), ['sub-01/anat/sub-01_T1w.nii.gz', 'sub-02/ses-1/anat/sub-02_ses-1_acq-mprage_run-1_T1w.nii']);
    // sub-01's T2w and bold, sourcedata/ and derivatives/.
    assert.deepEqual(found.skipped.map((s) => s.reason), ['bids', 'bids', 'bids', 'bids']);
    const both = await findImages([dir], { bidsSuffixes: ['T1w', 'T2w'] });
    assert.deepEqual(rel(dir, both.files), ['sub-01/anat/sub-01_T1w.nii.gz', 'sub-01/anat/sub-01_T2w.nii.gz', 'sub-02/ses-1/anat/sub-02_ses-1_acq-mprage_run-1_T1w.nii']);
  });

  test('a folder without an image, a BIDS dataset without T1w, a missing input: one error naming it', async () => {
    const labelsOnly = path.join(root, 'labels-only');
    touch(labelsOnly, ['a_dseg.nii.gz', 'aseg.mgz']);
    await assert.rejects(findImages([labelsOnly]), (e: Error) => e.message === `${labelsOnly} holds no image to segment: its 2 volumes are label maps, masks or 4D (2 a label map or mask by its name (dseg, aseg, aparc, seg, labels, mask…))`);
    const noT1 = path.join(root, 'bids-no-t1');
    touch(noT1, ['dataset_description.json', 'sub-01/anat/sub-01_T2w.nii.gz']);
    await assert.rejects(findImages([noT1]), /bids-no-t1 is a BIDS dataset with no image to segment: expected sub-\*\/\[ses-\*\/\]anat\/\*_T1w\.nii\[\.gz\]/);
    await assert.rejects(findImages([path.join(root, 'nope')]), /cannot read .*nope: ENOENT/);
  });
});
