import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { checkSegmentation } from '../metric/checkSegmentation.js';
import { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import { makeVolume } from '../volume/Volume.js';
import { contactOverlay } from './contactOverlay.js';

type Dims = [number, number, number];

/**
 * Independent oracle: voxel by voxel over the full (± offsets) neighbourhood, no runs. A voxel gets `p + 1` for the
 * lowest `p` whose pair it forms with any neighbour.
 */
function bruteForceOverlay(labels: ArrayLike<number>, dims: Dims, pairs: Array<[number, number]>, connectivity: 6 | 18 | 26, radius: number): number[] {
  const [nx, ny, nz] = dims;
  const maxAxes = { 6: 1, 18: 2, 26: 3 }[connectivity];
  const out = new Array<number>(nx * ny * nz).fill(0);
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        const a = labels[i + nx * (j + ny * k)];
        for (let dk = -radius; dk <= radius; dk++)
          for (let dj = -radius; dj <= radius; dj++)
            for (let di = -radius; di <= radius; di++) {
              const moved = Number(di !== 0) + Number(dj !== 0) + Number(dk !== 0);
              if (moved === 0 || moved > maxAxes) continue;
              const [x, y, z] = [i + di, j + dj, k + dk];
              if (x < 0 || y < 0 || z < 0 || x >= nx || y >= ny || z >= nz) continue;
              const b = labels[x + nx * (y + ny * z)];
              const p = pairs.findIndex(([u, v]) => (u === a && v === b) || (u === b && v === a));
              const v = i + nx * (j + ny * k);
              if (p >= 0 && a !== b && (out[v] === 0 || out[v] > p + 1)) out[v] = p + 1;
            }
      }
  return out;
}

