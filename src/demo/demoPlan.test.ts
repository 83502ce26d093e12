import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { commandLine, demoPlan, trainArgs, type DemoMode, type TrainRunSpec } from './demoPlan.js';

const MODES: DemoMode[] = ['quick', 'default', 'full'];
const total = (sizes: Record<string, number>) => Object.values(sizes).reduce((a, b) => a + b, 0);

/**
 * What `sh` makes of a command line: `nonadj` is defined as a shell function that drops its first word (`train`)
 * and prints each remaining argument NUL-terminated (NUL, not newline, so arguments holding newlines compare too;
 * nothing at all for no argument, where printf would still print its format once).
 */
function shellArgv(line: string): string[] {
  const out = execFileSync('/bin/sh', ['-c', `nonadj() { shift; [ $# -eq 0 ] || printf '%s\\000' "$@"; }; ${line}`], { encoding: 'utf8' });
  assert.ok(out === '' || out.endsWith('\0'), `sh output ${JSON.stringify(out)}`);
  return out === '' ? [] : out.slice(0, -1).split('\0');
}

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
      assert.deepEqual(Object.keys(plan.sizes).sort(), ['test', 'train', 'unseen-test', 'unseen-train', 'val']);
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
    // Golden: quick is 2 + 1 + 1 + 1 + 1 = 6 subjects and 2 epochs × 1 step per fine-tune.
    assert.equal(total(quick.sizes), 6);
    assert.deepEqual(quick.fineTune, { epochs: 2, steps: 1, batchSize: 2, lr: 1e-4 });
  });

  test('a fresh plan per call (a caller may change it)', () => {
    const a = demoPlan('quick');
    a.filters.push(256);
    a.sizes.train = 99;
    assert.deepEqual(demoPlan('quick').filters, [16, 32, 64, 128]);
    assert.equal(demoPlan('quick').sizes.train, 2);
  });
});

describe('trainArgs', () => {
  const spec: TrainRunSpec = {
    name: 'control', out: '/o/runs/control', dataDir: '/d', prior: '/d/prior/graph.json',
    epochs: 2, steps: 3, batchSize: 4, lr: 1e-4, lambda: 0, seed: 7,
  };

  test('golden argument list of a small spec (no init, semi, filters, padTo)', () => {
    assert.deepEqual(trainArgs(spec), [
      '/d/train', '--val', '/d/val', '--prior', '/d/prior/graph.json', '--out', '/o/runs/control',
      '--epochs', '2', '--steps', '3', '--batch-size', '4', '--lambda', '0',
      '--optimizer', 'adam', '--lr', '0.0001', '--empty-slice-weight', '0.1', '--seed', '7',
    ]);
  });

  test('golden argument list with init, filters, padTo and semi (in that order, after --out)', () => {
    const full: TrainRunSpec = { ...spec, lambda: 'auto', lr: 1e-3, init: '/b/model.json', filters: [16, 32, 64, 128], padTo: [96, 96], semi: '/d/unseen-train' };
    assert.deepEqual(trainArgs(full), [
      '/d/train', '--val', '/d/val', '--prior', '/d/prior/graph.json', '--out', '/o/runs/control',
      '--init', '/b/model.json', '--filters', '16,32,64,128', '--pad-to', '96x96', '--semi', '/d/unseen-train',
      '--epochs', '2', '--steps', '3', '--batch-size', '4', '--lambda', 'auto',
      '--optimizer', 'adam', '--lr', '0.001', '--empty-slice-weight', '0.1', '--seed', '7',
    ]);
    // A fixed λ prints as JavaScript writes the number (the demo rounds it to 4 significant digits first).
    assert.deepEqual(trainArgs({ ...spec, lambda: 0.1235 }).slice(-10, -8), ['--lambda', '0.1235']);
  });

  test('the data sets are <dataDir>/train and <dataDir>/val, joined for the platform', () => {
    const args = trainArgs({ ...spec, dataDir: 'rel/data/' });
    assert.equal(args[0], path.join('rel', 'data', 'train'));
    assert.equal(args[2], path.join('rel', 'data', 'val'));
  });

  test('every flag it emits is an option of `nonadj train` (src/cli/train.ts), adam among the optimizers', () => {
    // Read as text: demo/ must not import cli/ (test/architecture.test.ts).
    const cli = readFileSync(path.resolve(import.meta.dirname, '..', 'cli', 'train.ts'), 'utf8');
    const full: TrainRunSpec = { ...spec, init: 'm.json', filters: [8], padTo: [16, 16], semi: 's' };
    const flags = trainArgs(full).filter((a) => a.startsWith('--'));
    assert.equal(flags.length, 15);
    for (const flag of flags) assert.match(cli, new RegExp(`[oO]ption\\('${flag} <`), flag);
    assert.match(cli, /'--optimizer <kind>'[^\n]*choices\(\[[^\]]*'adam'/);
  });
});

describe('commandLine', () => {
  test('plain arguments stay bare; the line starts with nonadj train', () => {
    assert.equal(commandLine(['/d/train', '--lambda', 'auto', '--lr', '0.0001', 'a@b%c+d=e:f,g']), 'nonadj train /d/train --lambda auto --lr 0.0001 a@b%c+d=e:f,g');
    assert.equal(commandLine([]), 'nonadj train');
  });

  test('golden quoting of a space, a quote, and an empty argument', () => {
    // ' inside '…' is written '\'' (close, escaped quote, reopen).
    assert.equal(commandLine(['my data/train', "it's", '']), `nonadj train 'my data/train' 'it'\\''s' ''`);
  });

  test('sh -c gives back the same argv for awkward paths', () => {
    const args = [
      '/tmp/my data/train', "/o/it's/run", 'say "hi"', '$HOME', '`id`', 'a;b', 'x\\y', 'tab\there', 'line\nbreak',
      '*', '~', '', ' ', "''", 'ünïcödé λ', '--lambda', '0.3', '#comment', 'a|b&c', '(x)', '{a,b}', '!',
    ];
    assert.deepEqual(shellArgv(commandLine(args)), args);
  });

  test('property: any argument list round-trips through sh', () => {
    // One sh per run: kept to 40 runs (a few ms each). No NUL (argv cannot hold one), no lone surrogates (not UTF-8).
    const arg = fc.string({ unit: 'binary', maxLength: 8 }).filter((s) => !s.includes('\0') && Buffer.from(s, 'utf8').toString('utf8') === s);
    const ascii = fc.string({ unit: fc.constantFrom(...` '"\\$\`;&|<>(){}*?[]~#!\n\ta-/._=`), maxLength: 8 });
    fc.assert(
      fc.property(fc.array(fc.oneof(arg, ascii), { maxLength: 6 }), (args) => {
        assert.deepEqual(shellArgv(commandLine(args)), args);
      }),
      { numRuns: 40, seed: 20240607 },
    );
  });
});
