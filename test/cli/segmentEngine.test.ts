import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeDemoData } from '../../src/demo/makeDemoData.js';
import { readNiftiFile } from '../../src/volume/niftiFile.js';
import { ROOT, runCli } from '../helpers/runCliSnapshot.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'nonadj-cli-engine-'));
const baseline = path.join(ROOT, 'demo', 'baseline', 'model.json');
let image: string;

before(async () => {
  // One subject of the default demo's kind (AAL regions, 2 mm, 90×108×90), which the shipped baseline segments.
  await makeDemoData({ dir: tmp, root: ROOT, atlas: 'aal', labels: 'regions', downsample: 2, seed: 1, sizes: { train: 1, val: 0, test: 0, 'unseen-train': 0, 'unseen-test': 0 } });
  image = path.join(tmp, 'train', 's000', 'prepro_im_mni_bc.nii.gz');
});
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('nonadj segment --engine', () => {
  test('onnx (onnxruntime-node) gives the labels of tfjs on the shipped baseline and a 2 mm subject; the engine is said once', async () => {
    const runs: Record<string, string> = {};
    for (const engine of ['tfjs', 'onnx']) {
      const out = path.join(tmp, `seg-${engine}.nii.gz`);
      const r = runCli(['segment', baseline, image, out, '--engine', engine]);
      assert.equal(r.exitCode, 0, r.stderr);
      runs[engine] = r.stderr;
    }
    assert.match(runs.tfjs, /^segment: engine tfjs wasm\n/);
    assert.match(runs.onnx, /^segment: engine onnxruntime-node \d+\.\d+\.\d+, \d+ threads?\n/);
    assert.equal(runs.onnx.match(/engine/g)?.length, 1);
    const a = await readNiftiFile(path.join(tmp, 'seg-tfjs.nii.gz'));
    const b = await readNiftiFile(path.join(tmp, 'seg-onnx.nii.gz'));
    assert.deepEqual(b.dims, a.dims);
    let differ = 0;
    for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) differ++;
    // 0 on the machine this was written on (AVX-512); another CPU's float rounding could flip a near-tie or two.
    assert.ok(differ <= 10, `${differ} of ${a.data.length} voxels differ between the engines`);
  });

  test('auto is the default; -q says nothing; a bad --engine is refused in one line, exit 2', () => {
    const r = runCli(['segment', baseline, image, path.join(tmp, 'seg-auto.nii.gz'), '-q']);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.stderr, '');
    const bad = runCli(['segment', baseline, image, path.join(tmp, 'seg-bad.nii.gz'), '--engine', 'torch']);
    assert.equal(bad.exitCode, 2);
    assert.match(bad.stderr, /--engine <name>' argument 'torch' is invalid\. Allowed choices are auto, tfjs, onnx/);
  });
});
