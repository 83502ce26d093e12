import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cropGrid, pasteGrid } from './cropGrid.js';
import { headBoundingBox } from './headBoundingBox.js';

describe('cropGrid, pasteGrid', () => {
  // 10×8×6 grid, zero background, a bright block over x 3…5, y 2…4, z 1…3 and one faint voxel (below 10 % of the range).
  const dims: [number, number, number] = [10, 8, 6];
  const at = (x: number, y: number, z: number) => x + 10 * (y + 8 * z);
  const data = new Float32Array(480);
  for (let z = 1; z <= 3; z++) for (let y = 2; y <= 4; y++) for (let x = 3; x <= 5; x++) data[at(x, y, z)] = 100;
  data[at(9, 7, 5)] = 5;

  test('crop then paste restores the box; voxels outside keep the target\'s values', () => {
    const box = headBoundingBox({ dims, data }, 1);
    const part = cropGrid(data, dims, box);
    assert.equal(part.length, box.size[0] * box.size[1] * box.size[2]);
    assert.equal(part.reduce((a, b) => a + b, 0), 27 * 100);
    const back = pasteGrid(new Float32Array(480).fill(-1), dims, box, part);
    for (let v = 0; v < 480; v++) if (data[v] === 100) assert.equal(back[v], 100);
    assert.equal(back[at(9, 7, 5)], -1);
    // two channels: channel c of voxel v is v·2 + c
    const two = Int32Array.from({ length: 960 }, (_, i) => i);
    const cropped = cropGrid(two, dims, { start: [1, 1, 1], size: [2, 1, 1] }, 2);
    assert.deepEqual(Array.from(cropped), [at(1, 1, 1) * 2, at(1, 1, 1) * 2 + 1, at(2, 1, 1) * 2, at(2, 1, 1) * 2 + 1]);
    assert.throws(() => cropGrid(data, dims, { start: [8, 0, 0], size: [3, 1, 1] }), /leaves the 10×8×6 grid/);
  });
});
