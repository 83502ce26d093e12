import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import { makeVolume } from '../volume/Volume.js';
import { checkSegmentation } from '../metric/checkSegmentation.js';
import { pasteIslands } from './pasteIslands.js';

/** 30×30×30 split into four slabs of labels 0..3 along x; the prior allows only neighbouring slabs. */
function slabs() {
  const data = new Uint8Array(30 ** 3);
  for (let v = 0; v < data.length; v++) data[v] = Math.floor((v % 30) / 7.5);
  const counts = [0, 1, 2, 3].map((i) => [0, 1, 2, 3].map((j) => (Math.abs(i - j) <= 1 ? 1 : 0)));
  return { volume: makeVolume([30, 30, 30], data), prior: AdjacencyPrior.fromCounts(counts) };
}

describe('pasteIslands', () => {
  test('each cube adds exactly 386 forbidden contacts with its host (26-neighbourhood, edge 3)', () => {
    const { volume, prior } = slabs();
    const { volume: out, islands } = pasteIslands(volume, { count: 4, prior, seed: 2 });
    assert.equal(islands.length, 4);
    for (const i of islands) assert.ok(!prior.isAllowed(i.label, i.host), `${i.label} in ${i.host} is allowed`);
    const r = checkSegmentation(out, prior);
    assert.equal(r.forbiddenContacts, 4 * 386);
    // Per label pair: 386 contacts per island of that pair; a lone island's contact zone is centred on its cube.
    for (const p of r.pairs) {
      const mine = islands.filter((i) => p.labels.includes(i.label) && p.labels.includes(i.host));
      assert.equal(p.contacts, 386 * mine.length);
      if (mine.length === 1) assert.deepEqual(p.centroidVoxel, mine[0].min.map((c) => c + 1));
    }
    // The input is untouched.
    assert.equal(checkSegmentation(volume, prior).forbiddenContacts, 0);
  });

  test('deterministic for a seed, different for another', () => {
    const { volume, prior } = slabs();
    const a = pasteIslands(volume, { count: 3, prior, seed: 5 });
    const b = pasteIslands(volume, { count: 3, prior, seed: 5 });
    const c = pasteIslands(volume, { count: 3, prior, seed: 6 });
    assert.deepEqual(a.islands, b.islands);
    assert.deepEqual(a.volume.data, b.volume.data);
    assert.notDeepEqual(a.islands, c.islands);
  });

  test('says how many it could place', () => {
    const { volume } = slabs();
    assert.throws(() => pasteIslands(volume, { count: 2, edgeVoxels: 20, maxAttempts: 50 }), /placed 0 of 2 islands in 50 attempts/);
    assert.throws(() => pasteIslands(volume, { count: 1, edgeVoxels: 40 }), /does not fit in 30×30×30/);
  });
});
