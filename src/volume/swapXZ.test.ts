import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { swapXZ } from './swapXZ.js';

describe('swapXZ', () => {
  // 10×8×6 grid, zero background, a bright block over x 3…5, y 2…4, z 1…3 and one faint voxel (below 10 % of the range).
  const dims: [number, number, number] = [10, 8, 6];
  const at = (x: number, y: number, z: number) => x + 10 * (y + 8 * z);
  const data = new Float32Array(480);
  for (let z = 1; z <= 3; z++) for (let y = 2; y <= 4; y++) for (let x = 3; x <= 5; x++) data[at(x, y, z)] = 100;
  data[at(9, 7, 5)] = 5;

  test('swapXZ moves voxel (x, y, z) to (z, y, x) and is its own inverse', () => {
    const swapped = swapXZ(data, dims);
    assert.deepEqual(swapped.dims, [6, 8, 10]);
    assert.equal(swapped.data[5 + 6 * (7 + 8 * 9)], 5); // the faint voxel (9, 7, 5) → (5, 7, 9)
    assert.deepEqual(swapXZ(swapped.data, swapped.dims).data, data);
    const two = Float32Array.from({ length: 960 }, (_, i) => i);
    const s2 = swapXZ(two, dims, 2);
    assert.equal(s2.data[(1 + 6 * (2 + 8 * 3)) * 2 + 1], at(3, 2, 1) * 2 + 1);
  });
});
