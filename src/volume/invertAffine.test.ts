import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertAffineClose } from '../../test/helpers/niftiFixtures.js';
import { seededRandom } from '../numeric/seededRandom.js';
import { invertAffine } from './invertAffine.js';

test('invertAffine: golden diag(2, 4, 0.5) + (1, 2, 3) → diag(0.5, 0.25, 2) + (−0.5, −0.5, −6)', () => {
  assertAffineClose(invertAffine([2, 0, 0, 1, 0, 4, 0, 2, 0, 0, 0.5, 3, 0, 0, 0, 1]), [0.5, 0, 0, -0.5, 0, 0.25, 0, -0.5, 0, 0, 2, -6, 0, 0, 0, 1], 1e-15);
});

test('invertAffine: A · inv(A) = I on seeded oblique affines; a singular matrix is refused', () => {
  for (let s = 1; s <= 20; s++) {
    const rng = seededRandom(s);
    const a = Array.from({ length: 16 }, (_, i) => (i >= 12 ? (i === 15 ? 1 : 0) : (rng.next() - 0.5) * 20));
    const inv = invertAffine(a);
    for (let r = 0; r < 4; r++) {
      for (let c = 0; c < 4; c++) {
        const v = [0, 1, 2, 3].reduce((acc, k) => acc + a[4 * r + k] * inv[4 * k + c], 0);
        assert.ok(Math.abs(v - (r === c ? 1 : 0)) < 1e-9, `seed ${s} [${r}][${c}] = ${v}`);
      }
    }
  }
  assert.throws(() => invertAffine([1, 2, 0, 0, 2, 4, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]), /invertAffine: the 3×3 part \[1, 2, 0, 2, 4, 0, 0, 0, 1\] is singular/);
});
