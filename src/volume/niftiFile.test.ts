import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { verifyVolume } from '../../test/helpers/niftiFixtures.js';
import { readNiftiFile, writeNiftiFile } from './niftiFile.js';
import { makeVolume } from './Volume.js';

async function rejectsMessage(promise: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: Error) => {
    assert.match(error.message, message);
    return true;
  });
}

describe('readNiftiFile / writeNiftiFile', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nonadj-nifti-'));
  after(() => rm(dir, { recursive: true, force: true }));
  const labels = makeVolume([3, 2, 2], Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), { spacingMm: [1, 2, 3] });

  test('.nii is written plain, .nii.gz gzip-compressed; both read back the same volume', async () => {
    for (const name of ['plain.nii', 'zipped.nii.gz', 'UPPER.NII.GZ']) {
      const file = path.join(dir, name);
      await writeNiftiFile(file, labels, { kind: 'labels' });
      const bytes = await readFile(file);
      assert.equal(bytes[0] === 0x1f && bytes[1] === 0x8b, name.toLowerCase().endsWith('.gz'), `${name} compression`);
      verifyVolume(await readNiftiFile(file), { dims: [3, 2, 2], spacingMm: [1, 2, 3], affine: labels.affine, data: labels.data });
    }
    assert.deepEqual((await readdir(dir)).sort(), ['UPPER.NII.GZ', 'plain.nii', 'zipped.nii.gz']); // no temporary files left
  });

  test('options reach readNifti, and errors name the file', async () => {
    const file = path.join(dir, 'stack.nii.gz');
    await writeNiftiFile(file, makeVolume([2, 1, 1], Float32Array.from([1, 2, 3, 4])), { kind: 'image' });
    verifyVolume(await readNiftiFile(file, { frame: 1 }), { dims: [2, 1, 1], data: [3, 4] });
    await rejectsMessage(readNiftiFile(file, { expect: '3d' }), new RegExp(`^readNifti: ${file.replace(/[.\\/]/g, '\\$&')} is 4D \\(2×1×1×2\\), expected a 3D volume$`));
    const junk = path.join(dir, 'junk.nii');
    await writeFile(junk, 'not a nifti file at all');
    await rejectsMessage(readNiftiFile(junk), /readNifti: .*junk\.nii: file has 23 bytes, too short for a NIfTI header/);
  });

  test('a missing file is named with its error code', async () => {
    const file = path.join(dir, 'absent.nii.gz');
    await rejectsMessage(readNiftiFile(file), new RegExp(`^readNiftiFile: cannot read .*absent\\.nii\\.gz: ENOENT$`));
  });

  test('.mgz and .mgh are written as FreeSurfer MGH (gzipped or not) and read back by content, whatever the name', async () => {
    for (const name of ['seg.mgz', 'seg.mgh', 'SEG.MGZ']) {
      const file = path.join(dir, name);
      await writeNiftiFile(file, labels, { kind: 'labels' });
      const bytes = await readFile(file);
      const gz = bytes[0] === 0x1f && bytes[1] === 0x8b;
      assert.equal(gz, name.toLowerCase().endsWith('.mgz'), `${name} compression`);
      if (!gz) assert.deepEqual([...bytes.subarray(0, 4)], [0, 0, 0, 1], 'MGH version 1, big-endian');
      const back = await readNiftiFile(file);
      assert.equal(back.header.format, 'mgh');
      verifyVolume(back, { dims: [3, 2, 2], spacingMm: [1, 2, 3], affine: labels.affine, dataType: 'Uint8Array', data: labels.data });
    }
    // A misnamed file is read by what it holds: MGH bytes under a .nii name.
    const misnamed = path.join(dir, 'really-mgh.nii');
    await writeFile(misnamed, await readFile(path.join(dir, 'seg.mgh')));
    assert.equal((await readNiftiFile(misnamed)).header.format, 'mgh');
    await rejectsMessage(readNiftiFile(misnamed, { expect: '3d', frame: 3 }), /readMgh: .*really-mgh\.nii: frame 3 is out of range/);
  });

  test('the name must end in .nii or .nii.gz, and gzip may not contradict it', async () => {
    await rejectsMessage(writeNiftiFile(path.join(dir, 'x.img'), labels, { kind: 'labels' }), /writeNiftiFile: .*x\.img must end in \.nii, \.nii\.gz, \.mgh or \.mgz/);
    await rejectsMessage(writeNiftiFile(path.join(dir, 'x.nii'), labels, { kind: 'labels', gzip: true }), /writeNiftiFile: .*x\.nii: gzip: true contradicts the name, expected false/);
    await rejectsMessage(writeNiftiFile(path.join(dir, 'missing', 'x.nii'), labels, { kind: 'labels' }), /cannot write .*missing.*x\.nii: ENOENT/);
  });
});
