import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { copyBox } from './copyBox.js';

/** The box by its definition: out[i…] = src[begin + i…], one multi-index at a time. */
function bruteBox(src: Float32Array, shape: number[], begin: number[], size: number[]): Float32Array {
  const n = size.reduce((p, d) => p * d, 1);
  const out = new Float32Array(n);
  const idx = size.map(() => 0);
  for (let k = 0; k < n; k++) {
    let off = 0;
    for (let a = 0; a < shape.length; a++) off = off * shape[a] + begin[a] + idx[a];
    out[k] = src[off];
    for (let a = shape.length - 1; a >= 0; a--) {
      if (++idx[a] < size[a]) break;
      idx[a] = 0;
    }
  }
  return out;
}

const iota = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => i);

describe('copyBox', () => {
  it('golden: the middle 2×2 of a 4×4 grid', () => {
    // rows 1–2, columns 1–2 of 0…15 (row-major): 5, 6, 9, 10.
    const dst = new Float32Array(4);
    copyBox(iota(16), [4, 4], [1, 1], [2, 2], dst);
    assert.deepEqual(Array.from(dst), [5, 6, 9, 10]);
  });

  it('golden: a channel slice of a rank-5 tensor, short rows (element loop)', () => {
    // [1,1,2,1,4] channels 1–2: rows {0,1,2,3} and {4,5,6,7} give 1,2 and 5,6.
    const dst = new Float32Array(4);
    copyBox(iota(8), [1, 1, 2, 1, 4], [0, 0, 0, 0, 1], [1, 1, 2, 1, 2], dst);
    assert.deepEqual(Array.from(dst), [1, 2, 5, 6]);
  });

  it('a whole-tensor box and a rank-0 box copy everything', () => {
    const dst = new Float32Array(24);
    copyBox(iota(24), [2, 3, 4], [0, 0, 0], [2, 3, 4], dst);
    assert.deepEqual(dst, iota(24));
    const one = new Float32Array(1);
    copyBox(new Float32Array([7]), [], [], [], one);
    assert.deepEqual(Array.from(one), [7]);
  });

  it('property: any box of any rank ≤ 6 (long and short rows) matches the definition', () => {
    const box = fc
      .array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 6 })
      .chain((shape) => {
        // One axis may be long so that both the set() and the element paths run.
        const dims = shape.map((d, i) => (i === shape.length - 1 && d > 4 ? d * 12 : d));
        return fc.tuple(
          fc.constant(dims),
          fc.tuple(...dims.map((d) => fc.integer({ min: 0, max: d - 1 }).chain((b) => fc.tuple(fc.constant(b), fc.integer({ min: 1, max: d - b }))))),
        );
      });
    fc.assert(
      fc.property(box, ([shape, ranges]) => {
        const begin = ranges.map(([b]) => b);
        const size = ranges.map(([, n]) => n);
        const src = iota(shape.reduce((p, d) => p * d, 1));
        const dst = new Float32Array(size.reduce((p, d) => p * d, 1));
        copyBox(src, shape, begin, size, dst);
        assert.deepEqual(dst, bruteBox(src, shape, begin, size));
      }),
      { numRuns: 300, seed: 11 },
    );
  });
});
