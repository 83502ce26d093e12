import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { memoryLoader, volumeFrom } from '../../test/helpers/trainingDataFixtures.js';
import type { Volume } from '../volume/Volume.js';
import { intensityStats } from './intensityStats.js';
import { seededRandom } from '../numeric/seededRandom.js';
import { standardise, standardiseParams } from './standardise.js';

function meanStd(values: number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { mean, std: Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length) };
}

describe('intensityStats', () => {
  const rng = seededRandom(4);
  // Three exams of different sizes, with zero backgrounds, and offset intensities (1000 + noise) to stress cancellation.
  const vols = [
    volumeFrom([4, 3, 2], (i) => (i === 0 ? 0 : 1000 + rng.normal(0, 5))),
    volumeFrom([5, 5, 1], (i, j) => (j === 0 ? 0 : 1010 + rng.normal(0, 3))),
    volumeFrom([2, 2, 2], () => 990 + rng.normal(0, 1)),
  ];
  const labels = vols.map((v) => volumeFrom(v.dims, (i) => (i % 2), Uint8Array));
  const files = new Map<string, Volume>();
  vols.forEach((v, e) => {
    files.set(`im${e}`, v);
    files.set(`lab${e}`, labels[e]);
  });
  const exams = vols.map((_, e) => ({ id: `e${e}`, image: `im${e}`, label: `lab${e}` }));

  test('streamed statistics equal those of all voxels pooled, in each region; one volume at a time', async () => {
    const all = vols.flatMap((v) => Array.from(v.data));
    const { load, reads } = memoryLoader(files);
    for (const [region, pick] of [
      ['all', all],
      ['nonzero', all.filter((x) => x !== 0)],
      ['foreground', vols.flatMap((v, e) => Array.from(v.data).filter((_, i) => labels[e].data[i] > 0))],
    ] as const) {
      const s = await intensityStats(exams, { region, load });
      const ref = meanStd(pick);
      assert.ok(Math.abs(s.mean - ref.mean) < 1e-9 * ref.mean, `${region} mean ${s.mean} vs ${ref.mean}`);
      assert.ok(Math.abs(s.std - ref.std) < 1e-7 * ref.std, `${region} std ${s.std} vs ${ref.std}`);
      assert.equal(s.voxels, pick.length);
      assert.equal(s.exams, 3);
    }
    // Labels are read only for 'foreground': 3 images for 'all', 3 for 'nonzero', 3 + 3 for 'foreground'.
    assert.equal(reads.length, 12);
  });

  test('golden: [0, 1, 3] → nonzero mean 2, std 1; all mean 4/3', async () => {
    const { load } = memoryLoader(new Map([['a', volumeFrom([3, 1, 1], (i) => [0, 1, 3][i])]]));
    assert.deepEqual(await intensityStats([{ id: 'a', image: 'a' }], { load }), { mean: 2, std: 1, voxels: 2, exams: 1 });
    assert.equal((await intensityStats([{ id: 'a', image: 'a' }], { load, region: 'all' })).mean, 4 / 3);
  });

  test('an all-zero dataset has no nonzero voxel', async () => {
    const { load } = memoryLoader(new Map([['z', volumeFrom([2, 1, 1], () => 0)]]));
    await assert.rejects(intensityStats([{ id: 'z', image: 'z' }], { load }), /no voxel of the 1 exam lies in region 'nonzero'/);
  });
});

describe('standardise', () => {
  test('dataset statistics give mean 0 / std 1 over the region; image mode uses the image', () => {
    const rng = seededRandom(9);
    const v = volumeFrom([6, 5, 4], (i) => (i === 0 ? 0 : 50 + rng.normal(0, 7)));
    const nonzero = Array.from(v.data).filter((x) => x !== 0);
    const ref = meanStd(nonzero);
    const z = standardise(v, { mode: 'dataset', ...ref });
    const zs = meanStd(Array.from(z).filter((_, i) => v.data[i] !== 0));
    assert.ok(Math.abs(zs.mean) < 1e-5 && Math.abs(zs.std - 1) < 1e-5);
    assert.deepEqual(standardise(v, { mode: 'image' }), z);
    assert.ok(Math.abs(z[0] + ref.mean / ref.std) < 1e-4); // a zero voxel → −mean/std
    const all = meanStd(Array.from(standardise(v, { mode: 'image', region: 'all' })));
    assert.ok(Math.abs(all.mean) < 1e-5 && Math.abs(all.std - 1) < 1e-5);
    assert.deepEqual(standardiseParams(volumeFrom([2, 1, 1], (i) => [2, 4][i]), { mode: 'image', region: 'all' }), { mean: 3, std: 1 });
  });

  test('constant images and bad statistics', () => {
    assert.throws(() => standardise(volumeFrom([2, 2, 1], () => 3), { mode: 'image' }), /scale 0; expected a finite offset and a positive finite scale/);
    assert.throws(() => standardise(volumeFrom([2, 2, 1], () => 0), { mode: 'image' }), /no voxel lies in region 'nonzero'/);
    assert.throws(() => standardise(volumeFrom([2, 2, 1], () => 3), { mode: 'dataset', mean: 0, std: -1 }), /scale -1/);
  });
});
