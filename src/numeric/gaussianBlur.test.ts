import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { gaussianBlur, gaussianKernel } from './gaussianBlur.js';
import { reflectIndex } from './reflectIndex.js';
import { seededRandom } from './seededRandom.js';

/** Independent oracle: direct 2D convolution with the outer-product kernel (what the separable passes factor). */
function naiveBlur2d(data: ArrayLike<number>, W: number, H: number, sigma: number): Float64Array {
  const w = gaussianKernel(sigma);
  const r = (w.length - 1) / 2;
  const out = new Float64Array(W * H);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      let acc = 0;
      for (let dy = -r; dy <= r; dy++)
        for (let dx = -r; dx <= r; dx++) acc += w[dx + r] * w[dy + r] * data[reflectIndex(x + dx, W) + W * reflectIndex(y + dy, H)];
      out[x + W * y] = acc;
    }
  return out;
}

describe('gaussianBlur', () => {
  test('kernel taps: σ = 1, truncate 1 → exp(−1/2) weights, normalised', () => {
    const e = Math.exp(-0.5);
    assert.deepEqual(Array.from(gaussianKernel(1, 1)).map((x) => +x.toFixed(6)), [e / (1 + 2 * e), 1 / (1 + 2 * e), e / (1 + 2 * e)].map((x) => +x.toFixed(6)));
  });

  test('1D golden: [0, 0, 3, 0, 0] with σ = 1, truncate 1 spreads 3 into e/(1+2e)·3 each side', () => {
    const out = gaussianBlur([0, 0, 3, 0, 0], [5], { sigma: 1, truncate: 1 });
    const e = Math.exp(-0.5), side = (3 * e) / (1 + 2 * e);
    assert.deepEqual(Array.from(out).map((x) => +x.toFixed(5)), [0, side, 3 - 2 * side, side, 0].map((x) => +x.toFixed(5)));
  });

  test('a constant field stays constant, σ = 0 is the identity', () => {
    assert.ok(gaussianBlur(new Float32Array(60).fill(2.5), [5, 4, 3], { sigma: 3 }).every((v) => Math.abs(v - 2.5) < 1e-5));
    const x = Float32Array.from({ length: 12 }, (_, i) => i * i);
    assert.deepEqual(gaussianBlur(x, [4, 3], { sigma: 0 }), x);
    assert.deepEqual(gaussianBlur(x, [4, 3], { sigma: [0, 1] }).subarray(0, 4).length, 4);
  });

  test('separable passes equal the direct 2D convolution', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.double({ min: 0.3, max: 3, noNaN: true }), fc.integer(), (W, H, sigma, seed) => {
        const rng = seededRandom(seed);
        const data = Float32Array.from({ length: W * H }, () => rng.normal());
        const fast = gaussianBlur(data, [W, H], { sigma });
        const slow = naiveBlur2d(data, W, H, sigma);
        for (let i = 0; i < W * H; i++) assert.ok(Math.abs(fast[i] - slow[i]) < 1e-4, `pixel ${i}: ${fast[i]} vs ${slow[i]}`);
      }),
      { numRuns: 50 },
    );
  });

  test('bad input', () => {
    assert.throws(() => gaussianBlur([1, 2, 3], [2, 2], { sigma: 1 }), /dims 2×2 do not match 3 samples/);
    assert.throws(() => gaussianBlur([1, 2, 3, 4], [2, 2], { sigma: -1 }), /sigma -1, expected 2 finite values ≥ 0/);
  });
});
