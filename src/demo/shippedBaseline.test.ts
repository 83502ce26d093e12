import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { copyShippedBaseline, SHIPPED_BASELINE_DIRS } from './shippedBaseline.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

describe('copyShippedBaseline', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'nonadj-shipped-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('each atlas gets its own folder, whose manifest names that atlas', () => {
    for (const [atlas, folder] of Object.entries(SHIPPED_BASELINE_DIRS)) {
      const manifest = JSON.parse(readFileSync(path.join(ROOT, folder, 'manifest.json'), 'utf8')) as { atlas: string; labels: string; downsample: number };
      assert.equal(manifest.atlas, atlas, folder);
      assert.deepEqual([manifest.labels, manifest.downsample], ['regions', 2], folder);
    }
  });

  test("each manifest's figures are its logs' (epochs, steps, best epoch and Dice per stage, and in all)", () => {
    // bestEpoch counts from 1, as `nonadj train` prints epochs (the log's `epoch` field counts from 0).
    for (const folder of Object.values(SHIPPED_BASELINE_DIRS)) {
      const manifest = JSON.parse(readFileSync(path.join(ROOT, folder, 'manifest.json'), 'utf8')) as {
        logs: string[]; epochs: number; steps: number; bestValidationDice: number;
        stages: Array<{ epochs: number; steps: number; bestEpoch: number; bestValidationDice: number }>;
      };
      assert.equal(manifest.stages.length, manifest.logs.length, folder);
      manifest.logs.forEach((file, i) => {
        const log = readFileSync(path.join(ROOT, folder, file), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { epoch: number; steps: number; validation: { meanDice: number } });
        const best = log.reduce((a, r) => (r.validation.meanDice > a.validation.meanDice ? r : a));
        const stage = manifest.stages[i];
        assert.deepEqual([stage.epochs, stage.steps, stage.bestEpoch, stage.bestValidationDice], [log.length, log.reduce((a, r) => a + r.steps, 0), best.epoch + 1, best.validation.meanDice], `${folder} ${file}`);
      });
      assert.equal(manifest.epochs, manifest.stages.reduce((a, s) => a + s.epochs, 0), folder);
      assert.equal(manifest.steps, manifest.stages.reduce((a, s) => a + s.steps, 0), folder);
      assert.equal(manifest.bestValidationDice, manifest.stages[manifest.stages.length - 1].bestValidationDice, folder);
    }
  });

  test('the macaque baseline is copied for --atlas inia19 --labels regions at 1 mm (downsample 2), with its warp cohort', async () => {
    const dest = path.join(tmp, 'inia19');
    const got = await copyShippedBaseline(ROOT, dest, { atlas: 'inia19', labels: 'regions', downsample: 2 });
    assert.ok(got, 'no baseline copied');
    assert.equal(got.cohort, 'warp');
    assert.deepEqual(got.logs, ['log.jsonl', 'log-2.jsonl', 'log-3.jsonl']);
    for (const f of ['model.json', 'weights.bin', 'graph.json', 'log.jsonl', 'log-2.jsonl', 'log-3.jsonl', 'command.txt', 'manifest.json']) assert.ok(existsSync(path.join(dest, f)), f);
    // Its prior has the 25 labels of the grouping.
    assert.equal((JSON.parse(readFileSync(path.join(dest, 'graph.json'), 'utf8')) as { numLabels: number }).numLabels, 25);
  });

  test('no baseline for options it was not trained for (all NeuroMaps labels, the 0.5 mm grid, an unknown atlas)', async () => {
    assert.equal(await copyShippedBaseline(ROOT, path.join(tmp, 'a'), { atlas: 'inia19', labels: 'full', downsample: 2 }), null);
    assert.equal(await copyShippedBaseline(ROOT, path.join(tmp, 'b'), { atlas: 'inia19', labels: 'regions', downsample: 1 }), null);
    assert.equal(await copyShippedBaseline(ROOT, path.join(tmp, 'c'), { atlas: 'other', labels: 'regions', downsample: 2 }), null);
  });
});
