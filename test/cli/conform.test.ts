/**
 * `nonadj conform` through the built binary on the bundled Colin27 T1 and AAL atlas: conform to 256³ 1 mm LIA
 * (.mgz), back onto the original grid with --like, and the errors (snapshot test/cli/snapshots/conform.md).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { orientationCode } from '../../src/volume/orientationCode.js';
import { readVolume } from '../../src/volume/readVolume.js';
import { assertSnapshot, ROOT, runCli } from '../helpers/runCliSnapshot.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'nonadj-conform-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const ch2 = path.join('data', 'ch2.nii.gz');
const aal = path.join('data', 'aal.nii.gz');
const read = (file: string) => readVolume(readFileSync(file), { source: file });

test('conform Colin27 to .mgz, AAL there and back (--centre voxel: exact), and the errors', () => {
  const t1 = path.join(tmp, 't1.mgz');
  const seg = path.join(tmp, 'aal.mgz');
  const back = path.join(tmp, 'aal-back.nii.gz');
  const runs = [
    runCli(['conform', ch2, t1]),
    runCli(['conform', aal, seg, '--kind', 'labels', '--centre', 'voxel']),
    runCli(['conform', seg, back, '--like', aal]),
    runCli(['conform', ch2, path.join(tmp, 't1.img')]),
    runCli(['conform', seg, path.join(tmp, 'x.mgz'), '--like', aal, '--centre', 'voxel']),
    runCli(['conform', path.join(tmp, 'absent.mgz'), path.join(tmp, 'x.mgz')]),
    runCli(['conform', ch2, path.join(tmp, 'x.mgz'), '--kind', 'mask']),
  ];
  assertSnapshot('conform', runs, [[tmp, '<tmp>']]);
  assert.deepEqual(runs.map((r) => r.exitCode), [0, 0, 0, 2, 2, 2, 2]);

  const conformed = read(t1);
  assert.equal(conformed.header.format, 'mgh');
  assert.deepEqual([conformed.dims, conformed.spacingMm, orientationCode(conformed.affine), conformed.data.constructor], [[256, 256, 256], [1, 1, 1], 'LIA', Uint8Array]);
  const original = read(path.join(ROOT, aal));
  const returned = read(back);
  assert.deepEqual(returned.dims, original.dims);
  assert.deepEqual([...returned.affine], [...original.affine]);
  assert.deepEqual(returned.data, original.data);
});
