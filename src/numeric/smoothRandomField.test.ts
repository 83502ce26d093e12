import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { gaussianBlur } from './gaussianBlur.js';
import { seededRandom } from './seededRandom.js';
import { smoothRandomField } from './smoothRandomField.js';

describe('smoothRandomField', () => {
  test('for σ < 4 (step 1) it is the blurred noise, rescaled to the largest norm', () => {
    const dims: [number, number, number] = [7, 5, 3];
    const [f, g] = smoothRandomField(seededRandom(8), dims, { sigma: [1.5, 1.5, 1], channels: 2, maxNorm: 2 });
    // Oracle: the same noise (drawn channel after channel), blurred at full resolution.
    const rng = seededRandom(8);
    const noise = [0, 1].map(() => Float32Array.from({ length: 105 }, () => rng.normal()));
    const [bf, bg] = noise.map((x) => gaussianBlur(x, dims, { sigma: [1.5, 1.5, 1] }));
    const max = Math.max(...Array.from(bf, (x, i) => Math.hypot(x, bg[i])));
    for (let i = 0; i < 105; i++) {
      assert.ok(Math.abs(f[i] - (bf[i] * 2) / max) < 1e-5);
      assert.ok(Math.abs(g[i] - (bg[i] * 2) / max) < 1e-5);
    }
  });

  test('the longest vector has norm maxNorm exactly; coarse fields are smooth', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.double({ min: 0, max: 12, noNaN: true }), fc.integer(), (W, H, sigma, seed) => {
        const [dx, dy] = smoothRandomField(seededRandom(seed), [W, H, 1], { sigma: [sigma, sigma, 0], channels: 2, maxNorm: 3 });
        const norms = Array.from(dx, (x, i) => Math.hypot(x, dy[i]));
        assert.ok(Math.abs(Math.max(...norms) - 3) < 1e-5);
      }),
      { numRuns: 40 },
    );
    // σ = 10 px on 64×64: neighbouring pixels differ by a small fraction of the field's range.
    const [dx] = smoothRandomField(seededRandom(1), [64, 64, 1], { sigma: [10, 10, 0], channels: 1, maxNorm: 1 });
    let worst = 0;
    for (let y = 0; y < 64; y++) for (let x = 1; x < 64; x++) worst = Math.max(worst, Math.abs(dx[y * 64 + x] - dx[y * 64 + x - 1]));
    assert.ok(worst < 0.2, `largest step between neighbours ${worst}`);
  });

  test('maxNorm 0 gives a zero field; bad σ', () => {
    assert.ok(smoothRandomField(seededRandom(1), [4, 4, 4], { sigma: [2, 2, 2], channels: 3, maxNorm: 0 }).every((f) => f.every((v) => v === 0)));
    assert.throws(() => smoothRandomField(seededRandom(1), [4, 4, 1], { sigma: [-1, 2, 0], channels: 1, maxNorm: 1 }), /sigma \[-1,2,0\] and maxNorm 1 must be finite and ≥ 0/);
  });
});
