import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { bruteForceComponents } from '../../test/helpers/metricOracles.js';
import { makeVolume } from '../volume/Volume.js';
import { keepLargestComponent } from './keepLargestComponent.js';

const row = (values: number[]) => makeVolume([values.length, 1, 1], Int16Array.from(values));

describe('keepLargestComponent: golden maps', () => {
  test('a row: the smaller component of each label goes to the background', () => {
    // Label 1: {0,1} and {3}; label 2: {5} and {7,8,9}; label 3: one component.
    const r = keepLargestComponent(row([1, 1, 0, 1, 3, 2, 0, 2, 2, 2]));
    assert.deepEqual([...r.volume.data], [1, 1, 0, 0, 3, 0, 0, 2, 2, 2]);
    assert.deepEqual(r.labels, [
      { label: 1, components: 2, keptVoxels: 2, removedVoxels: 1 },
      { label: 2, components: 2, keptVoxels: 3, removedVoxels: 1 },
      { label: 3, components: 1, keptVoxels: 1, removedVoxels: 0 },
    ]);
    assert.equal(r.removedVoxels, 2);
  });
  test('connectivity: a corner contact joins with 26, not with 18 or 6', () => {
    // 2×2×2: label 1 at (0,0,0) and (1,1,1), touching at a corner only.
    const v = makeVolume([2, 2, 2], Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 1]));
    assert.deepEqual([...keepLargestComponent(v).volume.data], [1, 0, 0, 0, 0, 0, 0, 1]);
    // A tie of two 1-voxel components: the first in voxel order stays.
    assert.deepEqual([...keepLargestComponent(v, { connectivity: 18 }).volume.data], [1, 0, 0, 0, 0, 0, 0, 0]);
    // An edge contact (0,0,0)–(1,1,0) joins with 18 but not with 6.
    const edge = makeVolume([2, 2, 1], Uint8Array.from([1, 0, 0, 1]));
    assert.equal(keepLargestComponent(edge, { connectivity: 18 }).removedVoxels, 0);
    assert.equal(keepLargestComponent(edge, { connectivity: 6 }).removedVoxels, 1);
  });
  test('background, −1 voxels and unrequested labels are left alone; another background code', () => {
    const r = keepLargestComponent(row([0, 5, 0, 5, 5, -1, 4, 0, 4, 4]), { labels: [5, 8] });
    assert.deepEqual([...r.volume.data], [0, 0, 0, 5, 5, -1, 4, 0, 4, 4]);
    assert.deepEqual(r.labels.map((l) => [l.label, l.components, l.removedVoxels]), [[5, 2, 1], [8, 0, 0]]);
    // With background 9, label 0 is cleaned and removed voxels become 9.
    assert.deepEqual([...keepLargestComponent(row([0, 9, 0, 0]), { backgroundLabel: 9 }).volume.data], [9, 9, 0, 0]);
  });
  test('geometry and header are kept; the input is not modified', () => {
    const v = makeVolume([3, 1, 1], Uint8Array.from([1, 0, 1]), { spacingMm: [2, 3, 4], header: { datatype: 'uint8', intentCode: 1002 } });
    const r = keepLargestComponent(v);
    assert.deepEqual([...v.data], [1, 0, 1]);
    assert.ok(r.volume.data instanceof Uint8Array);
    assert.deepEqual([r.volume.spacingMm, r.volume.header.intentCode], [[2, 3, 4], 1002]);
  });
  test('errors', () => {
    assert.throws(() => keepLargestComponent(makeVolume([2, 1, 1], Float32Array.from([1, 0.5]))), /keepLargestComponent: voxel 1 holds 0\.5/);
    assert.throws(() => keepLargestComponent(row([1]), { labels: [1.5] }), /label 1\.5 requested/);
    assert.throws(() => keepLargestComponent(makeVolume([1, 1, 1], Uint8Array.from([1, 1]))), /2 frames/);
  });
});

describe('keepLargestComponent: properties', () => {
  const arb = fc
    .record({ nx: fc.integer({ min: 1, max: 7 }), ny: fc.integer({ min: 1, max: 6 }), nz: fc.integer({ min: 1, max: 5 }) })
    .chain(({ nx, ny, nz }) =>
      fc.record({
        dims: fc.constant([nx, ny, nz] as [number, number, number]),
        labels: fc.array(fc.integer({ min: -1, max: 3 }), { minLength: nx * ny * nz, maxLength: nx * ny * nz }),
        connectivity: fc.constantFrom(6 as const, 18 as const, 26 as const),
      }),
    );
  test('against a flood fill: every label keeps exactly one of its largest components, the rest becomes 0', () => {
    fc.assert(
      fc.property(arb, ({ dims, labels, connectivity }) => {
        const out = keepLargestComponent(makeVolume(dims, Int8Array.from(labels)), { connectivity }).volume.data;
        const comp = bruteForceComponents(labels, dims, connectivity);
        const sizes = new Map<number, number>();
        for (const c of comp) if (c >= 0) sizes.set(c, (sizes.get(c) ?? 0) + 1);
        const kept = new Map<number, Set<number>>();
        for (let v = 0; v < labels.length; v++) {
          const l = labels[v];
          if (l <= 0) {
            assert.equal(out[v], l);
            continue;
          }
          assert.ok(out[v] === l || out[v] === 0);
          if (out[v] === l) kept.set(l, (kept.get(l) ?? new Set()).add(comp[v]));
        }
        for (const l of new Set(labels.filter((x) => x > 0))) {
          const ks = kept.get(l) ?? new Set();
          assert.equal(ks.size, 1, `label ${l} keeps one component`);
          const largest = Math.max(...[...new Set(labels.flatMap((x, v) => (x === l ? [comp[v]] : [])))].map((c) => sizes.get(c)!));
          assert.equal(sizes.get([...ks][0]), largest);
        }
      }),
      { seed: 31, numRuns: 300 },
    );
  });
  test('idempotent, and never adds a label', () => {
    fc.assert(
      fc.property(arb, ({ dims, labels, connectivity }) => {
        const once = keepLargestComponent(makeVolume(dims, Int8Array.from(labels)), { connectivity });
        const twice = keepLargestComponent(once.volume, { connectivity });
        assert.deepEqual([...twice.volume.data], [...once.volume.data]);
        assert.equal(twice.removedVoxels, 0);
        const before = new Set(labels);
        for (const x of once.volume.data) assert.ok(before.has(x) || x === 0, `label ${x} added`);
        assert.equal(once.removedVoxels, labels.filter((x, v) => x !== once.volume.data[v]).length);
      }),
      { seed: 32, numRuns: 300 },
    );
  });
});
