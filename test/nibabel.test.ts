/**
 * Cross-checks against nibabel (Debian's python3-nibabel, run by /usr/bin/python3): FreeSurfer files written by
 * nonadj read by nibabel and the reverse; conform's grid against nibabel.processing.conform and its trilinear
 * resampling against nibabel.processing.resample_from_to (scipy, order 1). Skipped, saying so, where nibabel is
 * missing; the committed fixtures of test/fixtures/mgh keep the reader tested there.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { conformVolume } from '../src/volume/conformVolume.js';
import { invertAffine } from '../src/volume/invertAffine.js';
import { readNiftiFile, writeNiftiFile } from '../src/volume/niftiFile.js';
import { orientationCode } from '../src/volume/orientationCode.js';
import { ucharScaling } from '../src/volume/ucharScaling.js';
import { makeVolume, voxelToWorld, type Volume } from '../src/volume/Volume.js';
import { ROOT } from './helpers/runCliSnapshot.js';
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

/** An oblique (15° about x, 25° about z), anisotropic (1.2 × 0.9 × 2.5 mm) smooth positive image, 90×70×50. */
function obliqueImage(): Volume {
  const dims: [number, number, number] = [90, 70, 50];
  const data = new Float32Array(dims[0] * dims[1] * dims[2]);
  for (let k = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++) {
    data[i + dims[0] * (j + dims[1] * k)] = 300 + 200 * Math.sin(i / 7) * Math.cos(j / 5) + 150 * Math.sin(k / 3 + i / 11);
  }
  data[5] = 5000; // a few bright outliers for the robust range
  data[77] = 4000;
  return makeVolume(dims, data, { affine: obliqueAffine(15, 25, [1.2, 0.9, 2.5], [-50, -40, -30]) });
}

