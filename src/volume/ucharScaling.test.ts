import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ucharScaling } from './ucharScaling.js';

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} vs ${b}`);

test('golden: 0..999, one voxel per bin: ⌊0.001·999⌋ = 0 voxels cut, srcMax = edge 998 = 998 × 0.999', () => {
  const r = ucharScaling(Float32Array.from({ length: 1000 }, (_, i) => i));
  close(r.srcMin, 0, 'srcMin');
  close(r.srcMax, 997.002, 'srcMax');
  close(r.scale, 255 / 997.002, 'scale');
});

test('golden: 0..9999: 9 brightest non-zero voxels cut; the cumulative count reaches 9991 at edge 1000, so srcMax = edge 998', () => {
  // Bins of width 9.999: bins 0..998 hold the 9990 values below 999 × 9.999 = 9989.001, bin 999 the last 10.
  const r = ucharScaling(Int16Array.from({ length: 10000 }, (_, i) => i - 0));
  close(r.srcMin, 0, 'srcMin');
  close(r.srcMax, 998 * 9.999, 'srcMax');
});

test('a few bright outliers are cut (robust range), a shift moves srcMin, a constant image scales by 1', () => {
  const data = new Float32Array(100000);
  for (let i = 0; i < data.length; i++) data[i] = 100 + (i % 500);
  data[0] = 1e6; // one outlier: 1000 bins of width ~1000, all the brain in bin 0
  const r = ucharScaling(data);
  // Everything but the outlier sits in bin 0; the cut (100000 − 99 = 99901) is reached at edge 1, so index 1 − 2 = −1:
  // Python's last edge, the maximum (FastSurfer's behaviour, kept).
  close(r.srcMin, 100, 'srcMin');
  close(r.srcMax, 1e6, 'srcMax');
  // A constant image: numpy widens the range to 6.5..7.5, all 10 voxels in bin 500; the cut (10) is reached at edge
  // 501, so srcMax = edge 499 = 6.5 + 0.499.
  const constant = ucharScaling(new Float32Array(10).fill(7));
  close(constant.srcMin, 6.5, 'constant srcMin');
  close(constant.srcMax, 6.999, 'constant srcMax');
  assert.throws(() => ucharScaling(Float32Array.from([1, NaN])), /ucharScaling: voxel 1 is NaN, expected finite intensities/);
  assert.throws(() => ucharScaling(new Float32Array(3), { fLow: 0.5, fHigh: 0.2 }), /fLow 0\.5, fHigh 0\.2, expected 0 ≤ fLow ≤ fHigh ≤ 1/);
});
