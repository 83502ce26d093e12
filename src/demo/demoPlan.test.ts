import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { trainingSpecArgs } from '../train/trainingSpec.js';
import { demoArms, demoPlan, demoTrainingSpec, type DemoMode, type DemoRun } from './demoPlan.js';

const MODES: DemoMode[] = ['quick', 'default', 'replicated', 'full'];
const total = (sizes: Record<string, number>) => Object.values(sizes).reduce((a, b) => a + b, 0);

describe('demoPlan', () => {
  test('each mode: its name, grid, and room for the λ auto warm-up epoch', () => {
    for (const mode of MODES) {
      const plan = demoPlan(mode);
      assert.equal(plan.mode, mode);
      assert.equal(plan.downsample, mode === 'full' ? 1 : 2, mode);
      // λ auto spends its first epoch as a warm-up at λ = 0; the heuristic is the second epoch's λ.
      assert.ok(plan.fineTune.epochs >= 2, `${mode}: ${plan.fineTune.epochs} fine-tune epochs`);
      for (const part of [plan.fineTune, plan.baseline]) {
        for (const k of ['epochs', 'steps', 'batchSize'] as const) assert.ok(Number.isInteger(part[k]) && part[k] >= 1, `${mode} ${k} = ${part[k]}`);
        assert.ok(part.lr > 0 && part.lr < 1, `${mode} lr ${part.lr}`);
      }
      // Fine-tunes move a trained model: a tenth of the baseline's learning rate (see the DemoPlan TSDoc).
      assert.equal(plan.fineTune.lr, plan.baseline.lr / 10, mode);
      for (const [set, n] of Object.entries(plan.sizes)) assert.ok(Number.isInteger(n) && n >= 1, `${mode} ${set} = ${n}`);
      assert.deepEqual(Object.keys(plan.sizes).sort(), ['test', 'train', 'unlabelled-train', 'unseen-test', 'unseen-train', 'unseen-val', 'val']);
      assert.deepEqual(plan.filters, [16, 32, 64, 128]);
    }
  });

  test('quick is smaller than default in every part; full is the 1 mm grid and trains longer', () => {
    const quick = demoPlan('quick');
    const def = demoPlan('default');
    const full = demoPlan('full');
    for (const set of Object.keys(def.sizes) as Array<keyof typeof def.sizes>) assert.ok(quick.sizes[set] <= def.sizes[set], set);
    assert.ok(total(quick.sizes) < total(def.sizes));
    const work = (p: { epochs: number; steps: number; batchSize: number }) => p.epochs * p.steps * p.batchSize;
    assert.ok(work(quick.fineTune) < work(def.fineTune));
    assert.ok(work(quick.baseline) < work(def.baseline));
    assert.ok(work(full.fineTune) >= work(def.fineTune));
    assert.ok(work(full.baseline) > work(def.baseline));
    // Golden: quick is 2 + 1 + 1 + 1 + 1 + 1 + 1 = 8 subjects and 2 epochs × 1 step per fine-tune.
    assert.equal(total(quick.sizes), 8);
    assert.deepEqual(quick.fineTune, { epochs: 2, steps: 1, batchSize: 2, lr: 1e-4 });
  });

  test('replicated: the seeds, ≥ 10 test subjects per domain, the same fine-tune as the preview', () => {
    const r = demoPlan('replicated', { replicates: 4 });
    assert.deepEqual(r.seeds, [1, 2, 3, 4]);
    assert.deepEqual(demoPlan('replicated').seeds, [1, 2, 3]);
    assert.ok(r.sizes.test >= 10 && r.sizes['unseen-test'] >= 10);
    assert.deepEqual(r.fineTune, demoPlan('default').fineTune);
    assert.throws(() => demoPlan('replicated', { replicates: 1 }), /replicates is 1, expected an integer in 2…20/);
  });

  test('the arms: auto first, every multiplier once, the two semi-supervised pools', () => {
    const arms = demoArms(demoPlan('default'));
    assert.equal(arms[0].name, 'auto');
    assert.deepEqual(arms.map((a) => a.name).sort(), ['auto', 'control', 'lambda-0.1x', 'lambda-0.3x', 'lambda-10x', 'lambda-1x', 'lambda-3x', 'semi', 'semi-control'].sort());
    assert.deepEqual(arms.filter((a) => a.pool).map((a) => a.pool), ['unseen-train', 'unlabelled-train']);
  });

  test('the experiment sweeps λ two steps further than the preview, to find where Dice starts to fall', () => {
    assert.deepEqual(demoPlan('default').lambdaMultipliers, [0.1, 0.3, 1, 3, 10]);
    assert.deepEqual(demoPlan('replicated').lambdaMultipliers, [0.1, 0.3, 1, 3, 10, 30, 100]);
    // Largest multiplier first, as the preview's.
    assert.deepEqual(demoArms(demoPlan('replicated')).filter((a) => a.kind === 'lambda').map((a) => a.multiplier), [100, 30, 10, 3, 1, 0.3, 0.1]);
  });

  test('a fresh plan per call (a caller may change it)', () => {
    const a = demoPlan('quick');
    a.filters.push(256);
    a.sizes.train = 99;
    assert.deepEqual(demoPlan('quick').filters, [16, 32, 64, 128]);
    assert.equal(demoPlan('quick').sizes.train, 2);
  });
});

describe('demoTrainingSpec', () => {
  const run: DemoRun = {
    name: 'control', out: '/o/runs/control', dataDir: '/d', prior: '/d/prior/graph.json',
    epochs: 2, steps: 3, batchSize: 4, lr: 1e-4, lambda: 0, seed: 7, validate: true,
  };

  test('golden command of a small run (no init, semi, filters, padTo)', () => {
    assert.deepEqual(trainingSpecArgs(demoTrainingSpec(run)), [
      '/d/train', '--val', '/d/val', '--prior', '/d/prior/graph.json', '--out', '/o/runs/control',
      '--epochs', '2', '--steps', '3', '--batch-size', '4', '--lambda', '0',
      '--optimizer', 'adam', '--lr', '0.0001', '--empty-slice-weight', '0.1', '--seed', '7', '--workers', '1',
    ]);
  });

  test('golden command with init, filters, padTo and semi', () => {
    const full: DemoRun = { ...run, lambda: 'auto', lr: 1e-3, init: '/b/model.json', filters: [16, 32, 64, 128], padTo: [96, 96], semi: '/d/unseen-train' };
    assert.deepEqual(trainingSpecArgs(demoTrainingSpec(full)), [
      '/d/train', '--val', '/d/val', '--prior', '/d/prior/graph.json', '--out', '/o/runs/control',
      '--init', '/b/model.json', '--semi', '/d/unseen-train', '--filters', '16,32,64,128', '--pad-to', '96x96',
      '--epochs', '2', '--steps', '3', '--batch-size', '4', '--lambda', 'auto',
      '--optimizer', 'adam', '--lr', '0.001', '--empty-slice-weight', '0.1', '--seed', '7', '--workers', '1',
    ]);
  });

  test('without validation: --val-split 0 and no --val (the last epoch is the model)', () => {
    const spec = demoTrainingSpec({ ...run, validate: false });
    assert.equal(spec.val, undefined);
    assert.equal(spec.valSplit, 0);
  });

  test('the data sets are <dataDir>/train and <dataDir>/val, joined for the platform', () => {
    const spec = demoTrainingSpec({ ...run, dataDir: 'rel/data/' });
    assert.equal(spec.data, path.join('rel', 'data', 'train'));
    assert.equal(spec.val, path.join('rel', 'data', 'val'));
  });
});
