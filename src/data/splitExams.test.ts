import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { splitExams } from './splitExams.js';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `e${i}`);

describe('splitExams', () => {
  test('disjoint, complete, sized as asked, input order kept', () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 40 }), fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 }), fc.integer(), (n, v, t, seed) => {
        const exams = ids(n);
        const s = splitExams(exams, { validation: v, test: t, seed });
        assert.equal(s.validation.length, v);
        assert.equal(s.test.length, t);
        assert.deepEqual([...s.train, ...s.validation, ...s.test].sort(), [...exams].sort());
        for (const part of [s.train, s.validation, s.test]) assert.deepEqual(part, exams.filter((e) => part.includes(e)));
      }),
    );
  });

  test('deterministic with a seed; another seed gives another split', () => {
    const a = splitExams(ids(20), { validation: 4, test: 4, seed: 1 });
    assert.deepEqual(splitExams(ids(20), { validation: 4, test: 4, seed: 1 }), a);
    assert.notDeepEqual(splitExams(ids(20), { validation: 4, test: 4, seed: 2 }), a);
  });

  test('fractions round, with at least one exam', () => {
    const s = splitExams(ids(10), { validation: 0.2, test: 0.01, seed: 0 });
    assert.equal(s.validation.length, 2); // round(0.2 · 10)
    assert.equal(s.test.length, 1); // round(0.1) = 0, raised to 1
    assert.equal(s.train.length, 7);
  });

  test('too few exams, and bad sizes', () => {
    assert.throws(() => splitExams(ids(3), { validation: 2, test: 1, seed: 0 }), /the dataset has 3 exams, expected at least 4 \(2 validation \+ 1 test \+ 1 training\)/);
    assert.throws(() => splitExams([], { seed: 0 }), /has 0 exams, expected at least 1/);
    assert.throws(() => splitExams(ids(5), { validation: 1.5, seed: 0 }), /validation is 1\.5, expected an exam count/);
    assert.throws(() => splitExams(ids(5), { test: -1, seed: 0 }), /test is -1/);
  });
});
