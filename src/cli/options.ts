/**
 * The option parsers every `nonadj` command shares, in one place so that the same kind of value is read and refused
 * the same way everywhere. Each takes the option's text as commander hands it over and returns the value, or throws
 * commander's `InvalidArgumentError`, whose message commander prefixes with the option and the value
 * (`option '--radius <r>' argument '0' is invalid. expected a positive integer`); the CLI prints it on one line and
 * exits 2. The two demo parsers, the label list and `--intensity dataset` where it has no meaning throw a plain `Error`
 * naming the flag instead, which the CLI prints as `nonadj <command>: <message>` (their messages predate this module
 * and the CLI keeps them).
 */
import { InvalidArgumentError, Option } from 'commander';
import { INTENSITY_CHOICES, parseIntensity } from '../data/parseIntensity.js';
import type { StandardiseOptions } from '../data/standardise.js';
import type { Connectivity } from '../prior/neighbourhood.js';
import { PRIOR_LIMITS } from '../prior/PRIOR_LIMITS.js';
import type { SliceAxisIndex } from '../volume/sliceAxis.js';

/**
 * A parser of finite numbers that `ok` accepts; anything else (empty text, `NaN`, `Infinity`, a number `ok` refuses)
 * is refused with `expected <what>`. `numberOption('a number in [0, 1)', (n) => n >= 0 && n < 1)`.
 */
export function numberOption(what: string, ok: (n: number) => boolean): (value: string) => number {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || !ok(n)) throw new InvalidArgumentError(`expected ${what}`);
    return n;
  };
}

/** Parse a positive integer (1, 2, …): `--radius`, `--threads`, `--epochs`, `--batch-size` and the like. */
export function positiveIntegerOption(value: string): number {
  return numberOption('a positive integer', (n) => Number.isInteger(n) && n >= 1)(value);
}

/** A parser of `--shard i/n`: shard `i` (0 … n−1) of `n`. */
export function shardOption(value: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || !Number.isSafeInteger(count) || count < 1 || index >= count) throw new InvalidArgumentError('expected i/n with 0 ≤ i < n, e.g. 0/4');
  return { index, count };
}

/**
 * A parser of `count` positive integers separated by `x`, `×` or `,` (`224x192`, `32×32×32`), refused with
 * `expected <what>` otherwise. `sizesOption(2, 'HxW, e.g. 224x192')`.
 */
export function sizesOption(count: number, what: string): (value: string) => number[] {
  return (value: string): number[] => {
    const parts = value.split(/[x×,]/).map(Number);
    if (parts.length !== count || !parts.every((n) => Number.isInteger(n) && n > 0)) throw new InvalidArgumentError(`expected ${what}`);
    return parts;
  };
}

/** Parse a comma-separated list of positive integers of any length (`--filters 32,64,128,256`). */
export function positiveIntegerListOption(value: string): number[] {
  const parts = value.split(',').map(Number);
  if (!parts.every((n) => Number.isInteger(n) && n > 0)) throw new InvalidArgumentError('expected positive integers separated by commas');
  return parts;
}

/** Parse `--lambda`, the NonAdjLoss weight: a number ≥ 0, or `auto` (the reference controller, METHOD.md §4). */
export function lambdaOption(value: string): number | 'auto' {
  if (value === 'auto') return 'auto';
  return numberOption('a number ≥ 0 or "auto"', (n) => n >= 0)(value);
}

/** Parse `--radius`: an integer in 1 … `PRIOR_LIMITS.maxRadius` (the scans grow with r³). */
export function radiusOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > PRIOR_LIMITS.maxRadius) throw new InvalidArgumentError(`expected an integer in 1 … ${PRIOR_LIMITS.maxRadius}`);
  return n;
}

/** Parse `--connectivity`, the voxel neighbourhood: 6 (faces), 18 (faces and edges) or 26 (faces, edges and corners). */
export function connectivityOption(value: string): Connectivity {
  return numberOption('6, 18 or 26', (n) => n === 6 || n === 18 || n === 26)(value) as Connectivity;
}

/** Parse a slicing axis of a volume, in NIfTI voxel order: 0 (x, sagittal), 1 (y, coronal) or 2 (z, axial). */
export function axisOption(value: string): SliceAxisIndex {
  return numberOption('0, 1 or 2', (n) => n === 0 || n === 1 || n === 2)(value) as SliceAxisIndex;
}

/** Parse `--port`: 0 (the system picks any free port) or 1..65535. */
export function portOption(value: string): number {
  return numberOption('a port number 0..65535 (0 = any free port)', (n) => Number.isInteger(n) && n >= 0 && n <= 65535)(value);
}

/**
 * A parser of positive finite numbers (a volume in mm³, say) whose message names `flag` and the value again:
 * `--max-component-mm3 is "-3", expected a positive number`.
 */
export function positiveNumberOption(flag: string): (value: string) => number {
  return (value: string): number => {
    const n = Number(value);
    if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`${flag} is "${value}", expected a positive number`);
    return n;
  };
}

