import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { bruteForceAdjacency } from '../../test/helpers/bruteForceAdjacency.js';
import { boxVolume, bruteForceInterior, oracleOffsets } from '../../test/helpers/metricOracles.js';
import { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import { countAdjacency } from '../prior/countAdjacency.js';
import { readNiftiFile } from '../volume/niftiFile.js';
import { makeVolume } from '../volume/Volume.js';
import { checkSegmentation } from './checkSegmentation.js';

/** Three labels that each touch only themselves: every off-diagonal pair is forbidden. */
const isolating = AdjacencyPrior.fromCounts([[1, 0, 0], [0, 1, 0], [0, 0, 1]], { names: ['Background', 'Host', 'Island'] });

/** 7×7×7 of label 1 with a 3×3×3 cube of label 2 at [2..4]³, affine = 2 mm voxels shifted by (10, 20, 30). */
function cubeInHost(dataType: 'uint8' | 'float32' = 'uint8') {
  const labels = boxVolume([7, 7, 7], [2, 2, 2], [4, 4, 4], 2, 1);
  const data = dataType === 'uint8' ? labels : Float32Array.from(labels);
  return makeVolume([7, 7, 7], data, { spacingMm: [2, 2, 2], affine: [2, 0, 0, 10, 0, 2, 0, 20, 0, 0, 2, 30, 0, 0, 0, 1] });
}

describe('checkSegmentation: a pasted cube, by hand', () => {
  test('26-connectivity: 386 contacts, 26 + 98 voxels, box [1..5]³, centroid at the cube centre', () => {
    const r = checkSegmentation(cubeInHost(), isolating);
    assert.equal(r.forbiddenPairs, 1);
    // Σ over the 26 offsets of (27 − Π(3 − |d|)): 6 faces × 9 + 12 edges × 15 + 8 corners × 19 = 386.
    assert.equal(r.forbiddenContacts, 386);
    const [p] = r.pairs;
    assert.deepEqual(p.labels, [1, 2]);
    assert.deepEqual(p.names, ['Host', 'Island']);
    assert.deepEqual(p.known, [true, true]);
    assert.equal(p.contacts, 386);
    // Host: the shell 5³ − 3³ = 98; island: all but its centre, 27 − 1 = 26.
    assert.deepEqual(p.voxels, [98, 26]);
    assert.deepEqual(p.boundingBox, { min: [1, 1, 1], max: [5, 5, 5] });
    // The zone is symmetric about voxel (3, 3, 3); in mm: 2·3 + (10, 20, 30).
    assert.deepEqual(p.centroidVoxel, [3, 3, 3]);
    assert.deepEqual(p.centroidMm, [16, 26, 36]);
    assert.deepEqual(r.unknownLabels, []);
    assert.deepEqual(r.absentLabels, [0]);
  });

  test('6-connectivity: 6 faces × 9 = 54 contacts; 54 host voxels, 26 island voxels', () => {
    const r = checkSegmentation(cubeInHost(), isolating, { connectivity: 6 });
    assert.equal(r.forbiddenContacts, 54);
    assert.deepEqual(r.pairs[0].voxels, [54, 26]);
    // The face-adjacent shell still reaches x = 1 and x = 5 (at y, z in 2..4), so the box is unchanged.
    assert.deepEqual(r.pairs[0].boundingBox, { min: [1, 1, 1], max: [5, 5, 5] });
    assert.equal(r.connectivity, 6);
  });

  test('float32 label maps are accepted when integral', () => {
    assert.equal(checkSegmentation(cubeInHost('float32'), isolating).forbiddenContacts, 386);
  });

  test('allowed pairs give nothing', () => {
    const allowing = AdjacencyPrior.fromCounts([[1, 1, 1], [1, 1, 1], [1, 1, 1]]);
    const r = checkSegmentation(cubeInHost(), allowing);
    assert.equal(r.forbiddenPairs, 0);
    assert.equal(r.forbiddenContacts, 0);
    assert.deepEqual(r.pairs, []);
    assert.deepEqual(r.reference, { unique: 0, cumulated: 0, m1: 0, m2: 0 });
  });
});

describe('checkSegmentation: the reference numbers, by hand', () => {
  test('cube in host: unique 2, cumulated 772, m1 = 2/6, m2 = 772/219', () => {
    const { reference } = checkSegmentation(cubeInHost(), isolating);
    // Ordered entries (1,2) and (2,1), each 386.
    assert.equal(reference.unique, 2);
    assert.equal(reference.cumulated, 772);
    // The prior has 6 zero entries (the off-diagonal ones).
    assert.equal(reference.m1, 2 / 6);
    // Interior: the cube's centre, plus the host voxels outside the dilated cube: 7³ − 5³ = 218 → 219.
    assert.equal(reference.m2, 772 / 219);
  });

  test('a forbidden diagonal counts voxels plus same-label pairs, because the window holds its centre', () => {
    const prior = AdjacencyPrior.fromCounts([[1, 0, 0], [0, 1, 0], [0, 0, 0]]);
    const r = checkSegmentation(cubeInHost(), prior);
    // A[2][2] = 27 voxels + 316 ordered pairs inside a 3×3×3 cube (see countAdjacency.test.ts).
    assert.equal(r.reference.unique, 3);
    assert.equal(r.reference.cumulated, 772 + 27 + 316);
    assert.equal(r.reference.m1, 3 / 7);
    // The clear numbers never report a label touching itself.
    assert.equal(r.forbiddenPairs, 1);
  });
});

describe('checkSegmentation: labels the prior does not know', () => {
  test('are listed with their voxels and contacts, and all their contacts are forbidden', () => {
    const volume = makeVolume([7, 7, 7], boxVolume([7, 7, 7], [2, 2, 2], [4, 4, 4], 9, 1));
    const allowing = AdjacencyPrior.fromCounts([[1, 1, 1], [1, 1, 1], [1, 1, 1]]);
    const r = checkSegmentation(volume, allowing, { names: new Map([[9, 'Mystery']]) });
    assert.deepEqual(r.unknownLabels, [{ label: 9, name: 'Mystery', voxels: 27, contacts: 386 }]);
    assert.deepEqual(r.pairs[0].labels, [1, 9]);
    assert.deepEqual(r.pairs[0].known, [true, false]);
    assert.equal(r.forbiddenContacts, 386);
    assert.deepEqual(r.absentLabels, [0, 2]);
    assert.equal(r.labelsInSegmentation, 2);
    // Unknown rows are all-forbidden entries: (1,9), (9,1) and (9,9) = 27 + 316.
    assert.equal(r.reference.unique, 3);
  });

  test('a relabelled (contiguous) prior is matched by code, not by row', () => {
    // Rows 0, 1 stand for codes 1 and 2.
    const prior = AdjacencyPrior.fromCounts([[1, 0], [0, 1]], { labels: [1, 2] });
    const r = checkSegmentation(cubeInHost(), prior);
    assert.deepEqual(r.pairs[0].labels, [1, 2]);
    assert.deepEqual(r.unknownLabels, []);
    assert.equal(r.forbiddenContacts, 386);
  });
});

describe('checkSegmentation: errors', () => {
  test('non-integer labels name the voxel and value', () => {
    const v = makeVolume([2, 1, 1], Float32Array.from([0, 1.5]));
    assert.throws(() => checkSegmentation(v, isolating, { source: 'seg.nii.gz' }), /seg\.nii\.gz: voxel 1 holds 1\.5/);
  });
  test('a 4D volume', () => {
    const v = makeVolume([2, 1, 1], new Uint8Array(4));
    assert.throws(() => checkSegmentation(v, isolating), /2 frames, expected a single 3D label map/);
  });
});

/** Random small label maps with random priors. */
const caseArb = fc
  .record({ nx: fc.integer({ min: 1, max: 6 }), ny: fc.integer({ min: 1, max: 6 }), nz: fc.integer({ min: 1, max: 5 }), L: fc.integer({ min: 1, max: 5 }) })
  .chain(({ nx, ny, nz, L }) =>
    fc.record({
      dims: fc.constant([nx, ny, nz] as [number, number, number]),
      L: fc.constant(L),
      // Labels up to L (one past the prior) so unknown labels occur; −1 ignored.
      labels: fc.array(fc.integer({ min: -1, max: L }), { minLength: nx * ny * nz, maxLength: nx * ny * nz }),
      allowedBits: fc.array(fc.boolean(), { minLength: L * L, maxLength: L * L }),
      connectivity: fc.constantFrom(6 as const, 18 as const, 26 as const),
      radius: fc.integer({ min: 1, max: 2 }),
    }),
  );

describe('checkSegmentation: against brute force', () => {
  test('contacts per pair, involved voxels, totals and the interior count', () => {
    fc.assert(
      fc.property(caseArb, ({ dims, L, labels, allowedBits, connectivity, radius }) => {
        const counts = Array.from({ length: L }, (_, i) => Array.from({ length: L }, (_, j) => (allowedBits[Math.min(i, j) * L + Math.max(i, j)] ? 1 : 0)));
        const prior = AdjacencyPrior.fromCounts(counts, { connectivity, radius });
        const r = checkSegmentation(makeVolume(dims, Int16Array.from(labels)), prior);
        const M = L + 1;
        const brute = bruteForceAdjacency(labels, dims, M, connectivity, radius);
        const forbidden = (i: number, j: number) => i === L || j === L || counts[i][j] === 0;
        let total = 0;
        const expectedPairs: string[] = [];
        for (let i = 0; i < M; i++)
          for (let j = i + 1; j < M; j++)
            if (forbidden(i, j) && brute[i * M + j] > 0) {
              total += brute[i * M + j];
              expectedPairs.push(`${i}-${j}:${brute[i * M + j]}`);
            }
        assert.equal(r.forbiddenContacts, total);
        assert.deepEqual(r.pairs.map((p) => `${p.labels[0]}-${p.labels[1]}:${p.contacts}`).sort(), expectedPairs.sort());
        // Voxels of each label involved, by direct search.
        const [nx, ny, nz] = dims;
        for (const p of r.pairs) {
          const involved = [new Set<number>(), new Set<number>()];
          for (let v = 0; v < labels.length; v++) {
            const side = p.labels.indexOf(labels[v]);
            if (side < 0) continue;
            const other = p.labels[1 - side];
            const [i, j, k] = [v % nx, Math.floor(v / nx) % ny, Math.floor(v / (nx * ny))];
            for (const [a, b, c] of oracleOffsets(connectivity, radius)) {
              const x = i + a, y = j + b, z = k + c;
              if (x >= 0 && y >= 0 && z >= 0 && x < nx && y < ny && z < nz && labels[x + nx * (y + ny * z)] === other) involved[side].add(v);
            }
          }
          assert.deepEqual(p.voxels, [involved[0].size, involved[1].size]);
        }
        // Reference numbers: ordered forbidden entries, diagonal = voxels + same-label pairs.
        let unique = 0;
        let cumulated = 0;
        for (let i = 0; i < M; i++)
          for (let j = 0; j < M; j++) {
            if (!forbidden(i, j)) continue;
            const a = i === j ? brute[i * M + i] + labels.filter((l) => l === i).length : brute[i * M + j];
            if (a > 0) {
              unique++;
              cumulated += a;
            }
          }
        assert.equal(r.reference.unique, unique);
        assert.equal(r.reference.cumulated, cumulated);
        const interior = bruteForceInterior(labels, dims, connectivity, radius);
        assert.equal(r.reference.m2, interior > 0 ? cumulated / interior : 0);
        assert.equal(nz, dims[2]);
      }),
      { numRuns: 250, seed: 11 },
    );
  });
});

describe('checkSegmentation: the bundled AAL atlas', () => {
  test('checked against its own prior: zero forbidden contacts, zero reference numbers', async () => {
    const aal = await readNiftiFile(new URL('../../data/aal.nii.gz', import.meta.url).pathname);
    const prior = AdjacencyPrior.fromCounts(countAdjacency(aal.data, aal.dims).counts);
    const r = checkSegmentation(aal, prior);
    assert.equal(r.forbiddenPairs, 0);
    assert.equal(r.forbiddenContacts, 0);
    assert.deepEqual(r.reference, { unique: 0, cumulated: 0, m1: 0, m2: 0 });
    assert.equal(r.labelsInSegmentation, 117);
    // With 6-connectivity the 26-prior is a superset of what occurs: still clean.
    assert.equal(checkSegmentation(aal, prior, { connectivity: 6 }).forbiddenContacts, 0);
  });
});