describe('conform against nibabel.processing', { skip: SKIP }, () => {
  const CONFORM = `
import json, sys
import numpy as np, nibabel as nib
from nibabel.processing import conform, resample_from_to
src = nib.load(sys.argv[1])
img = nib.Nifti1Image(src.get_fdata(dtype=np.float32), src.affine)  # float, so resampling is not rounded to the input dtype
ours = np.array(json.loads(sys.argv[2])).reshape(4, 4)
out = resample_from_to(img, ((256, 256, 256), ours), order=1)
np.asarray(out.dataobj).flatten(order='F').astype('<f4').tofile(sys.argv[3])
c = conform(img, (256, 256, 256), (1, 1, 1), order=1, orientation='LIA')
print(json.dumps({'shape': [int(n) for n in c.shape], 'affine': c.affine.flatten().tolist(), 'codes': ''.join(nib.aff2axcodes(c.affine)),
                  'zooms': [float(z) for z in c.header.get_zooms()[:3]], 'inputAffine': src.affine.flatten().tolist()}))
`;

  for (const [name, load] of [
    ['Colin27 (data/ch2.nii.gz)', () => readNiftiFile(path.join(ROOT, 'data', 'ch2.nii.gz'))],
    ['an oblique anisotropic synthetic image', async () => {
      const file = path.join(tmp, 'oblique.nii.gz');
      await writeNiftiFile(file, obliqueImage(), { kind: 'image' });
      return readNiftiFile(file); // the affine as stored (float32), which nibabel reads too
    }],
  ] as const) {
    test(`${name}: same grid as nibabel's conform (shape, 1 mm, LIA), and the same trilinear voxels as resample_from_to`, async () => {
      const volume = await load();
      const file = path.join(tmp, 'in.nii.gz');
      await writeNiftiFile(file, volume, { kind: 'image' });
      const { volume: conformed } = conformVolume(volume, { intensity: 'keep' });
      const raw = path.join(tmp, 'nib.f4');
      const nib = python<{ shape: number[]; affine: number[]; codes: string; zooms: number[]; inputAffine: number[] }>(CONFORM, [file, JSON.stringify([...conformed.affine]), raw]);
      assert.deepEqual(nib.shape, conformed.dims);
      assert.deepEqual(nib.zooms, [1, 1, 1]);
      assert.equal(nib.codes, 'LIA');
      assert.equal(orientationCode(conformed.affine), 'LIA');
      // The centres differ by design: mri_convert (and nonadj) put voxel 128 on the input's voxel dims/2; nibabel puts
      // voxel 127 on the voxel ⌊(n − 1)/2⌋ of the input reoriented to LIA (1.5 mm apart on Colin27). On odd dims
      // (Colin27) that voxel does not depend on the flips, and both relations are checked exactly.
      const close = (a: number[], b: number[], what: string) => a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) < 1e-4, `${what}: ${a} vs ${b}`));
      close(voxelToWorld(conformed.affine, [128, 128, 128]), voxelToWorld(volume.affine, [volume.dims[0] / 2, volume.dims[1] / 2, volume.dims[2] / 2]), 'nonadj centre');
      if (volume.dims.every((n) => n % 2 === 1)) {
        close(voxelToWorld(nib.affine, [127, 127, 127]), voxelToWorld(nib.inputAffine, volume.dims.map((n) => (n - 1) / 2) as [number, number, number]), 'nibabel centre');
      }
      // Axis-aligned input: the same directions. Oblique input: nibabel keeps the input's rotation, mri_convert (and
      // nonadj) use exact LIA cosines; both are 'LIA' to nearest axes.
      const rotation = (a: ArrayLike<number>) => [0, 1, 2, 4, 5, 6, 8, 9, 10].map((i) => a[i]);
      if (orientationCode(volume.affine) === 'RAS' && volume.affine[1] === 0) close(rotation(nib.affine), rotation(conformed.affine), 'rotation');
      const theirs = new Float32Array(readFileSync(raw).buffer.slice(0));
      assert.equal(theirs.length, conformed.data.length);
      // Equal to 1e-3 everywhere except where the sample falls within 1e-4 voxel outside the source's edge: nonadj
      // reads the edge voxel there (so grids that share voxel centres copy exactly despite rounding), scipy the fill.
      const toSource = invertAffine(volume.affine);
      let worst = 0;
      let atEdge = 0;
      for (let i = 0; i < theirs.length; i++) {
        const d = Math.abs(theirs[i] - conformed.data[i]);
        if (d < 1e-3) continue;
        const p = voxelToWorld(toSource, voxelToWorld(conformed.affine, [i % 256, Math.floor(i / 256) % 256, Math.floor(i / 65536)]));
        if (p.some((x, a) => (x < 0 && x > -1e-4) || (x > volume.dims[a] - 1 && x < volume.dims[a] - 1 + 1e-4))) atEdge++;
        else worst = Math.max(worst, d);
      }
      assert.equal(worst, 0, `largest difference from scipy's trilinear away from the edge: ${worst}`);
      assert.ok(atEdge < 100, `${atEdge} edge samples differ`);
    });
  }

  test("ucharScaling matches FreeSurfer's robust range computed with numpy's histogram", () => {
    const volume = obliqueImage();
    const raw = path.join(tmp, 'data.f4');
    writeFileSync(raw, Buffer.from(Float32Array.from(volume.data).buffer));
    // An independent formulation: np.histogram's 1000 bins, the cut on the cumulative count, Python's indexing.
    const r = python<{ srcMin: number; srcMax: number }>(
      `
import json, sys
import numpy as np
d = np.fromfile(sys.argv[1], dtype='<f4').astype(np.float64)
hist, edges = np.histogram(d, bins=1000, range=(d.min(), d.max()))
cum = np.concatenate(([0], np.cumsum(hist)))
nonzero = int((np.abs(d) >= 1e-15).sum())
first = int(np.flatnonzero(cum >= d.size - int((1.0 - 0.999) * nonzero))[0])
print(json.dumps({'srcMin': float(edges[0]), 'srcMax': float(edges[first - 2])}))
`,
      [raw],
    );
    const ours = ucharScaling(volume.data);
    assert.ok(Math.abs(ours.srcMin - r.srcMin) < 1e-9 && Math.abs(ours.srcMax - r.srcMax) < 1e-9, `${JSON.stringify(ours)} vs ${JSON.stringify(r)}`);
  });
});
