import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { makeMetricCliFixtures, type MetricCliFixtures } from '../helpers/metricCliFixtures.js';
import { assertSnapshot, runCli, type CliRun } from '../helpers/runCliSnapshot.js';

let fx: MetricCliFixtures;
before(async () => {
  fx = await makeMetricCliFixtures();
});
after(() => rmSync(fx.dir, { recursive: true, force: true }));

describe('nonadj check', () => {
  test('text output and exit codes (snapshot)', () => {
    const runs: CliRun[] = [
      runCli(['check', 'data/aal.nii.gz', '--prior', fx.aalPrior]),
      runCli(['check', fx.aalIslands, '--prior', fx.aalPrior]),
      runCli(['check', fx.aalIslands, '--prior', fx.aalPrior, '--no-fail']),
      runCli(['check', fx.cube, fx.clean, '--prior', fx.smallPrior]),
      runCli(['check', fx.cube, '--prior', fx.smallPrior, '--connectivity', '6', '--csv']),
      runCli(['check', fx.unknown, '--prior', fx.smallPrior]),
      runCli(['check', fx.fractional, '--prior', fx.smallPrior]),
      runCli(['check', `${fx.dir}/missing.nii.gz`, '--prior', fx.smallPrior]),
      runCli(['check', fx.cube, '--prior', `${fx.dir}/cube.nii.gz`]),
      runCli(['check', fx.cube, '--prior', fx.smallPrior, '--json', '--csv']),
    ];
    assert.deepEqual(runs.map((r) => r.exitCode), [0, 1, 0, 1, 1, 1, 2, 2, 2, 2]);
    assertSnapshot('check', runs, [[fx.dir, '<tmp>']]);
  });

  test('AAL with pasted islands reports exactly the pasted contacts (--json)', () => {
    const r = runCli(['check', fx.aalIslands, '--prior', fx.aalPrior, '--json']);
    assert.equal(r.exitCode, 1);
    const [report] = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(report).slice(0, 5), ['file', 'forbiddenPairs', 'forbiddenContacts', 'pairs', 'unknownLabels']);
    assert.ok('reference' in report);
    assert.equal(report.forbiddenPairs, 3);
    assert.equal(report.forbiddenContacts, 3 * 386);
    for (const p of report.pairs) assert.deepEqual([p.contacts, [...p.voxels].sort((a: number, b: number) => a - b)], [386, [26, 98]]);
  });

  test('a CSV prior with --names gives the same report', () => {
    const json = JSON.parse(runCli(['check', fx.aalIslands, '--prior', fx.aalPrior, '--json']).stdout);
    const csv = JSON.parse(runCli(['check', fx.aalIslands, '--prior', fx.aalPriorCsv, '--names', 'data/aal.nii.txt', '--json']).stdout);
    assert.deepEqual(csv[0].pairs, json[0].pairs);
  });

  test('HarvardOxford against the AAL prior: label sets differ and it says so', () => {
    const r = runCli(['check', 'data/HarvardOxford-cort-maxprob-thr0-1mm.nii.gz', '--prior', fx.aalPrior]);
    assert.equal(r.exitCode, 1);
    assert.match(r.stdout, /labels: 49 in the segmentation, 117 in the prior; absent from the segmentation: 49–116/);
  });
});
