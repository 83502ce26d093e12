/**
 * Cross-checks against nibabel (Debian's python3-nibabel, run by /usr/bin/python3): FreeSurfer files written by
 * nonadj read by nibabel and the reverse. Skipped, saying so, where nibabel is missing; the committed fixtures of
 * test/fixtures/mgh keep the reader tested there.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { readNiftiFile, writeNiftiFile } from '../src/volume/niftiFile.js';
import { makeVolume } from '../src/volume/Volume.js';
import { assertAffineClose } from './helpers/niftiFixtures.js';

const PYTHON = '/usr/bin/python3';
const probe = spawnSync(PYTHON, ['-c', 'import nibabel, scipy; print(nibabel.__version__)'], { encoding: 'utf8' });
const SKIP = probe.status === 0 ? false : 'nibabel or scipy missing for /usr/bin/python3 (apt-get install -y python3-nibabel)';

/** Run a Python snippet with nibabel; its stdout is JSON. */
export function python<T>(code: string, args: string[] = []): T {
  const r = spawnSync(PYTHON, ['-c', code, ...args], { encoding: 'utf8', maxBuffer: 512 * 2 ** 20 });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'nonadj-nibabel-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const LOAD = `
import json, sys
import numpy as np, nibabel as nib
img = nib.load(sys.argv[1])
arr = np.asanyarray(img.dataobj)
print(json.dumps({'shape': [int(n) for n in img.shape], 'dtype': arr.dtype.name, 'affine': img.affine.flatten().tolist(),
                  'data': arr.flatten(order='F').tolist(), 'zooms': [float(z) for z in img.header.get_zooms()]}))
`;

/** Rotation about x by `ax` then about z by `az` degrees, voxel sizes `zooms`, translation `t`: row-major 4×4. */
function obliqueAffine(ax: number, az: number, zooms: number[], t: number[]): number[] {
  const [a, b] = [(ax * Math.PI) / 180, (az * Math.PI) / 180];
  const rx = [[1, 0, 0], [0, Math.cos(a), -Math.sin(a)], [0, Math.sin(a), Math.cos(a)]];
  const rz = [[Math.cos(b), -Math.sin(b), 0], [Math.sin(b), Math.cos(b), 0], [0, 0, 1]];
  const out = new Array(16).fill(0);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) out[4 * r + c] = [0, 1, 2].reduce((s, k) => s + rx[r][k] * rz[k][c], 0) * zooms[c];
    out[4 * r + 3] = t[r];
  }
  out[15] = 1;
  return out;
}

describe('FreeSurfer files against nibabel', { skip: SKIP }, () => {
  test('nonadj writes .mgz / .mgh (oblique, anisotropic, 4D float and int16 labels), nibabel reads the same voxels and affine', async () => {
    const affine = obliqueAffine(12, -30, [0.8, 1.2, 2.5], [-61.5, 20.25, 33]);
    const image = makeVolume([7, 6, 5], Float32Array.from({ length: 7 * 6 * 5 * 3 }, (_, i) => Math.cos(i * 0.37) * 1000), { affine });
    const labels = makeVolume([7, 6, 5], Float64Array.from({ length: 7 * 6 * 5 }, (_, i) => ((i * 37) % 700) - 200), { affine });
    for (const [name, volume, kind, dtype] of [['image.mgz', image, 'image', 'float32'], ['labels.mgh', labels, 'labels', 'int16']] as const) {
      const file = path.join(tmp, name);
      await writeNiftiFile(file, volume, { kind });
      const nib = python<{ shape: number[]; dtype: string; affine: number[]; data: number[]; zooms: number[] }>(LOAD, [file]);
      assert.deepEqual(nib.shape, volume.frames > 1 ? [...volume.dims, volume.frames] : volume.dims, name);
      assert.equal(nib.dtype, dtype, name);
      assertAffineClose(nib.affine, affine, 1e-4, `${name} affine`);
      nib.zooms.slice(0, 3).forEach((z, i) => assert.ok(Math.abs(z - [0.8, 1.2, 2.5][i]) < 1e-5, `${name} zoom ${i}: ${z}`));
      nib.data.forEach((v, i) => assert.equal(v, Math.fround(volume.data[i]), `${name} voxel ${i}`));
    }
  });

  test('nibabel writes .mgz (oblique, uchar / int32 / float32 / 2 frames), nonadj reads the same voxels and affine', async () => {
    const made = python<Array<{ file: string; shape: number[]; affine: number[]; data: number[] }>>(
      `
import json, sys
import numpy as np, nibabel as nib
rng = np.random.default_rng(13)
out = []
for i, (dtype, shape) in enumerate([(np.uint8, (9, 4, 6)), (np.int32, (3, 8, 5)), (np.float32, (6, 6, 7)), (np.float32, (4, 3, 2, 2))]):
    q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    aff = np.eye(4)
    aff[:3, :3] = q @ np.diag(rng.uniform(0.5, 3, 3))
    aff[:3, 3] = rng.uniform(-80, 80, 3)
    data = (rng.uniform(-1e5 if dtype == np.int32 else 0, 255 if dtype == np.uint8 else 1e5, shape)).astype(dtype)
    f = f'{sys.argv[1]}/nib-{i}.mgz'
    nib.save(nib.MGHImage(data, aff), f)
    img = nib.load(f)
    out.append({'file': f, 'shape': [int(n) for n in img.shape], 'affine': img.affine.flatten().tolist(),
                'data': np.asanyarray(img.dataobj).flatten(order='F').tolist()})
print(json.dumps(out))
`,
      [tmp],
    );
    assert.equal(made.length, 4);
    for (const e of made) {
      const v = await readNiftiFile(e.file);
      assert.deepEqual([...v.dims, ...(v.frames > 1 ? [v.frames] : [])], e.shape, e.file);
      assertAffineClose(v.affine, e.affine, 1e-4, `${e.file} affine`);
      e.data.forEach((x, i) => assert.equal(v.data[i], x, `${e.file} voxel ${i}`));
    }
  });
});
