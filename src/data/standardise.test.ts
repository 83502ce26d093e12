import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { standardise, standardiseParams } from './standardise.js';

const vol = (values: number[]) => ({ data: Float32Array.from(values) });

describe('standardise: min-max, quantile and none', () => {
  test('min-max maps the minimum to 0 and the maximum to 1', () => {
    // values 2…10: offset 2, scale 8 → (6 − 2) / 8 = 0.5
    assert.deepEqual(standardiseParams(vol([6, 2, 10, 4]), { mode: 'minmax' }), { mean: 2, std: 8 });
    assert.deepEqual(Array.from(standardise(vol([6, 2, 10, 4]), { mode: 'minmax' })), [0.5, 0, 1, 0.25]);
  });

  test('quantiles at brainchop\'s indices ⌊N·lower⌋ and ⌈N·upper⌉ − 1 of the sorted values, no clipping', () => {
    // 20 values 0…19 shuffled; lower 0.05 → index 1 (value 1), upper 0.95 → index ⌈19⌉ − 1 = 18 (value 18).
    const values = Array.from({ length: 20 }, (_, i) => (i * 7) % 20);
    assert.deepEqual(standardiseParams(vol(values), { mode: 'quantile', lower: 0.05, upper: 0.95 }), { mean: 1, std: 17 });
    const out = standardise(vol(values), { mode: 'quantile', lower: 0.05, upper: 0.95 });
    assert.equal(out[values.indexOf(0)], Math.fround(-1 / 17)); // below the lower quantile: negative, not clipped
    assert.equal(out[values.indexOf(19)], Math.fround(18 / 17));
    // quantiles 0 and 1 are min-max
    assert.deepEqual(standardiseParams(vol(values), { mode: 'quantile', lower: 0, upper: 1 }), standardiseParams(vol(values), { mode: 'minmax' }));
  });

  test('an affine change of the image leaves min-max and quantile outputs unchanged (property)', () => {
    const values = Array.from({ length: 50 }, (_, i) => Math.sin(i * 1.3) * 40 + 60);
    for (const mode of [{ mode: 'minmax' as const }, { mode: 'quantile' as const, lower: 0.1, upper: 0.9 }]) {
      const a = standardise(vol(values), mode);
      const b = standardise(vol(values.map((v) => 3 * v - 7)), mode);
      for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-5, `${mode.mode} voxel ${i}`);
    }
  });

  test('none is the identity; bad quantiles and constant images are refused', () => {
    assert.deepEqual(Array.from(standardise(vol([-3, 5]), { mode: 'none' })), [-3, 5]);
    assert.throws(() => standardise(vol([1, 2]), { mode: 'quantile', lower: 0.9, upper: 0.1 }), /quantiles 0.9, 0.1; expected 0 ≤ lower < upper ≤ 1/);
    assert.throws(() => standardise(vol([4, 4, 4]), { mode: 'minmax' }), /minmax offset 4, scale 0/);
  });
});
