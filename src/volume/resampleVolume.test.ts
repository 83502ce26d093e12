import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resampleVolume } from './resampleVolume.js';
import { makeVolume } from './Volume.js';

const ramp = makeVolume([4, 3, 2], Float32Array.from({ length: 24 }, (_, i) => i)); // value = i + 4j + 12k

describe('resampleVolume', () => {
  test('the same grid copies every voxel, with either interpolation', () => {
    for (const interpolation of ['linear', 'nearest'] as const) {
      assert.deepEqual([...resampleVolume(ramp, ramp, { interpolation }).data], [...ramp.data], interpolation);
    }
  });

  test('golden: a half-voxel shift along x averages neighbours (linear) and rounds up (nearest); outside gets fill', () => {
    // Output voxel i sits at source x = i + 0.5: linear (v(i) + v(i+1)) / 2; i = 3 → x = 3.5 is outside → fill.
    const grid = { dims: [4, 1, 1] as [number, number, number], affine: [1, 0, 0, 0.5, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1] };
    assert.deepEqual([...resampleVolume(ramp, grid, { interpolation: 'linear', fill: -1 }).data], [0.5, 1.5, 2.5, -1]);
    assert.deepEqual([...resampleVolume(ramp, grid, { interpolation: 'nearest', fill: -1 }).data], [1, 2, 3, -1]);
    // Trilinear at the centre of the first cube: mean of its 8 corners = (0+1+4+5+12+13+16+17)/8 = 8.5.
    const centre = { dims: [1, 1, 1] as [number, number, number], affine: [1, 0, 0, 0.5, 0, 1, 0, 0.5, 0, 0, 1, 0.5, 0, 0, 0, 1] };
    assert.deepEqual([...resampleVolume(ramp, centre, { interpolation: 'linear' }).data], [8.5]);
  });

  test('a flipped and permuted grid on the same voxel centres is exact: labels keep values and typed array', () => {
    const labels = makeVolume([4, 3, 2], Uint16Array.from({ length: 24 }, (_, i) => 1000 + i), { affine: [1, 0, 0, 10, 0, 1, 0, 20, 0, 0, 1, 30, 0, 0, 0, 1] });
    // Output (i, j, k) → world (10 + 3 − k?...): i → −x from x = 3, j → z, k → y.
    const grid = { dims: [4, 2, 3] as [number, number, number], affine: [-1, 0, 0, 13, 0, 0, 1, 20, 0, 1, 0, 30, 0, 0, 0, 1] };
    for (const interpolation of ['nearest', 'linear'] as const) {
      const out = resampleVolume(labels, grid, { interpolation });
      assert.equal(out.data.constructor, interpolation === 'nearest' ? Uint16Array : Float32Array);
      for (let k = 0; k < 3; k++) for (let j = 0; j < 2; j++) for (let i = 0; i < 4; i++) {
        assert.equal(out.data[i + 4 * j + 8 * k], 1000 + (3 - i) + 4 * k + 12 * j, `${interpolation} (${i}, ${j}, ${k})`);
      }
      // And back: the original exactly.
      assert.deepEqual([...resampleVolume(out, labels, { interpolation }).data], [...labels.data]);
    }
  });

  test('every frame is resampled; header geometry follows the grid', () => {
    const stack = makeVolume([2, 1, 1], Float32Array.from([1, 3, 10, 30]));
    const out = resampleVolume(stack, { dims: [1, 1, 1], affine: [1, 0, 0, 0.5, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1] }, { interpolation: 'linear' });
    assert.equal(out.frames, 2);
    assert.deepEqual([...out.data], [2, 20]);
    assert.deepEqual([...out.header.sform!], [1, 0, 0, 0.5, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    assert.throws(() => resampleVolume(stack, { dims: [0, 1, 1], affine: stack.affine }, { interpolation: 'linear' }), /resampleVolume: grid dims 0×1×1, expected positive integers/);
  });
});