/** Three labels that each touch only themselves. */
const isolating = AdjacencyPrior.fromCounts([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);

describe('contactOverlay by hand', () => {
  test('a row 1 2 2 0 with 1–2 forbidden and 0–2 allowed: only the two voxels of the 1–2 contact', () => {
    const prior = AdjacencyPrior.fromCounts([[1, 0, 1], [0, 1, 0], [1, 0, 1]]);
    const seg = makeVolume([4, 1, 1], new Uint8Array([1, 2, 2, 0]));
    const check = checkSegmentation(seg, prior, { connectivity: 6 });
    const { volume, shownVoxels } = contactOverlay(seg, check);
    assert.deepEqual([...volume.data], [1, 1, 0, 0]);
    assert.deepEqual(shownVoxels, [2]);
    assert.ok(volume.data instanceof Uint8Array);
    assert.equal(volume.header.intentCode, 1002);
  });

  test('a 3³ cube in a 7³ host, 26-neighbourhood: 26 cube voxels (all but the centre) + the 98-voxel shell', () => {
    const data = new Uint8Array(343).fill(1);
    for (let k = 2; k <= 4; k++) for (let j = 2; j <= 4; j++) for (let i = 2; i <= 4; i++) data[i + 7 * (j + 7 * k)] = 2;
    const affine = [2, 0, 0, 10, 0, 2, 0, 20, 0, 0, 2, 30, 0, 0, 0, 1];
    const seg = makeVolume([7, 7, 7], data, { spacingMm: [2, 2, 2], affine });
    const check = checkSegmentation(seg, isolating);
    const { volume, shownVoxels } = contactOverlay(seg, check);
    // 27 − 1 island voxels touch the host; the host shell is 5³ − 3³ = 98.
    assert.deepEqual(shownVoxels, [124]);
    assert.equal(volume.data[3 + 7 * (3 + 7 * 3)], 0, 'the cube centre touches only its own label');
    assert.equal(volume.data[0], 0, 'a corner of the host is two voxels away from the cube');
    assert.deepEqual([...volume.affine], affine);
    assert.deepEqual(volume.spacingMm, [2, 2, 2]);
  });

  test('no pairs: an all-zero uint8 layer', () => {
    const seg = makeVolume([3, 2, 1], new Uint8Array([1, 1, 1, 1, 1, 1]));
    const { volume, shownVoxels } = contactOverlay(seg, checkSegmentation(seg, isolating));
    assert.deepEqual([...volume.data], [0, 0, 0, 0, 0, 0]);
    assert.deepEqual(shownVoxels, []);
  });

  test('a voxel in two pairs shows the one listed first (most contacts)', () => {
    // 2 touches 1 on the left (one contact) and 0 on three sides of a plane: 0–2 has more contacts, so it comes first.
    const seg = makeVolume([3, 3, 1], new Uint8Array([0, 0, 0, 1, 2, 0, 0, 0, 0]));
    const check = checkSegmentation(seg, isolating, { connectivity: 6 });
    assert.deepEqual(check.pairs.map((p) => p.labels), [[0, 2], [0, 1], [1, 2]]);
    const { volume } = contactOverlay(seg, check);
    assert.equal(volume.data[4], 1, 'the 2 at the centre is in pairs 0–2 and 1–2: it shows 0–2');
    assert.equal(volume.data[3], 2, 'the 1 is in pairs 0–1 and 1–2: it shows 0–1');
  });

  test('more than 255 pairs switch to uint16', () => {
    // 300 labels in a row: each consecutive pair touches, and an isolating prior forbids them all.
    const L = 300;
    const seg = makeVolume([L, 1, 1], Uint16Array.from({ length: L }, (_, i) => i));
    const prior = AdjacencyPrior.fromCounts(Float64Array.from({ length: L * L }, (_, k) => (k % (L + 1) === 0 ? 1 : 0)));
    const check = checkSegmentation(seg, prior, { connectivity: 6 });
    assert.equal(check.pairs.length, L - 1);
    const { volume } = contactOverlay(seg, check);
    assert.ok(volume.data instanceof Uint16Array);
    assert.equal(volume.header.datatype, 'uint16');
    assert.ok(Math.max(...volume.data) > 255);
  });

  test('a 4D volume is refused', () => {
    const seg = makeVolume([2, 1, 1], new Uint8Array([0, 1, 0, 1]));
    assert.throws(() => contactOverlay(seg, { pairs: [], connectivity: 26, radius: 1 }), /contactOverlay: 2 frames/);
  });
});

describe('contactOverlay against independent computations', () => {
  const caseArb = fc
    .record({
      dims: fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 5 })),
      connectivity: fc.constantFrom(6 as const, 18 as const, 26 as const),
      radius: fc.integer({ min: 1, max: 2 }),
      allowed: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
      seed: fc.integer(),
    })
    .chain((c) =>
      fc.record({
        c: fc.constant(c),
        labels: fc.array(fc.integer({ min: -1, max: 3 }), { minLength: c.dims[0] * c.dims[1] * c.dims[2], maxLength: c.dims[0] * c.dims[1] * c.dims[2] }),
      }),
    );

  /** A 4-label prior whose 6 off-diagonal pairs are allowed per `allowed` (diagonal always allowed). */
  function priorFrom(allowed: boolean[]): AdjacencyPrior {
    const counts = Array.from({ length: 4 }, (_, i) => Array.from({ length: 4 }, (_, j) => (i === j ? 1 : 0)));
    let t = 0;
    for (let i = 0; i < 4; i++)
      for (let j = i + 1; j < 4; j++, t++) if (allowed[t]) counts[i][j] = counts[j][i] = 1;
    return AdjacencyPrior.fromCounts(counts);
  }

  test('equals a voxel-by-voxel oracle on random label maps, neighbourhoods and priors', () => {
    fc.assert(
      fc.property(caseArb, ({ c, labels }) => {
        const seg = makeVolume(c.dims, Int16Array.from(labels));
        const check = checkSegmentation(seg, priorFrom(c.allowed), { connectivity: c.connectivity, radius: c.radius });
        const { volume, shownVoxels } = contactOverlay(seg, check);
        const expected = bruteForceOverlay(labels, c.dims, check.pairs.map((p) => p.labels), c.connectivity, c.radius);
        assert.deepEqual([...volume.data], expected);
        assert.deepEqual(shownVoxels, check.pairs.map((_, p) => expected.filter((v) => v === p + 1).length));
      }),
      { numRuns: 300 },
    );
  });

  test('for a single pair, the layer is the contact zone of checkSegmentation: count, bounding box, centroid', () => {
    fc.assert(
      fc.property(caseArb, ({ c, labels }) => {
        // Keep two labels only, so that the zone of the pair is the whole layer.
        const two = labels.map((l) => (l < 0 ? -1 : l % 2));
        const seg = makeVolume(c.dims, Int16Array.from(two));
        const check = checkSegmentation(seg, priorFrom([false, true, true, true, true, true]), { connectivity: c.connectivity, radius: c.radius });
        const { volume, shownVoxels } = contactOverlay(seg, check);
        if (check.pairs.length === 0) {
          assert.ok(volume.data.every((v) => v === 0));
          return;
        }
        const [pair] = check.pairs;
        assert.equal(shownVoxels[0], pair.voxels[0] + pair.voxels[1]);
        const [nx, ny] = c.dims;
        const min = [Infinity, Infinity, Infinity];
        const max = [-Infinity, -Infinity, -Infinity];
        const sum = [0, 0, 0];
        volume.data.forEach((value, v) => {
          if (value !== 1) return;
          const ijk = [v % nx, Math.floor(v / nx) % ny, Math.floor(v / (nx * ny))];
          for (let d = 0; d < 3; d++) {
            min[d] = Math.min(min[d], ijk[d]);
            max[d] = Math.max(max[d], ijk[d]);
            sum[d] += ijk[d];
          }
        });
        assert.deepEqual({ min, max }, pair.boundingBox);
        for (let d = 0; d < 3; d++) assert.ok(Math.abs(sum[d] / shownVoxels[0] - pair.centroidVoxel[d]) < 1e-9);
      }),
      { numRuns: 300 },
    );
  });
});
