import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { makeMetricCliFixtures, type MetricCliFixtures } from '../helpers/metricCliFixtures.js';
import { assertSnapshot, runCli } from '../helpers/runCliSnapshot.js';

let fx: MetricCliFixtures;
before(async () => {
  fx = await makeMetricCliFixtures();
});
after(() => rmSync(fx.dir, { recursive: true, force: true }));

describe('nonadj evaluate', () => {
  test('outputs and errors (snapshot)', () => {
    const runs = [
      runCli(['evaluate', '--pred', fx.pred, '--truth', fx.truth, '--prior', fx.smallPrior, '-q']),
      runCli(['evaluate', '--pred', fx.pred, '--truth', fx.truth, '--md', '-q']),
      runCli(['evaluate', '--pred', fx.pred, '--truth', fx.truth, '--csv', '-q']),
      runCli(['evaluate', '--pred', fx.cube, '--truth', fx.otherGrid, '-q']),
      runCli(['evaluate', '--pred', fx.pred, '--truth', fx.dir, '-q']),
    ];
    assert.deepEqual(runs.map((r) => r.exitCode), [0, 0, 0, 2, 2]);
    assertSnapshot('evaluate', runs, [[fx.dir, '<tmp>']]);
  });

  test('--json: per-case, per-label numbers with the conventions; shifted cube Dice 2/3, HD95 2 mm', () => {
    const r = runCli(['evaluate', '--pred', fx.pred, '--truth', fx.truth, '--prior', fx.smallPrior, '--json', '-q']);
    assert.equal(r.exitCode, 0);
    const doc = JSON.parse(r.stdout);
    assert.ok(doc.conventions.hausdorff95Mm.includes('MONAI'));
    assert.deepEqual(doc.cases.map((c: { case: string }) => c.case), ['case1', 'case2']);
    const label2 = doc.cases[1].result.labels.find((l: { label: number }) => l.label === 2);
    // Cubes [3..5] and [4..6] along x: 18 shared voxels of 27 each; surfaces one voxel (2 mm) apart at most.
    assert.ok(Math.abs(label2.dice - 2 / 3) < 1e-12);
    assert.equal(label2.hausdorff95Mm, 2);
    assert.equal(doc.cases[1].result.check.forbiddenContacts, 386);
    assert.equal(doc.summary.perLabel.length, 2);
  });

  test('AAL with islands and its repair against AAL (bundled data)', () => {
    const r = runCli(['evaluate', '--pred', fx.aalIslands, '--truth', 'data/aal.nii.gz', '--prior', fx.aalPrior, '--json', '-q']);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.cases[0].result.check.forbiddenContacts, 3 * 386);
    assert.ok(doc.cases[0].result.meanDice < 1 && doc.cases[0].result.meanDice > 0.999);
    // Each of the 3 islands is one more component of its label, and lies farther from that label's surface than HD95 sees.
    const labels: Array<{ predictionComponents: number; truthComponents: number; hausdorff95Mm: number; hausdorff100Mm: number }> = doc.cases[0].result.labels;
    assert.equal(labels.reduce((a, l) => a + l.predictionComponents - l.truthComponents, 0), 3);
    assert.equal(labels.filter((l) => l.predictionComponents > l.truthComponents && l.hausdorff100Mm > l.hausdorff95Mm).length, 3);
  });
});
