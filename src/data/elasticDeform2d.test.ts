import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { displacementField2d, elasticDeform2d } from './elasticDeform2d.js';
import { seededRandom } from '../numeric/seededRandom.js';

function randomSample(H: number, W: number, C: number, seed: number): { image: Float32Array; label: Int32Array } {
  const rng = seededRandom(seed);
  const image = Float32Array.from({ length: H * W * C }, () => rng.normal());
  // Blocky labels from a small set that skips values, so "⊆ the input set" is a real constraint.
  const label = Int32Array.from({ length: H * W }, (_, p) => [0, 3, 7, -1][(Math.floor(p / W / 4) + Math.floor((p % W) / 4)) % 4]);
  return { image, label };
}

describe('elasticDeform2d', () => {
  test('alpha = 0 is the identity', () => {
    const { image, label } = randomSample(12, 9, 3, 1);
    const out = elasticDeform2d(image, label, { height: 12, width: 9, alpha: 0, sigma: 3, seed: 5 });
    assert.deepEqual(out.image, image);
    assert.deepEqual(out.label, label);
  });

  test('labels stay integers from the input set; the field never exceeds alpha', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 24 }), fc.integer({ min: 2, max: 24 }), fc.double({ min: 0, max: 10, noNaN: true }), fc.double({ min: 0.5, max: 6, noNaN: true }), fc.integer(), (H, W, alpha, sigma, seed) => {
        const { image, label } = randomSample(H, W, 2, seed);
        const out = elasticDeform2d(image, label, { height: H, width: W, alpha, sigma, seed });
        const before = new Set(label);
        assert.ok((out.label as Int32Array).every((v) => before.has(v)));
        const { dx, dy } = displacementField2d(H, W, alpha, sigma, seed);
        let max = 0;
        for (let i = 0; i < H * W; i++) max = Math.max(max, Math.hypot(dx[i], dy[i]));
        assert.ok(max <= alpha * (1 + 1e-6) + 1e-6 && max >= alpha * (1 - 1e-6) - 1e-6, `max |d| = ${max}, alpha ${alpha}`);
      }),
      { numRuns: 60 },
    );
  });

  test('bilinear image and nearest labels agree with a direct resampling through the same field', () => {
    const H = 10, W = 13, C = 2;
    const { image, label } = randomSample(H, W, C, 2);
    const opts = { height: H, width: W, alpha: 3, sigma: 2, seed: 11 };
    const out = elasticDeform2d(image, label, opts);
    const { dx, dy } = displacementField2d(H, W, 3, 2, 11);
    const at = (y: number, x: number, c: number) => image[(Math.min(Math.max(y, 0), H - 1) * W + Math.min(Math.max(x, 0), W - 1)) * C + c];
    for (let r = 0; r < H; r++)
      for (let c = 0; c < W; c++) {
        const p = r * W + c;
        const y = Math.min(Math.max(r + dy[p], 0), H - 1), x = Math.min(Math.max(c + dx[p], 0), W - 1);
        const y0 = Math.floor(y), x0 = Math.floor(x), fy = y - y0, fx = x - x0;
        for (let ch = 0; ch < C; ch++) {
          const v = (1 - fy) * ((1 - fx) * at(y0, x0, ch) + fx * at(y0, x0 + 1, ch)) + fy * ((1 - fx) * at(y0 + 1, x0, ch) + fx * at(y0 + 1, x0 + 1, ch));
          assert.ok(Math.abs(out.image[p * C + ch] - v) < 1e-5);
        }
        assert.equal((out.label as Int32Array)[p], label[Math.round(y) * W + Math.round(x)]);
      }
  });

  test('same seed → same output, different seed → different output; a constant image stays constant', () => {
    const { image, label } = randomSample(16, 16, 1, 3);
    const a = elasticDeform2d(image, label, { height: 16, width: 16, alpha: 4, sigma: 3, seed: 1 });
    const b = elasticDeform2d(image, label, { height: 16, width: 16, alpha: 4, sigma: 3, seed: 1 });
    const c = elasticDeform2d(image, label, { height: 16, width: 16, alpha: 4, sigma: 3, seed: 2 });
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.image, c.image);
    const flat = elasticDeform2d(new Float32Array(256).fill(0.7), null, { height: 16, width: 16, alpha: 4, sigma: 3, seed: 1 });
    assert.ok(flat.image.every((v) => Math.abs(v - 0.7) < 1e-6));
    assert.equal(flat.label, null);
  });

  test('bad input', () => {
    assert.throws(() => elasticDeform2d(new Float32Array(10), null, { height: 3, width: 3, alpha: 1, sigma: 1, seed: 0 }), /image has 10 values, expected \[3, 3, C\]/);
    assert.throws(() => elasticDeform2d(new Float32Array(9), new Int32Array(8), { height: 3, width: 3, alpha: 1, sigma: 1, seed: 0 }), /label has 8 values/);
    assert.throws(() => elasticDeform2d(new Float32Array(9), null, { height: 3, width: 3, alpha: -1, sigma: 1, seed: 0 }), /alpha -1 px and sigma 1 px must be finite and ≥ 0/);
  });
});
