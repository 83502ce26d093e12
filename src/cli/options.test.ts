import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidArgumentError } from 'commander';
import {
  axisOption,
  connectivityOption,
  integerInRangeOption,
  intensityOption,
  labelListOption,
  lambdaOption,
  namesOption,
  numberOption,
  portOption,
  positiveIntegerListOption,
  positiveIntegerOption,
  positiveNumberOption,
  sizesOption,
} from './options.js';

/** One row: the text given on the command line → the value, or the error message (and whether commander owns it). */
type Row = [input: string, expected: unknown] | [input: string, error: { invalid: string } | { plain: string }];

function check(name: string, parse: (value: string) => unknown, rows: Row[]): void {
  describe(name, () => {
    for (const [input, expected] of rows) {
      test(JSON.stringify(input), () => {
        if (expected !== null && typeof expected === 'object' && ('invalid' in expected || 'plain' in expected)) {
          // commander turns InvalidArgumentError into "option '--x <v>' argument '…' is invalid. <message>"; a plain
          // Error reaches the CLI's own handler, which prints "nonadj <command>: <message>".
          const invalid = 'invalid' in expected;
          assert.throws(
            () => parse(input),
            (error: Error) => {
              assert.equal(error instanceof InvalidArgumentError, invalid, `${error.constructor.name}: ${error.message}`);
              assert.equal(error.message, invalid ? expected.invalid : expected.plain);
              return true;
            },
          );
        } else {
          assert.deepEqual(parse(input), expected);
        }
      });
    }
  });
}

const invalid = (message: string) => ({ invalid: message });
const plain = (message: string) => ({ plain: message });

check('numberOption("a number in [0, 1)", 0 ≤ n < 1)', numberOption('a number in [0, 1)', (n) => n >= 0 && n < 1), [
  ['0', 0],
  ['0.5', 0.5],
  [' 0.25 ', 0.25],
  ['1e-3', 0.001],
  ['1', invalid('expected a number in [0, 1)')],
  ['-0.1', invalid('expected a number in [0, 1)')],
  ['', invalid('expected a number in [0, 1)')], // Number('') is 0: empty text must not pass as zero
  ['  ', invalid('expected a number in [0, 1)')],
  ['x', invalid('expected a number in [0, 1)')],
  ['NaN', invalid('expected a number in [0, 1)')],
]);

check('numberOption("a positive number", n > 0)', numberOption('a positive number', (n) => n > 0), [
  ['0.001', 0.001],
  ['1e4', 10000],
  ['0', invalid('expected a positive number')],
  ['Infinity', invalid('expected a positive number')],
]);

check('positiveIntegerOption', positiveIntegerOption, [
  ['1', 1],
  ['26', 26],
  ['0', invalid('expected a positive integer')],
  ['-3', invalid('expected a positive integer')],
  ['1.5', invalid('expected a positive integer')],
  ['', invalid('expected a positive integer')],
  ['two', invalid('expected a positive integer')],
]);

check('sizesOption(2, "HxW, e.g. 224x192")', sizesOption(2, 'HxW, e.g. 224x192'), [
  ['224x192', [224, 192]],
  ['224×192', [224, 192]],
  ['224,192', [224, 192]],
  ['224x', invalid('expected HxW, e.g. 224x192')],
  ['224x192x1', invalid('expected HxW, e.g. 224x192')],
  ['224x0', invalid('expected HxW, e.g. 224x192')],
  ['224x19.5', invalid('expected HxW, e.g. 224x192')],
]);

check('sizesOption(3, "DxHxW, e.g. 32x32x32")', sizesOption(3, 'DxHxW, e.g. 32x32x32'), [
  ['32x32x32', [32, 32, 32]],
  ['16×24×8', [16, 24, 8]],
  ['32x32', invalid('expected DxHxW, e.g. 32x32x32')],
]);

check('positiveIntegerListOption', positiveIntegerListOption, [
  ['32,64,128,256', [32, 64, 128, 256]],
  ['8', [8]],
  ['8,0', invalid('expected positive integers separated by commas')],
  ['8,x', invalid('expected positive integers separated by commas')],
]);

check('lambdaOption', lambdaOption, [
  ['auto', 'auto'],
  ['0', 0],
  ['91000', 91000],
  ['2.5e4', 25000],
  ['-1', invalid('expected a number ≥ 0 or "auto"')],
  ['Auto', invalid('expected a number ≥ 0 or "auto"')],
  ['', invalid('expected a number ≥ 0 or "auto"')],
]);

