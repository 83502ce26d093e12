import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatInterval } from './formatInterval.js';

const interval = (estimate: number, low: number, high: number) => ({ estimate, low, high, containsZero: low <= 0 && high >= 0, resamples: 2000 });

test('formatInterval: estimate and bounds, signed, scaled', () => {
  assert.equal(formatInterval(interval(-1, -1.4, -0.6), { digits: 2 }), '−1.00 [−1.40, −0.60]');
  assert.equal(formatInterval(interval(0.3, 0.1, 0.5), { digits: 0, scale: 100 }), '+30 [+10, +50]');
});

test('formatInterval: an interval containing 0 prints no point estimate', () => {
  assert.equal(formatInterval(interval(-0.2, -0.5, 0.1), { digits: 2 }), 'no detectable difference [−0.50, +0.10]');
  // A bound exactly at 0 contains it.
  assert.equal(formatInterval(interval(-0.25, -0.5, 0), { digits: 2 }), 'no detectable difference [−0.50, ±0.00]');
  // The interval's own flag decides, not the rounded bounds: (−0.004, −0.001) excludes 0 though both print ±0.00.
  assert.equal(formatInterval(interval(-0.002, -0.004, -0.001), { digits: 2 }), '±0.00 [±0.00, ±0.00]');
});

test('formatInterval: no interval prints a dash', () => {
  assert.equal(formatInterval(null, { digits: 1 }), '–');
  assert.equal(formatInterval(undefined, { digits: 1 }), '–');
});
