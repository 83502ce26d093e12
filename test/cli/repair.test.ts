import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connectedComponents } from '../../src/metric/connectedComponents.js';
import { readNiftiFile } from '../../src/volume/niftiFile.js';
import { makeMetricCliFixtures, type MetricCliFixtures } from '../helpers/metricCliFixtures.js';
import { assertSnapshot, runCli } from '../helpers/runCliSnapshot.js';

let fx: MetricCliFixtures;
before(async () => {
  fx = await makeMetricCliFixtures();
});
after(() => rmSync(fx.dir, { recursive: true, force: true }));

describe('nonadj repair', () => {
  test('repairs pasted AAL islands; writes nothing on error (snapshot)', async () => {
    const out = path.join(fx.dir, 'repaired.nii.gz');
    const bad = path.join(fx.dir, 'repaired.img');
    const runs = [
      runCli(['repair', fx.aalIslands, out, '--prior', fx.aalPrior]),
      runCli(['check', out, '--prior', fx.aalPrior]),
      // The single cube is the largest component of label 2: never touched, so contacts remain (exit 1).
      runCli(['repair', fx.cube, path.join(fx.dir, 'cube-repaired.nii'), '--prior', fx.smallPrior]),
      runCli(['repair', fx.aalIslands, bad, '--prior', fx.aalPrior]),
      runCli(['repair', fx.aalIslands, out, '--prior', fx.aalPrior, '--max-component-mm3', '-3']),
    ];
    assert.deepEqual(runs.map((r) => r.exitCode), [0, 0, 1, 2, 2]);
    assert.equal(existsSync(bad), false);
    assertSnapshot('repair', runs, [[fx.dir, '<tmp>']]);
    const repaired = await readNiftiFile(out);
    const aal = await readNiftiFile('data/aal.nii.gz');
    assert.deepEqual(repaired.data, aal.data);
    assert.equal(repaired.header.datatype, aal.header.datatype);
  });

  test('--json lists every change', () => {
    const r = runCli(['repair', fx.aalIslands, path.join(fx.dir, 'r2.nii.gz'), '--prior', fx.aalPrior, '--json']);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual([doc.before.forbiddenContacts, doc.after.forbiddenContacts, doc.changes.length, doc.voxelsChanged], [3 * 386, 0, 3, 81]);
  });

  test('--largest-component: no prior needed; with --prior, contacts before and after (snapshot)', async () => {
    const out = path.join(fx.dir, 'largest.nii.gz');
    const runs = [
      runCli(['repair', fx.aalIslands, out, '--largest-component']),
      runCli(['repair', fx.aalIslands, path.join(fx.dir, 'largest-prior.nii.gz'), '--largest-component', '--prior', fx.aalPrior]),
      runCli(['repair', fx.cube, path.join(fx.dir, 'cube-largest.nii'), '--largest-component', '--connectivity', '6']),
      runCli(['repair', fx.aalIslands, out, '--largest-component', '--max-component-mm3', '50']),
      runCli(['repair', fx.aalIslands, out]),
    ];
    assert.deepEqual(runs.map((r) => r.exitCode), [0, 0, 0, 2, 2]);
    assertSnapshot('repair-largest-component', runs, [[fx.dir, '<tmp>']]);
    // Every foreground label of the output is in one piece, and only voxels set to 0 differ from the input.
    const input = await readNiftiFile(fx.aalIslands);
    const cleaned = await readNiftiFile(out);
    const report = JSON.parse(runCli(['repair', fx.aalIslands, path.join(fx.dir, 'largest2.nii.gz'), '--largest-component', '--json']).stdout);
    let changed = 0;
    for (let v = 0; v < input.data.length; v++) {
      if (cleaned.data[v] !== input.data[v]) {
        assert.equal(cleaned.data[v], 0);
        changed++;
      }
    }
    assert.equal(changed, report.removedVoxels);
    // The background is not cleaned (AAL's 0 is in pieces: outside the brain, white matter, ventricles).
    const foreground = [...connectedComponents(cleaned.data, cleaned.dims).labelOf].filter((l) => l > 0);
    assert.equal(new Set(foreground).size, foreground.length);
  });
});
