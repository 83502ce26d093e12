import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { readNiftiFile } from '../volume/niftiFile.js';
import { makeVolume } from '../volume/Volume.js';
import fc from 'fast-check';
import { assertPlausibleLabelMap, MAX_PLAUSIBLE_LABELS } from './assertPlausibleLabelMap.js';
import { labelRuns } from './labelRuns.js';

const DATA = path.join(import.meta.dirname, '..', '..', 'data');

describe('assertPlausibleLabelMap', () => {
  test('an integer map: distinct values and the share of differing x-neighbours', () => {
    // Rows of 4 along x: [0 0 1 1] and [2 2 2 0]: pairs with a voxel ≠ 0: (0,1) (1,1) | (2,2) (2,2) (2,0) → 2 of 5 differ.
    const stats = assertPlausibleLabelMap(makeVolume([4, 2, 1], Uint8Array.from([0, 0, 1, 1, 2, 2, 2, 0]), { header: { datatype: 'uint8' } }));
    assert.deepEqual(stats, { distinctValues: 3, edgeShare: 2 / 5, floatData: false });
  });

  test('a float map of whole numbers is refused unless allowed', () => {
    const volume = makeVolume([3, 1, 1], Float32Array.from([0, 1, 2]));
    assert.throws(() => assertPlausibleLabelMap(volume, { source: 'f.nii' }), /^RangeError: f\.nii: stored as float32, expected an integer datatype .*--allow-float-labels/);
    assert.equal(assertPlausibleLabelMap(volume, { allowFloatLabels: true }).floatData, true);
  });

  test('an integer datatype scaled by scl_slope to whole numbers is accepted, to fractions refused', () => {
    const scaled = (values: number[]) => makeVolume([3, 1, 1], Float32Array.from(values), { header: { datatype: 'uint16', sclSlope: 2 } });
    assert.equal(assertPlausibleLabelMap(scaled([0, 2, 4])).floatData, false);
    assert.throws(() => assertPlausibleLabelMap(scaled([0, 2, 4.5]), { source: 's' }), /s: voxel 2 holds 4\.5, expected an integer label/);
  });

  test('a non-whole value is refused even when float labels are allowed', () => {
    const volume = makeVolume([3, 1, 1], Float64Array.from([0, 1, 2.5]));
    for (const allowFloatLabels of [false, true]) {
      assert.throws(() => assertPlausibleLabelMap(volume, { source: 'p.nii', allowFloatLabels }), /p\.nii: voxel 2 holds 2\.5, expected an integer label/);
    }
  });

  test(`more than ${MAX_PLAUSIBLE_LABELS} distinct values is refused, ${MAX_PLAUSIBLE_LABELS} is not`, () => {
    // Constant runs of 4 voxels keep the map piecewise constant: only the count can refuse it.
    const map = (n: number) => makeVolume([4 * n, 1, 1], Int16Array.from({ length: 4 * n }, (_, v) => Math.floor(v / 4)), { header: { datatype: 'int16' } });
    assert.equal(assertPlausibleLabelMap(map(MAX_PLAUSIBLE_LABELS)).distinctValues, MAX_PLAUSIBLE_LABELS);
    assert.throws(() => assertPlausibleLabelMap(map(MAX_PLAUSIBLE_LABELS + 1), { source: 'm' }), /m: more than 2000 distinct values \(int16\), implausibly many/);
    assert.doesNotThrow(() => assertPlausibleLabelMap(map(MAX_PLAUSIBLE_LABELS + 1), { allowFloatLabels: true }));
  });

  test('the bundled atlases pass, the bundled T1 images are refused with the reason', async () => {
    for (const atlas of ['aal.nii.gz', 'HarvardOxford-cort-maxprob-thr0-1mm.nii.gz', 'JHU-WhiteMatter-labels-1mm.nii.gz', 'inia19-NeuroMaps.nii.gz']) {
      const stats = assertPlausibleLabelMap(await readNiftiFile(path.join(DATA, atlas)), { source: atlas });
      assert.ok(stats.edgeShare < 0.3, `${atlas}: ${stats.edgeShare}`);
    }
    // Colin27: uint8, 249 grey levels, so only the piecewise-constancy test catches it.
    const ch2 = await readNiftiFile(path.join(DATA, 'ch2.nii.gz'));
    assert.throws(() => assertPlausibleLabelMap(ch2, { source: 'ch2' }), /^RangeError: ch2: 249 distinct values and 91 % of neighbouring voxels differ \(uint8\)/);
    // INIA19's T1 is float32 with fractional values.
    const t1 = await readNiftiFile(path.join(DATA, 'inia19-t1-brain.nii.gz'));
    assert.throws(() => assertPlausibleLabelMap(t1, { source: 't1' }), /t1: voxel \d+ holds .*expected an integer label/);
  });

  test('read from the runs of an integer map, the statistics and refusals are those of the voxel scan', () => {
    fc.assert(
      fc.property(
        fc.record({ nx: fc.integer({ min: 1, max: 9 }), ny: fc.integer({ min: 1, max: 4 }), nz: fc.integer({ min: 1, max: 3 }) }),
        fc.array(fc.integer({ min: -2, max: 40 }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 5 }),
        ({ nx, ny, nz }, palette, runLength) => {
          const values = Int16Array.from({ length: nx * ny * nz }, (_, v) => palette[Math.floor(v / runLength) % palette.length]);
          const volume = makeVolume([nx, ny, nz], values, { header: { datatype: 'int16' } });
          const scan = (options: Parameters<typeof assertPlausibleLabelMap>[1]) => {
            try {
              return assertPlausibleLabelMap(volume, options);
            } catch (error) {
              return (error as Error).message;
            }
          };
          assert.deepEqual(scan({ runs: labelRuns(values, [nx, ny, nz]) }), scan({}));
        },
      ),
      { numRuns: 300, seed: 5 },
    );
  });

  test('from the runs, codes past 65535 and counts around the limit agree with the voxel scan', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: -3, max: 70000 }), fc.integer({ min: 65530, max: 65540 })), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: MAX_PLAUSIBLE_LABELS - 3, max: MAX_PLAUSIBLE_LABELS + 3 }),
        fc.boolean(),
        (palette, n, largeFirst) => {
          // n distinct codes in runs of 2 (half below 65536, half above, in either order), then the palette's.
          const codes = Array.from({ length: n }, (_, i) => ((i % 2 === 0) === largeFirst ? 100000 + i : i));
          const values = Int32Array.from([...codes, ...palette].flatMap((c) => [c, c]));
          const dims: [number, number, number] = [values.length, 1, 1];
          const volume = makeVolume(dims, values, { header: { datatype: 'int32' } });
          const scan = (options: Parameters<typeof assertPlausibleLabelMap>[1]) => {
            try {
              return assertPlausibleLabelMap(volume, { ...options, allowFloatLabels: true }).distinctValues;
            } catch (error) {
              return (error as Error).message;
            }
          };
          assert.deepEqual(scan({ runs: labelRuns(values, dims) }), scan({}));
        },
      ),
      { numRuns: 100, seed: 3 },
    );
  });

  test('the bundled atlases: the same statistics from their runs', async () => {
    for (const name of ['aal.nii.gz', 'JHU-WhiteMatter-labels-1mm.nii.gz']) {
      const volume = await readNiftiFile(path.join(DATA, name));
      assert.deepEqual(assertPlausibleLabelMap(volume, { runs: labelRuns(volume.data, volume.dims) }), assertPlausibleLabelMap(volume));
    }
  });
});