check('connectivityOption', connectivityOption, [
  ['6', 6],
  ['18', 18],
  ['26', 26],
  ['8', invalid('expected 6, 18 or 26')],
  ['', invalid('expected 6, 18 or 26')],
]);

check('axisOption', axisOption, [
  ['0', 0],
  ['1', 1],
  ['2', 2],
  ['3', invalid('expected 0, 1 or 2')],
  ['x', invalid('expected 0, 1 or 2')],
  ['', invalid('expected 0, 1 or 2')],
]);

check('portOption', portOption, [
  ['0', 0],
  ['8080', 8080],
  ['65535', 65535],
  ['65536', invalid('expected a port number 0..65535 (0 = any free port)')],
  ['80.5', invalid('expected a port number 0..65535 (0 = any free port)')],
  ['', invalid('expected a port number 0..65535 (0 = any free port)')],
]);

check('positiveNumberOption("--max-component-mm3")', positiveNumberOption('--max-component-mm3'), [
  ['100', 100],
  ['0.5', 0.5],
  ['-3', invalid('--max-component-mm3 is "-3", expected a positive number')],
  ['0', invalid('--max-component-mm3 is "0", expected a positive number')],
  ['Infinity', invalid('--max-component-mm3 is "Infinity", expected a positive number')],
  ['x', invalid('--max-component-mm3 is "x", expected a positive number')],
]);

check('integerInRangeOption("--seed", 0, 1e6, "[0, 1e6]")', integerInRangeOption('--seed', 0, 1e6, '[0, 1e6]'), [
  ['0', 0],
  ['1000000', 1e6],
  ['1000001', plain('--seed 1000001: expected an integer in [0, 1e6]')],
  ['-1', plain('--seed -1: expected an integer in [0, 1e6]')],
  ['x', plain('--seed x: expected an integer in [0, 1e6]')],
  ['', plain('--seed : expected an integer in [0, 1e6]')],
]);

check('integerInRangeOption("--jobs", 1, 64)', integerInRangeOption('--jobs', 1, 64), [
  ['1', 1],
  ['64', 64],
  ['0', plain('--jobs 0: expected an integer in [1, 64]')],
  ['2.5', plain('--jobs 2.5: expected an integer in [1, 64]')],
]);

check('labelListOption("--into")', labelListOption('--into'), [
  ['3', [3]],
  ['0, 4,17', [0, 4, 17]],
  ['1,x', plain('--into: "x" is not a label code')],
  ['1,-2', plain('--into: "-2" is not a label code')],
  ['1,,2', plain('--into: "" is not a label code')],
]);

check("intensityOption('train'): the text as given (the training spec records it), dataset included", intensityOption('train'), [
  ['quantile', 'quantile'],
  ['quantile:0.02,0.98', 'quantile:0.02,0.98'],
  ['minmax', 'minmax'],
  ['dataset', 'dataset'],
  ['z', invalid('expected zscore, minmax, quantile[:lower,upper], none (train also: dataset)')],
  ['quantile:0.5,0.2', invalid('expected quantile:<lower>,<upper> with 0 ≤ lower < upper ≤ 1')],
]);

for (const command of ['segment', 'adapt'] as const) {
  check(`intensityOption('${command}'): the standardisation; dataset refused, naming the command`, intensityOption(command), [
    ['quantile', { mode: 'quantile', lower: 0.05, upper: 0.95 }],
    ['quantile:0.02,0.98', { mode: 'quantile', lower: 0.02, upper: 0.98 }],
    ['zscore', { mode: 'image', region: 'nonzero' }],
    ['none', { mode: 'none' }],
    ['dataset', plain(`--intensity dataset needs a training set; ${command} takes zscore, minmax, quantile[:lower,upper] or none (a model trained with dataset statistics stores them)`)],
    ['z', invalid('expected zscore, minmax, quantile[:lower,upper], none (train also: dataset)')],
    ['quantile:0.5,0.2', invalid('expected quantile:<lower>,<upper> with 0 ≤ lower < upper ≤ 1')],
  ]);
}

describe('namesOption', () => {
  test('one declaration of --names: a file argument, the formats read, and when the names are used', () => {
    const always = namesOption();
    assert.equal(always.long, '--names');
    assert.equal(always.flags, '--names <file>');
    assert.equal(always.description, 'label names: FreeSurfer LUT, ITK-SNAP label file, MRIcron/AAL .nii.txt, BIDS dseg.tsv or nnU-Net dataset.json');
    assert.match(namesOption('when the prior has none').description, /^label names when the prior has none: FreeSurfer LUT, /);
  });
});
