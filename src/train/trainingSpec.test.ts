import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { TRAINING_SPEC_DEFAULTS, trainingCommandLine, trainingSpecArgs, withTrainingDefaults } from './trainingSpec.js';

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

describe('trainingSpecArgs', () => {
  test('the data folder first, then one flag per given field, lists as the CLI writes them', () => {
    assert.deepEqual(
      trainingSpecArgs({ data: 'd', prior: 'p.json', out: 'o', model: '3d', patch: [16, 32, 48], filters: [8, 16], lambda: 'auto', valSplit: 0 }),
      ['d', '--val-split', '0', '--prior', 'p.json', '--out', 'o', '--model', '3d', '--filters', '8,16', '--patch', '16x32x48', '--lambda', 'auto'],
    );
  });

  test('leaves out undefined fields', () => {
    assert.deepEqual(trainingSpecArgs({ data: 'd', prior: 'p', out: 'o', lr: undefined, semi: undefined }), ['d', '--prior', 'p', '--out', 'o']);
  });
});

describe('withTrainingDefaults', () => {
  test('fills in the defaults and drops undefined fields', () => {
    const spec = withTrainingDefaults({ data: 'd', prior: 'p', out: 'o', seed: 9, lr: undefined });
    assert.equal(spec.seed, 9);
    assert.equal(spec.epochs, TRAINING_SPEC_DEFAULTS.epochs);
    assert.ok(!('lr' in spec));
  });
});

describe('trainingCommandLine', () => {
  test('plain arguments stay bare; the line starts with nonadj train', () => {
    assert.equal(trainingCommandLine(['/d/train', '--lambda', 'auto', '--lr', '0.0001', 'a@b%c+d=e:f,g']), 'nonadj train /d/train --lambda auto --lr 0.0001 a@b%c+d=e:f,g');
    assert.equal(trainingCommandLine([]), 'nonadj train');
  });

  test('golden quoting of a space, a quote, and an empty argument', () => {
    // ' inside '…' is written '\'' (close, escaped quote, reopen).
    assert.equal(trainingCommandLine(['my data/train', "it's", '']), `nonadj train 'my data/train' 'it'\\''s' ''`);
  });

  test('sh -c gives back the same argv for awkward paths', () => {
    const args = [
      '/tmp/my data/train', "/o/it's/run", 'say "hi"', '$HOME', '`id`', 'a;b', 'x\\y', 'tab\there', 'line\nbreak',
      '*', '~', '', ' ', "''", 'ünïcödé λ', '--lambda', '0.3', '#comment', 'a|b&c', '(x)', '{a,b}', '!',
    ];
    assert.deepEqual(shellArgv(trainingCommandLine(args)), args);
  });

  test('property: any argument list round-trips through sh', () => {
    // One sh per run: kept to 40 runs (a few ms each). No NUL (argv cannot hold one), no lone surrogates (not UTF-8).
    const arg = fc.string({ unit: 'binary', maxLength: 8 }).filter((s) => !s.includes('\0') && Buffer.from(s, 'utf8').toString('utf8') === s);
    const ascii = fc.string({ unit: fc.constantFrom(...` '"\\$\`;&|<>(){}*?[]~#!\n\ta-/._=`), maxLength: 8 });
    fc.assert(
      fc.property(fc.array(fc.oneof(arg, ascii), { maxLength: 6 }), (args) => {
        assert.deepEqual(shellArgv(trainingCommandLine(args)), args);
      }),
      { numRuns: 40, seed: 20240607 },
    );
  });
});
