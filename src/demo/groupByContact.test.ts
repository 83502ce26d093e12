import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { seededRandom } from '../numeric/seededRandom.js';
import { countAdjacency } from '../prior/countAdjacency.js';
import { groupByContact } from './groupByContact.js';

/** The statistics `groupByContact` reads, from a small label map (6-connected contacts, voxel-coordinate centroids). */
function stats(labels: number[], dims: [number, number, number], numLabels: number) {
  const volumes = new Float64Array(numLabels);
  const centroids = new Float64Array(3 * numLabels);
  const [nx, ny] = dims;
  labels.forEach((l, v) => {
    volumes[l]++;
    centroids[3 * l] += v % nx;
    centroids[3 * l + 1] += Math.floor(v / nx) % ny;
    centroids[3 * l + 2] += Math.floor(v / (nx * ny));
  });
  for (let l = 0; l < numLabels; l++) for (let a = 0; a < 3; a++) centroids[3 * l + a] /= Math.max(1, volumes[l]);
  const { counts } = countAdjacency(Int32Array.from(labels), dims, { numLabels, connectivity: 6 });
  return { volumes, counts, centroids };
}

describe('groupByContact', () => {
  test('a row 1111|2|333: the smallest (2) joins the tie-winning lowest neighbour (1)', () => {
    const input = stats([1, 1, 1, 1, 2, 3, 3, 3], [8, 1, 1], 4);
    assert.deepEqual([...groupByContact(input, { target: 2 })], [0, 1, 1, 2]);
    // target 3: nothing to merge; target 1: everything in one group.
    assert.deepEqual([...groupByContact(input, { target: 3 })], [0, 1, 2, 3]);
    assert.deepEqual([...groupByContact(input, { target: 1 })], [0, 1, 1, 1]);
  });

  test('the smallest joins the neighbour it touches most, not the lowest-numbered one', () => {
    //   y=0: 1 1 2
    //   y=1: 3 3 2
    // Volumes all 2: the smallest is label 1 (ties: lowest); it touches 3 along two faces and 2 along one → joins 3.
    const input = stats([1, 1, 2, 3, 3, 2], [3, 2, 1], 4);
    assert.deepEqual([...groupByContact(input, { target: 2 })], [0, 1, 2, 1]);
  });

  test('minVolume merges on below the target until the smallest group is large enough', () => {
    const input = stats([1, 1, 1, 1, 2, 3, 3, 3], [8, 1, 1], 4);
    // target 3 would keep all three, but label 2 has 1 voxel < 2: it joins 1; then {1,2} = 5 and 3 = 3 ≥ 2.
    assert.deepEqual([...groupByContact(input, { target: 3, minVolume: 2 })], [0, 1, 1, 2]);
    // minVolume 4: after that, 3 (3 voxels) joins {1,2}.
    assert.deepEqual([...groupByContact(input, { target: 3, minVolume: 4 })], [0, 1, 1, 1]);
  });

  test('an island touching only background joins the group with the nearest centroid', () => {
    // 1 1 0 0 3 0 2 2 2 2: label 3 (1 voxel at x=4) touches no label; centroid of 1 is 0.5, of 2 is 7.5.
    const input = stats([1, 1, 0, 0, 3, 0, 2, 2, 2, 2], [10, 1, 1], 4);
    assert.deepEqual([...groupByContact(input, { target: 2 })], [0, 1, 2, 1]);
  });

  test('labels of volume 0 stay 0; background is never grouped', () => {
    const input = stats([0, 1, 1, 3, 3, 0], [6, 1, 1], 5); // labels 2 and 4 absent
    assert.deepEqual([...groupByContact(input, { target: 1 })], [0, 1, 0, 1, 0]);
  });

  test('property: on seeded random maps every present label gets one group in 1…G, and G ≤ target', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const rng = seededRandom(seed);
      const dims: [number, number, number] = [6, 5, 4];
      const L = 2 + Math.floor(rng.next() * 10);
      const labels = Array.from({ length: 120 }, () => Math.floor(rng.next() * L));
      const input = stats(labels, dims, L);
      const target = 1 + Math.floor(rng.next() * 4);
      const group = groupByContact(input, { target });
      const present = [...new Set(labels)].filter((l) => l > 0);
      const G = Math.max(0, ...group);
      assert.ok(G <= Math.max(target, 0) && G >= Math.min(1, present.length), `seed ${seed}: ${G} groups for target ${target}`);
      for (let l = 1; l < L; l++) assert.equal(group[l] > 0, input.volumes[l] > 0, `seed ${seed}: label ${l}`);
      assert.deepEqual(new Set(present.map((l) => group[l])), new Set(Array.from({ length: G }, (_, g) => g + 1)), `seed ${seed}: groups numbered 1…G`);
    }
  });

  test('a contiguous group stays contiguous: two blobs apart never merge while each has a touching partner', () => {
    // 1 2 0 3 4 (x fastest): {1,2} and {3,4} are separated by background; target 2 must pair 1–2 and 3–4.
    const input = stats([1, 2, 0, 3, 4], [5, 1, 1], 5);
    assert.deepEqual([...groupByContact(input, { target: 2 })], [0, 1, 1, 2, 2]);
  });

  test('errors name the function and the mismatch', () => {
    assert.throws(() => groupByContact({ volumes: [0, 1], counts: [0, 0, 0], centroids: new Float64Array(6) }, { target: 1 }), /groupByContact: counts has 3 entries, expected 2² = 4/);
    assert.throws(() => groupByContact({ volumes: [0, 1], counts: [0, 0, 0, 0], centroids: [0] }, { target: 1 }), /groupByContact: centroids has 1 entries/);
    assert.throws(() => groupByContact({ volumes: [0, 1], counts: [0, 0, 0, 0], centroids: new Float64Array(6) }, { target: 0 }), /target is 0, expected a positive integer/);
  });
});
