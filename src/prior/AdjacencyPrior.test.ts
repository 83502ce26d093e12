import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AdjacencyPrior } from './AdjacencyPrior.js';

// Labels 0 (background), 1 and 2: 0 touches 1 and 2, 1 and 2 never touch, 2 never touches itself; label 3 never occurs.
const counts = [
  [10, 4, 2, 0],
  [4, 6, 0, 0],
  [2, 0, 0, 0],
  [0, 0, 0, 0],
];

describe('AdjacencyPrior', () => {
  const prior = AdjacencyPrior.fromCounts(counts, { names: ['bg', 'a', 'b', null] });

  test('masks: forbidden = 1 − (counts > 0), allowed its complement', () => {
    assert.deepEqual([...prior.forbiddenMask()], [0, 0, 0, 1, 0, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1]);
    assert.deepEqual([...prior.allowedMask()], [...prior.forbiddenMask()].map((f) => 1 - f));
  });

  test('forbidden pair counts: unordered 4 ({0,3} {1,2} {1,3} {2,3}), ordered 2·4 + 2 empty diagonal cells = 10', () => {
    assert.equal(prior.forbiddenOrderedPairs, 10);
    assert.equal(prior.forbiddenUnorderedPairs, 4);
  });

  test('allowed pairs in CSR form', () => {
    const { rowPtr, cols } = prior.allowedCsr();
    assert.deepEqual([...rowPtr], [0, 3, 5, 6, 6]);
    assert.deepEqual([...cols], [0, 1, 2, 0, 1, 0]);
  });

  test('empty rows, names, contiguous relabelling keeps the codes', () => {
    assert.deepEqual(prior.emptyRows(), [3]);
    assert.equal(prior.nameOf(1), 'a');
    assert.equal(prior.nameOf(3), 'label 3');
    const sparse = AdjacencyPrior.fromCounts(
      [
        [1, 0, 3],
        [0, 0, 0],
        [3, 0, 5],
      ],
      { labels: [0, 10, 20] },
    );
    const c = sparse.contiguous();
    assert.equal(c.numLabels, 2);
    assert.deepEqual(c.labels, [0, 20]);
    assert.deepEqual([...c.counts], [1, 3, 3, 5]);
    assert.equal(c.indexOfLabel(20), 1);
    assert.equal(c.indexOfLabel(10), -1);
    assert.equal(c.toJson().relabelled, true);
  });

  test('CSV round trip, readable as numpy.loadtxt(delimiter=";") writes and reads it', () => {
    const csv = prior.toCsv();
    assert.equal(csv.split('\n')[0], '10;4;2;0');
    assert.deepEqual([...AdjacencyPrior.parseCsv(csv).counts], [...prior.counts]);
    // numpy.savetxt's default float format.
    const numpyStyle = '1.000000000000000000e+01;4.000000000000000000e+00\n4.000000000000000000e+00;0.000000000000000000e+00\n';
    assert.deepEqual([...AdjacencyPrior.parseCsv(numpyStyle).counts], [10, 4, 4, 0]);
  });

  test('JSON round trip keeps names, labels, neighbourhood and exams', () => {
    const withMeta = AdjacencyPrior.fromCounts(counts, {
      names: ['bg', 'a', 'b', null],
      connectivity: 6,
      radius: 2,
      exams: [{ id: 'e1', file: 'e1/seg.nii.gz', dims: [4, 5, 6], spacingMm: [1, 1, 2] }],
      tool: 'nonadj test',
    });
    const back = AdjacencyPrior.parseJson(JSON.stringify(withMeta.toJson()));
    assert.deepEqual(back.toJson(), withMeta.toJson());
    assert.equal(back.connectivity, 6);
    assert.equal(back.radius, 2);
  });

  test('bad matrices are refused with the position and value', () => {
    assert.throws(() => AdjacencyPrior.fromCounts([[1, 2], [3, 4]], {}, 'g.csv'), /g\.csv: count \[1\]\[0\] = 3 but \[0\]\[1\] = 2, expected a symmetric matrix/);
    assert.throws(() => AdjacencyPrior.fromCounts([[1, 2], [2]], {}, 'g.csv'), /g\.csv: row 1 has 1 values, expected 2/);
    assert.throws(() => AdjacencyPrior.fromCounts([[0.5]], {}, 'g.csv'), /count \[0\]\[0\] is 0\.5, expected a non-negative integer/);
    assert.throws(() => AdjacencyPrior.parseCsv('1;x\n', {}, 'g.csv'), /g\.csv: line 1, column 2 is "x", expected a number/);
    assert.throws(() => AdjacencyPrior.parseJson('{"format":"other"}', 'p.json'), /p\.json: format is "other"/);
    assert.throws(() => AdjacencyPrior.fromCounts([[1]], { connectivity: 8 as 6 }), /connectivity is 8, expected the number 6, 18 or 26/);
  });
});
