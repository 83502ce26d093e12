import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { headBoundingBox } from './headBoundingBox.js';

describe('headBoundingBox', () => {
  // 10×8×6 grid, zero background, a bright block over x 3…5, y 2…4, z 1…3 and one faint voxel (below 10 % of the range).
  const dims: [number, number, number] = [10, 8, 6];
  const at = (x: number, y: number, z: number) => x + 10 * (y + 8 * z);
  const data = new Float32Array(480);
  for (let z = 1; z <= 3; z++) for (let y = 2; y <= 4; y++) for (let x = 3; x <= 5; x++) data[at(x, y, z)] = 100;
  data[at(9, 7, 5)] = 5;

  test('the box of the voxels above lo + 0.1·(hi − lo), grown by the margin and clipped to the grid', () => {
    assert.deepEqual(headBoundingBox({ dims, data }, 0), { start: [3, 2, 1], size: [3, 3, 3] });
    // margin 2: x 1…7, y 0…6, z 0 (clipped) … 5
    assert.deepEqual(headBoundingBox({ dims, data }, 2), { start: [1, 0, 0], size: [7, 7, 6] });
    assert.deepEqual(headBoundingBox({ dims, data: new Float32Array(480) }, 1), { start: [0, 0, 0], size: dims });
    assert.throws(() => headBoundingBox({ dims, data }, -1), /margin -1/);
  });
});
