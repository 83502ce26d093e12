import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkSegmentation } from '../metric/checkSegmentation.js';
import { makeVolume } from '../volume/Volume.js';
import { AdjacencyPrior } from './AdjacencyPrior.js';
import { restrictPrior } from './restrictPrior.js';

// Codes 10, 20, 30: 10–30 and 20–30 forbidden (count 0), 10–20 allowed; 30 never touches itself (diagonal 0).
const prior = AdjacencyPrior.fromCounts(
  [
    [4, 2, 0],
    [2, 4, 0],
    [0, 0, 0],
  ],
  { labels: [10, 20, 30], names: ['a', 'b', 'c'], connectivity: 6, radius: 1, minExams: 2 },
);

describe('restrictPrior', () => {
  it('keeps forbidden only the pairs made; every other forbidden entry, the diagonal too, becomes allowed', () => {
    const r = restrictPrior(prior, [[10, 30]]);
    assert.deepEqual(Array.from(r.counts), [4, 2, 0, 2, 4, 1, 0, 1, 1]);
    assert.deepEqual([r.forbiddenUnorderedPairs, r.forbiddenOrderedPairs], [1, 2]);
    assert.deepEqual([r.labels, r.names, r.connectivity, r.radius, r.minExams], [prior.labels, prior.names, 6, 1, 2]);
    // Either order, repeats, allowed pairs and codes the prior does not know change nothing.
    assert.deepEqual(Array.from(restrictPrior(prior, [[30, 10], [10, 30], [10, 20], [99, 30]]).counts), Array.from(r.counts));
    assert.equal(restrictPrior(prior, []).forbiddenOrderedPairs, 0);
    assert.deepEqual(Array.from(restrictPrior(prior, [[10, 30], [20, 30]]).counts), [4, 2, 0, 2, 4, 0, 0, 0, 1]);
  });

  it('property: a segmentation makes against the restricted prior exactly the contacts of the pairs it was restricted to', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 20; trial++) {
      const seg = makeVolume([6, 5, 4], Int32Array.from({ length: 120 }, () => [10, 20, 30][Math.floor(random() * 3)]));
      const full = checkSegmentation(seg, prior);
      const some = full.pairs.filter(() => random() < 0.5);
      const restricted = checkSegmentation(seg, restrictPrior(prior, some.map((p) => p.labels)));
      assert.deepEqual(restricted.pairs.map((p) => [p.labels, p.contacts]), some.map((p) => [p.labels, p.contacts]));
    }
  });
});