/**
 * A parser of integers in `[min, max]` that throws a plain `Error` `<flag> <value>: expected an integer in <range>`
 * (`range` defaults to `[min, max]`; `nonadj demo` writes its seed bound as `1e6`).
 */
export function integerInRangeOption(flag: string, min: number, max: number, range = `[${min}, ${max}]`): (value: string) => number {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) throw new Error(`${flag} ${value}: expected an integer in ${range}`);
    return n;
  };
}

/**
 * A parser of comma-separated label codes (integers ≥ 0, spaces around them allowed) that throws a plain `Error`
 * `<flag>: "<item>" is not a label code` at the first item that is not one.
 */
export function labelListOption(flag: string): (value: string) => number[] {
  return (value: string): number[] =>
    value.split(',').map((s) => {
      const n = Number(s.trim());
      if (s.trim() === '' || !Number.isInteger(n) || n < 0) throw new Error(`${flag}: "${s}" is not a label code`);
      return n;
    });
}

/** The commands that take `--intensity`: only `train` has a training set, whose statistics `dataset` needs. */
export type IntensityCommand = 'train' | 'segment' | 'adapt';

/**
 * The parser of `--intensity` for `command`: one of `zscore`, `minmax`, `quantile` (brainchop's 5 %–95 %),
 * `quantile:<lower>,<upper>`, `none` (or `image` for `zscore`), and for `train` also `dataset` (see `parseIntensity`).
 * `train`'s returns the text as given (its training spec records it, and `parseIntensity` turns it into the
 * standardisation later); `segment`'s and `adapt`'s return the standardisation itself.
 *
 * A choice that is none of them is refused with commander's `InvalidArgumentError`; `dataset` for a command without a
 * training set with a plain `Error` naming the command and what it takes, which the CLI prints as
 * `nonadj <command>: --intensity dataset needs a training set; <command> takes …`.
 */
export function intensityOption(command: 'train'): (value: string) => string;
export function intensityOption(command: Exclude<IntensityCommand, 'train'>): (value: string) => StandardiseOptions;
export function intensityOption(command: IntensityCommand): (value: string) => string | StandardiseOptions {
  return (value: string) => {
    let parsed: StandardiseOptions | 'dataset';
    try {
      parsed = parseIntensity(value);
    } catch (error) {
      const badQuantiles = /quantiles must/.test((error as Error).message);
      throw new InvalidArgumentError(badQuantiles ? 'expected quantile:<lower>,<upper> with 0 ≤ lower < upper ≤ 1' : `expected ${INTENSITY_CHOICES}`);
    }
    if (command === 'train') return value;
    if (parsed === 'dataset') {
      throw new Error(
        `--intensity dataset needs a training set; ${command} takes zscore, minmax, quantile[:lower,upper] or none (a model trained with dataset statistics stores them)`,
      );
    }
    return parsed;
  };
}

/** The label-name tables `--names` reads (see `parseLabelNames`). */
const LABEL_NAME_FORMATS = 'FreeSurfer LUT, ITK-SNAP label file, MRIcron/AAL .nii.txt, BIDS dseg.tsv or nnU-Net dataset.json';

/**
 * The `--names <file>` option of the commands that print label names (`check`, `evaluate`, `extract`, `repair`,
 * `view`), declared once so that its help says the same everywhere: `label names[ <when>]: <the formats read>`.
 *
 * @param when - when the names are used, e.g. `'when the prior has none'`; omitted: always.
 */
export function namesOption(when?: string): Option {
  return new Option('--names <file>', `label names${when ? ` ${when}` : ''}: ${LABEL_NAME_FORMATS}`);
}

/**
 * The `--engine` option of every command that runs a network (segment; adapt's steps, original's predictions and
 * segmentation; train's steps and validation): auto (default: onnxruntime-node when the package loads and the model
 * exports, else tfjs), tfjs, or onnx (refused when the package is not installed).
 */
export function engineOption(): Option {
  return new Option('--engine <name>', 'engine of the network\'s passes: auto (onnxruntime-node when installed and the model is covered, else tfjs), tfjs, onnx').choices(['auto', 'tfjs', 'onnx']).default('auto');
}

/**
 * The `--input-order zyx|xyz` option of the commands that feed a 3D network (segment, adapt, train), declared once so
 * that its choices and its default read the same everywhere: the default is `resolveInputOrder`'s (the order the
 * model's metadata records, else zyx for nonadj's models, else brainchop's xyz).
 *
 * @param tail - what the command adds to the help, e.g. `', as segment'`.
 */
export function inputOrderOption(tail = ''): Option {
  return new Option(
    '--input-order <order>',
    `3D: array axes fed to the network's D, H, W (default: the order the model records, else zyx for nonadj models, xyz = brainchop's otherwise)${tail}`,
  ).choices(['zyx', 'xyz']);
}
