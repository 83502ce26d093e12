import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { chartScaleType } from './chartScaleType.js';

describe('chartScaleType', () => {
  test('golden cases at and around the two-decade limit', () => {
    const cases: Array<[number[], ReturnType<typeof chartScaleType>]> = [
      [[], 'linear'],
      [[0, 0], 'linear'], // nothing positive
      [[5], 'linear'], // one value spans nothing
      [[1, 100], 'linear'], // exactly 100× is two decades, not more
      [[1, 101], 'log'],
      [[0.003, 0.31], 'log'], // 0.31 / 0.003 ≈ 103
      [[3, 300], 'linear'], // 300 / 3 = 100
      [[0, 100], 'linear'], // measured from 1: 100×
      [[0, 101], 'log1p'],
      [[0, 12], 'linear'], // the fixture's test domain
      [[0, 0.5, 900], 'log1p'], // a zero forces the span to start at 1 even with a positive value below it
      [[-1, 1000], 'linear'], // negative values have no log axis
      [[Number.NaN, 1, 1000, Number.POSITIVE_INFINITY], 'log'], // non-finite values are ignored
      [[Number.NaN], 'linear'],
    ];
    for (const [values, expected] of cases) assert.equal(chartScaleType(values), expected, JSON.stringify(values));
  });

  test('on counts it agrees with an integer-only statement of the rule (no division)', () => {
    const reference = (v: number[]) => {
      const positive = v.filter((x) => x > 0);
      if (positive.length === 0) return 'linear';
      const zero = v.includes(0);
      const lo = zero ? 1 : Math.min(...positive);
      return Math.max(...positive) > 100 * lo ? (zero ? 'log1p' : 'log') : 'linear';
    };
    fc.assert(fc.property(fc.array(fc.nat({ max: 1_000_000 }), { maxLength: 12 }), (v) => chartScaleType(v) === reference(v)));
  });

  test('does not depend on order, and is unchanged by scaling positive values by a power of two', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 1e-6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 10 }), fc.integer({ min: -20, max: 20 }), (v, k) => {
        const t = chartScaleType(v);
        assert.equal(chartScaleType([...v].reverse()), t);
        // A power of two scales exactly in binary floating point, so the ratio max/min is unchanged.
        assert.equal(chartScaleType(v.map((x) => x * 2 ** k)), t);
      }),
    );
  });
});
