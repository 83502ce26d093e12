import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { countPresentAdjacency } from './countPresentAdjacency.js';
import { labelRuns } from './labelRuns.js';

/** The outcome of a call, result or error message, for comparing two paths. */
function outcome(run: () => unknown): unknown {
  try {
    return run();
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

describe('countPresentAdjacency', () => {
  test('golden: codes far apart get rows 0 and 1', () => {
    const r = countPresentAdjacency(new Uint16Array([0, 14175]), [2, 1, 1], { connectivity: 6 });
    assert.deepEqual(r.labels, [0, 14175]);
    assert.deepEqual([...r.counts], [0, 1, 1, 0]);
  });

  test('integer maps (labels found among the runs) and float maps (among the voxels) agree, errors included', () => {
    fc.assert(
      fc.property(
        fc.record({ nx: fc.integer({ min: 1, max: 7 }), ny: fc.integer({ min: 1, max: 4 }), nz: fc.integer({ min: 1, max: 4 }) }),
        fc.array(fc.integer({ min: -3, max: 9 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 4 }),
        fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }),
        fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
        fc.constantFrom(6 as const, 18 as const, 26 as const),
        ({ nx, ny, nz }, palette, runLength, numLabels, maxLabels, connectivity) => {
          const values = Array.from({ length: nx * ny * nz }, (_, v) => palette[Math.floor(v / runLength) % palette.length]);
          const options = { numLabels, maxLabels, connectivity, source: 's.nii' };
          const viaVoxels = outcome(() => countPresentAdjacency(Float64Array.from(values), [nx, ny, nz], options));
          const int16 = Int16Array.from(values);
          assert.deepEqual(outcome(() => countPresentAdjacency(int16, [nx, ny, nz], options)), viaVoxels);
          const runs = labelRuns(int16, [nx, ny, nz]);
          const before = [...runs.runLabel];
          assert.deepEqual(outcome(() => countPresentAdjacency(int16, [nx, ny, nz], { ...options, runs })), viaVoxels);
          assert.deepEqual([...runs.runLabel], before, 'the runs given are not modified');
        },
      ),
      { numRuns: 400, seed: 11 },
    );
  });

  test('over maxLabels names the label and the voxel where the limit is passed', () => {
    const labels = Uint8Array.from([0, 0, 1, 2, 2, 3]);
    assert.throws(
      () => countPresentAdjacency(labels, [3, 2, 1], { maxLabels: 3, source: 'm.nii' }),
      /^RangeError: m\.nii: label 3 \(voxel 5\) is distinct label number 4, over the limit of 3 distinct labels$/,
    );
  });
});
