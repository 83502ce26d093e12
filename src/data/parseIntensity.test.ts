import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseIntensity } from './parseIntensity.js';

describe('parseIntensity', () => {
  test('every choice, with brainchop\'s quantiles by default', () => {
    const cases: Array<[string, ReturnType<typeof parseIntensity>]> = [
      ['zscore', { mode: 'image', region: 'nonzero' }],
      ['image', { mode: 'image', region: 'nonzero' }],
      ['dataset', 'dataset'],
      ['minmax', { mode: 'minmax' }],
      ['none', { mode: 'none' }],
      ['quantile', { mode: 'quantile', lower: 0.05, upper: 0.95 }],
      ['quantile:0.02,0.98', { mode: 'quantile', lower: 0.02, upper: 0.98 }],
      ['quantile:0,1', { mode: 'quantile', lower: 0, upper: 1 }],
    ];
    for (const [text, expected] of cases) assert.deepEqual(parseIntensity(text), expected, text);
  });

  test('anything else is refused with the choices', () => {
    assert.throws(() => parseIntensity('z-score'), /intensity "z-score" is not one of zscore, minmax, quantile\[:lower,upper\], none/);
    assert.throws(() => parseIntensity('quantile:0.9,0.1'), /0 ≤ lower < upper ≤ 1/);
    assert.throws(() => parseIntensity('quantile:,0.9'), /0 ≤ lower < upper ≤ 1/);
    assert.throws(() => parseIntensity('quantile:0.1,2'), /0 ≤ lower < upper ≤ 1/);
  });
});
