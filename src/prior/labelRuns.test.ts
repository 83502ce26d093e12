import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { labelRuns, type LabelRuns } from './labelRuns.js';

/** The voxels the runs stand for, x fastest. */
function decode(runs: LabelRuns): number[] {
  const [nx, ny, nz] = runs.dims;
  const out: number[] = [];
  for (let row = 0; row < ny * nz; row++) {
    for (let r = runs.rowPtr[row]; r < runs.rowPtr[row + 1]; r++) {
      const end = r + 1 < runs.rowPtr[row + 1] ? runs.runStart[r + 1] : nx;
      for (let x = runs.runStart[r]; x < end; x++) out.push(runs.runLabel[r]);
    }
  }
  return out;
}

describe('labelRuns', () => {
  test('golden: two rows of 5 along x', () => {
    const runs = labelRuns(Uint8Array.from([0, 0, 3, 3, 0, 7, 7, 7, 7, 7]), [5, 2, 1]);
    assert.deepEqual([...runs.rowPtr], [0, 3, 4]);
    assert.deepEqual([...runs.runStart], [0, 2, 4, 0]);
    assert.deepEqual([...runs.runLabel], [0, 3, 0, 7]);
    assert.equal(runs.count, 4);
  });

  test('encode maps each run label once', () => {
    const runs = labelRuns(Int16Array.from([-1, 5, 5, 9]), [4, 1, 1], { encode: (c) => (c === -1 ? -1 : c * 10) });
    assert.deepEqual([...runs.runLabel], [-1, 50, 90]);
  });

  test('8-bit maps (compared four voxels at a time where aligned) decode to the voxels at any byte offset', () => {
    fc.assert(
      fc.property(
        fc.record({ nx: fc.integer({ min: 1, max: 23 }), ny: fc.integer({ min: 1, max: 4 }), nz: fc.integer({ min: 1, max: 3 }), offset: fc.integer({ min: 0, max: 7 }) }),
        fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 12 }),
        ({ nx, ny, nz, offset }, palette, runLength) => {
          const n = nx * ny * nz;
          // Long runs of a few values, so the word comparisons take both of their branches.
          const values = Array.from({ length: n }, (_, v) => palette[Math.floor(v / runLength) % palette.length]);
          const buffer = new Uint8Array(n + offset + 5).fill(77);
          const labels = buffer.subarray(offset, offset + n);
          labels.set(values);
          const runs = labelRuns(labels, [nx, ny, nz]);
          assert.deepEqual(decode(runs), values);
          // Maximal runs: no two neighbours in a row hold the same label, the same as the 16-bit path gives.
          const wide = labelRuns(Uint16Array.from(values), [nx, ny, nz]);
          assert.deepEqual([...runs.runStart], [...wide.runStart]);
          assert.deepEqual([...runs.rowPtr], [...wide.rowPtr]);
        },
      ),
      { numRuns: 300, seed: 3 },
    );
  });

  test('more runs than the first buffers hold', () => {
    const labels = Uint8Array.from({ length: 40 * 2 * 2 }, (_, v) => v % 2);
    assert.deepEqual(decode(labelRuns(labels, [40, 2, 2])), [...labels]);
  });

  test('length mismatch', () => {
    assert.throws(() => labelRuns(new Uint8Array(5), [2, 2, 1]), /labelRuns: 5 labels for a 2×2×1 grid, expected 4/);
  });
});
