import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { volumeFrom } from '../../test/helpers/trainingDataFixtures.js';
import { extractPatch3d } from './extractPatch3d.js';
import { patchGrid } from './patchGrid.js';

const vol = volumeFrom([4, 3, 2], (i, j, k) => i + 10 * j + 100 * k);
const lab = volumeFrom([4, 3, 2], (i) => i, Uint8Array);

describe('extractPatch3d', () => {
  test('inside: [D, H, W, 1] = [sz, sy, sx, 1], x fastest', () => {
    const p = extractPatch3d(vol, lab, { origin: [1, 1, 0], size: [2, 2, 2] });
    // (d, h, w) ↦ voxel (1 + w, 1 + h, d)
    assert.deepEqual(Array.from(p.image), [11, 12, 21, 22, 111, 112, 121, 122]);
    assert.deepEqual(Array.from(p.label as Int32Array), [1, 2, 1, 2, 1, 2, 1, 2]);
  });

  test('past the border: imagePad / labelPad', () => {
    const p = extractPatch3d(vol, lab, { origin: [3, -1, 1], size: [2, 2, 2], imagePad: -9 });
    // d = 0 → k = 1; h = 0 → j = −1 (outside); h = 1 → j = 0; w = 0 → i = 3, w = 1 → i = 4 (outside); d = 1 → k = 2 (outside)
    assert.deepEqual(Array.from(p.image), [-9, -9, 103, -9, -9, -9, -9, -9]);
    assert.deepEqual(Array.from(p.label as Int32Array), [-1, -1, 3, -1, -1, -1, -1, -1]);
    assert.equal(extractPatch3d(vol, null, { origin: [0, 0, 0], size: [1, 1, 1] }).label, null);
  });

  test('patches on a patchGrid cover every voxel and reproduce it', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 })),
        fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })),
        fc.integer({ min: 0, max: 3 }),
        (dims, size, ov) => {
          const overlap = Math.min(ov, Math.min(...size) - 1);
          const v = volumeFrom(dims, (i, j, k) => 1 + i + 10 * j + 100 * k);
          const seen = new Float32Array(v.data.length);
          for (const origin of patchGrid(dims, { size, overlap })) {
            const p = extractPatch3d(v, null, { origin, size });
            for (let d = 0; d < size[2]; d++)
              for (let h = 0; h < size[1]; h++)
                for (let w = 0; w < size[0]; w++) {
                  const [i, j, k] = [origin[0] + w, origin[1] + h, origin[2] + d];
                  const val = p.image[w + size[0] * (h + size[1] * d)];
                  if (i < dims[0] && j < dims[1] && k < dims[2]) seen[i + dims[0] * (j + dims[1] * k)] = val;
                  else assert.equal(val, 0);
                }
          }
          assert.deepEqual(seen, v.data);
        },
      ),
    );
  });

  test('bad input', () => {
    assert.throws(() => extractPatch3d(vol, null, { origin: [0, 0, 0], size: [0, 1, 1] }), /size \[0,1,1\], expected three positive integers/);
    assert.throws(() => extractPatch3d(vol, null, { origin: [0.5, 0, 0], size: [1, 1, 1] }), /origin \[0\.5,0,0\], expected three integers/);
    assert.throws(() => extractPatch3d(vol, volumeFrom([1, 1, 1], () => 0), { origin: [0, 0, 0], size: [1, 1, 1] }), /label grid 1×1×1 differs/);
  });
});

describe('patchGrid', () => {
  test('golden: 10 voxels, size 4, overlap 1 → origins 0, 3, 6 (the last one ends at the border)', () => {
    assert.deepEqual(patchGrid([10, 4, 3], { size: [4, 4, 4], overlap: 1 }), [[0, 0, 0], [3, 0, 0], [6, 0, 0]]);
    assert.deepEqual(patchGrid([8, 1, 1], { size: [4, 1, 1] }).map((o) => o[0]), [0, 4]);
    assert.deepEqual(patchGrid([9, 1, 1], { size: [4, 1, 1], overlap: [0, 0, 0] }).map((o) => o[0]), [0, 4, 5]);
  });

  test('bad overlap', () => {
    assert.throws(() => patchGrid([8, 8, 8], { size: [4, 4, 4], overlap: 4 }), /overlap 4 along axis 0, expected an integer in 0\.\.3/);
  });
});
