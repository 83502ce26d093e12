import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { bruteForceComponents } from '../../test/helpers/metricOracles.js';
import { connectedComponents } from './connectedComponents.js';

describe('connectedComponents: golden values', () => {
  test('a 2×2 checkerboard: edge contacts join with 18 and 26, not with 6', () => {
    // Label 1 at (0,0) and (1,1), label 0 at (1,0) and (0,1): each pair touches along an edge only.
    const labels = Uint8Array.from([1, 0, 0, 1]);
    assert.equal(connectedComponents(labels, [2, 2, 1]).count, 2);
    assert.equal(connectedComponents(labels, [2, 2, 1], { connectivity: 18 }).count, 2);
    assert.equal(connectedComponents(labels, [2, 2, 1], { connectivity: 6 }).count, 4);
  });
  test('corners of a 2×2×2 cube: one component with 26, two with 18', () => {
    // Label 1 at (0,0,0) and (1,1,1) only touch at a corner.
    const labels = Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 1]);
    const r = connectedComponents(labels, [2, 2, 2]);
    assert.deepEqual([...r.labelOf], [1, 0]);
    assert.deepEqual([...r.sizeOf], [2, 6]);
    assert.equal(connectedComponents(labels, [2, 2, 2], { connectivity: 18 }).count, 3);
  });
});

describe('connectedComponents: against a flood fill', () => {
  test('same partition of the voxels (6/18/26), same labels and sizes', () => {
    const arb = fc
      .record({ nx: fc.integer({ min: 1, max: 7 }), ny: fc.integer({ min: 1, max: 6 }), nz: fc.integer({ min: 1, max: 5 }) })
      .chain(({ nx, ny, nz }) =>
        fc.record({
          dims: fc.constant([nx, ny, nz] as [number, number, number]),
          labels: fc.array(fc.integer({ min: -1, max: 2 }), { minLength: nx * ny * nz, maxLength: nx * ny * nz }),
          connectivity: fc.constantFrom(6 as const, 18 as const, 26 as const),
        }),
      );
    fc.assert(
      fc.property(arb, ({ dims, labels, connectivity }) => {
        const got = connectedComponents(Int8Array.from(labels), dims, { connectivity });
        const want = bruteForceComponents(labels, dims, connectivity);
        // Same partition: the map got → want is a bijection on labelled voxels.
        const map = new Map<number, number>();
        const back = new Map<number, number>();
        for (let v = 0; v < labels.length; v++) {
          if (labels[v] === -1) {
            assert.equal(got.componentOf[v], -1);
            continue;
          }
          const g = got.componentOf[v];
          const w = want[v];
          assert.equal(map.get(g) ?? w, w);
          assert.equal(back.get(w) ?? g, g);
          map.set(g, w);
          back.set(w, g);
          assert.equal(got.labelOf[g], labels[v]);
        }
        assert.equal(got.count, map.size);
        const sizes = new Float64Array(got.count);
        for (let v = 0; v < labels.length; v++) if (got.componentOf[v] >= 0) sizes[got.componentOf[v]]++;
        assert.deepEqual([...got.sizeOf], [...sizes]);
      }),
      { numRuns: 300, seed: 21 },
    );
  });
});
