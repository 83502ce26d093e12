import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { seededRandom } from './seededRandom.js';

/** sfc32 written out again from the PractRand description, as an independent oracle for the stream. */
function referenceSfc32(words: readonly number[]): () => number {
  let [a, b, c, d] = words.map((w) => w >>> 0);
  return () => {
    const t = (a + b + d) >>> 0;
    d = (d + 1) >>> 0;
    a = (b ^ (b >>> 9)) >>> 0;
    b = (c + ((c << 3) >>> 0)) >>> 0;
    c = (((c << 21) | (c >>> 11)) >>> 0);
    c = (c + t) >>> 0;
    return t;
  };
}

describe('seededRandom', () => {
  test('follows sfc32 from a set state', () => {
    const rng = seededRandom(0);
    rng.setState({ words: [1, 2, 3, 4], spare: null });
    const ref = referenceSfc32([1, 2, 3, 4]);
    // First output from (1, 2, 3, 4): t = a + b + d = 1 + 2 + 4 = 7.
    assert.equal(rng.uint32(), 7);
    assert.equal(ref(), 7);
    for (let i = 0; i < 1000; i++) assert.equal(rng.uint32(), ref(), `draw ${i + 1}`);
  });

  test('same seed → same stream, different seeds → different streams', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer(), (s, t) => {
        const a = Array.from({ length: 8 }, seededRandom(s).next);
        const b = Array.from({ length: 8 }, seededRandom(s).next);
        assert.deepEqual(a, b);
        if (s !== t) assert.notDeepEqual(a, Array.from({ length: 8 }, seededRandom(t).next));
      }),
    );
    // Nearby seeds and fractional seeds are distinct streams too.
    assert.notEqual(seededRandom(1).uint32(), seededRandom(2).uint32());
    assert.notEqual(seededRandom(0.5).uint32(), seededRandom(0).uint32());
    assert.notEqual(seededRandom(2 ** 40).uint32(), seededRandom(0).uint32());
  });

  test('getState/setState resume the stream exactly, including the cached normal deviate', () => {
    const rng = seededRandom(7);
    rng.normal(); // leaves a spare deviate cached
    const saved = JSON.parse(JSON.stringify(rng.getState()));
    assert.notEqual(saved.spare, null);
    const expected = [rng.normal(), rng.next(), rng.normal(), rng.int(10)];
    const other = seededRandom(99);
    other.setState(saved);
    assert.deepEqual([other.normal(), other.next(), other.normal(), other.int(10)], expected);
  });

  test('uniform and normal draws have the right moments', () => {
    const rng = seededRandom(3);
    const n = 100_000;
    let s = 0, s2 = 0, m = 0, m2 = 0;
    const bins = new Array<number>(10).fill(0);
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      assert.ok(u >= 0 && u < 1);
      s += u;
      s2 += u * u;
      bins[rng.int(10)]++;
      const z = rng.normal(2, 3);
      m += z;
      m2 += z * z;
    }
    assert.ok(Math.abs(s / n - 0.5) < 0.005); // sd of the mean is 0.29/√1e5 ≈ 0.001
    assert.ok(Math.abs(s2 / n - s ** 2 / n ** 2 - 1 / 12) < 0.002);
    assert.ok(Math.abs(m / n - 2) < 0.05); // sd of the mean 3/√1e5 ≈ 0.01
    assert.ok(Math.abs(Math.sqrt(m2 / n - (m / n) ** 2) - 3) < 0.05);
    // χ² with 9 degrees of freedom: 30 is far beyond the 0.999 quantile (27.9).
    const chi2 = bins.reduce((acc, b) => acc + (b - n / 10) ** 2 / (n / 10), 0);
    assert.ok(chi2 < 30, `χ² = ${chi2}`);
  });

  test('shuffle is a permutation', () => {
    const items = [...Array(50).keys()];
    const shuffled = seededRandom(1).shuffle([...items]);
    assert.notDeepEqual(shuffled, items);
    assert.deepEqual([...shuffled].sort((a, b) => a - b), items);
  });

  test('rejects bad seeds, bounds and states', () => {
    assert.throws(() => seededRandom(Number.NaN), /seed is NaN, expected a finite number/);
    assert.throws(() => seededRandom(1).int(0), /n is 0, expected an integer in 1\.\.2\^32/);
    assert.throws(() => seededRandom(1).setState({ words: [1, 2, 3] as never, spare: null }), /expected four uint32/);
  });
});
