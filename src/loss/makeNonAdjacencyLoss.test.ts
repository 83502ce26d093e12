import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { gradCheck } from '../../test/helpers/gradcheck.js';
import { LOSS_TEST_BACKENDS, useBackend } from '../../test/helpers/lossBackends.js';
import { AdjacencyPrior } from '../prior/AdjacencyPrior.js';
import { makeNonAdjacencyLoss } from './makeNonAdjacencyLoss.js';

/** Symmetric count matrix with the diagonal allowed and each off-diagonal pair allowed with probability `density`. */
function randomPrior(C: number, density: number, seed: number): number[][] {
  let s = seed;
  const rnd = (): number => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
  const m = Array.from({ length: C }, () => new Array<number>(C).fill(0));
  for (let i = 0; i < C; i++) {
    m[i][i] = 7;
    for (let j = 0; j < i; j++) if (rnd() < density) m[i][j] = m[j][i] = 2;
  }
  return m;
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

function maxAbs(a: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(a)).dataSync()[0]);
}


for (const backend of LOSS_TEST_BACKENDS) {
  describe(`makeNonAdjacencyLoss (${backend})`, () => {
    before(() => useBackend(backend));

    for (const implementation of ['sparse', 'dense'] as const) {
      it(`golden (${implementation}): 3×3 image, label 1 in the centre, pair (0,1) forbidden → λ·16/81/2`, () => {
        // A = [[32, 8], [8, 1]] / 81 (see softAdjacency.test.ts); F = [[0,1],[1,0]], nForbidden = 2:
        // loss = λ · (8 + 8)/81 / 2 = 8λ/81.
        const probs = tf.reshape(tf.cast(tf.oneHot(tf.tensor1d([0, 0, 0, 0, 1, 0, 0, 0, 0], 'int32'), 2), 'float32'), [1, 3, 3, 2]);
        const loss = makeNonAdjacencyLoss(
          [
            [5, 0],
            [0, 5],
          ],
          { lambda: 3, implementation },
        );
        assert.ok(Math.abs(loss(probs).dataSync()[0] - (3 * 8) / 81) < 1e-6);
      });

      it(`golden 3D (${implementation}): 1×1×2 volume, labels 0 | 1 forbidden → λ·(2/54)/2`, () => {
        // A = [[1,1],[1,1]]/54; Σ F⊙A = 2/54; nForbidden = 2.
        const probs = tf.tensor5d([1, 0, 0, 1], [1, 1, 1, 2, 2]);
        const loss = makeNonAdjacencyLoss(
          [
            [1, 0],
            [0, 1],
          ],
          { implementation },
        );
        assert.ok(Math.abs(loss(probs).dataSync()[0] - 1 / 54) < 1e-7);
      });
    }

    const agreementCases: Array<[string, number[], number, number]> = [
      ['2D, C=4', [2, 5, 7, 4], 0.3, 1],
      ['2D, C=11, W not a multiple of the block', [2, 9, 70, 11], 0.3, 2],
      ['2D, C=135 realistic prior, W > 64', [1, 20, 130, 135], 0.09, 3],
      ['3D, C=6', [1, 3, 4, 5, 6], 0.4, 4],
      ['3D, C=3, H > 16 rows (several jobs)', [2, 5, 19, 6, 3], 0.5, 5],
      ['3D, C=135 realistic prior', [1, 4, 6, 7, 135], 0.09, 6],
    ];
    for (const [name, shape, density, seed] of agreementCases) {
      it(`fused (from logits), sparse and dense agree on value and gradient w.r.t. logits (${name})`, () => {
        const C = shape[shape.length - 1];
        const prior = randomPrior(C, density, seed);
        const logits = tf.randomNormal(shape, 0, 2, 'float32', seed);
        const dense = makeNonAdjacencyLoss(prior, { implementation: 'dense', lambda: 2 });
        const results = (['softmax', 'any'] as const).map((inputs) => {
          const sparse = makeNonAdjacencyLoss(prior, { implementation: 'sparse', lambda: 2, inputs });
          return tf.valueAndGrad((x: tf.Tensor) => sparse(tf.softmax(x)))(logits);
        });
        const fused = makeNonAdjacencyLoss(prior, { implementation: 'sparse', lambda: 2, inputs: 'logits' });
        const f = tf.valueAndGrad((x: tf.Tensor) => fused(x))(logits);
        const denseFromLogits = makeNonAdjacencyLoss(prior, { implementation: 'dense', lambda: 2, inputs: 'logits' });
        const dl = tf.valueAndGrad((x: tf.Tensor) => denseFromLogits(x))(logits);
        const d = tf.valueAndGrad((x: tf.Tensor) => dense(tf.softmax(x)))(logits);
        const dv = d.value.dataSync()[0];
        assert.ok(dv > 0);
        for (const r of [...results, f, dl]) {
          assert.ok(Math.abs(r.value.dataSync()[0] - dv) <= 1e-5 * dv, `value ${r.value.dataSync()[0]} vs ${dv}`);
          assert.ok(maxAbsDiff(r.grad, d.grad) <= 1e-4 * maxAbs(d.grad), `gradient differs by ${maxAbsDiff(r.grad, d.grad)}`);
        }
        // Fused and sparse-from-probabilities compute the same sums from the same softmax, in float64.
        const s = results[0];
        assert.ok(Math.abs(f.value.dataSync()[0] - s.value.dataSync()[0]) <= 1e-6 * dv);
        assert.ok(maxAbsDiff(f.grad, s.grad) <= 1e-5 * maxAbs(s.grad), `fused gradient differs by ${maxAbsDiff(f.grad, s.grad)}`);
      });
    }

    for (const implementation of ['sparse', 'dense'] as const) {
      it(`golden from logits (${implementation}): 1×2 image, P = (3/4, 1/4) at both pixels → loss 1/24, gradient ∓1/96`, () => {
        // Q = (2/9)·P at each pixel, so per pixel P₀Q₁ + P₁Q₀ = (4/9)p(1−p), averaged over N = 2 pixels and divided
        // by nForbidden = 2: loss = (2/9)·p(1−p) = 1/24 at p = 3/4. Writing L(p_a, p_b), ∂L/∂p_a = (4 − 8p)/36 = −1/18,
        // and ∂p/∂z₀ = −∂p/∂z₁ = p(1−p) = 3/16: ∂L/∂z = (−1/96, +1/96) at each pixel.
        const loss = makeNonAdjacencyLoss(
          [
            [3, 0],
            [0, 3],
          ],
          { implementation, inputs: 'logits' },
        );
        const z = tf.tensor4d([Math.log(3), 0, Math.log(3), 0], [1, 1, 2, 2]);
        const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => loss(x))(z);
        assert.ok(Math.abs(value.dataSync()[0] - 1 / 24) < 1e-7, `value ${value.dataSync()[0]}`);
        const g = Array.from(grad.dataSync());
        [-1, 1, -1, 1].forEach((sign, i) => assert.ok(Math.abs(g[i] - sign / 96) < 1e-7, `gradient ${g}`));
      });
    }

    it('fused: gradient w.r.t. logits sums to zero over the classes, and the loss ignores a per-pixel shift of the logits (property)', () => {
      const prior = randomPrior(6, 0.3, 81);
      const loss = makeNonAdjacencyLoss(prior, { implementation: 'sparse', inputs: 'logits', lambda: 10 });
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 1000 }), fc.boolean(), fc.double({ min: -1000, max: 1000, noNaN: true }), (seed, is3d, shift) => {
          tf.tidy(() => {
            const shape = is3d ? [1, 3, 4, 5, 6] : [2, 4, 5, 6];
            const z = tf.randomNormal(shape, 0, 3, 'float32', seed);
            const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => loss(x))(z);
            // Σ_k P_k (g_k − Σ_i P_i g_i) = 0 at every pixel, whatever g.
            assert.ok(maxAbs(tf.sum(grad, -1)) <= 1e-5 * maxAbs(grad), 'class sums of the gradient are not 0');
            // softmax(z + c) = softmax(z); a stable softmax keeps this for |c| up to 1000 (exp(1000) overflows).
            const pixelShift = tf.mul(tf.randomUniform([...shape.slice(0, -1), 1], 0, 1, 'float32', seed + 1), shift);
            const shifted = loss(tf.add(z, pixelShift)).dataSync()[0];
            const v = value.dataSync()[0];
            assert.ok(Math.abs(shifted - v) <= 1e-4 * v, `shifted by up to ${shift}: ${shifted} vs ${v}`);
          });
        }),
        { numRuns: 12 },
      );
    });

    it("inputs 'logits': a given softmax of the logits gives the same value and gradient, and a wrong-shaped one throws", () => {
      const prior = randomPrior(6, 0.3, 82);
      for (const implementation of ['sparse', 'dense'] as const) {
        const loss = makeNonAdjacencyLoss(prior, { implementation, inputs: 'logits', lambda: 3 });
        const z = tf.randomNormal([2, 4, 5, 6], 0, 3, 'float32', 5);
        const own = tf.valueAndGrad((x: tf.Tensor) => loss(x))(z);
        const p = tf.softmax(z);
        const given = tf.valueAndGrad((x: tf.Tensor) => loss(x, p))(z);
        assert.equal(given.value.dataSync()[0], own.value.dataSync()[0], implementation);
        assert.ok(maxAbsDiff(given.grad, own.grad) <= 1e-7 * maxAbs(own.grad), `${implementation}: gradients differ`);
        assert.ok(!p.isDisposed, 'the given softmax stays the caller\'s');
        assert.throws(() => loss(z, tf.softmax(tf.zeros([1, 4, 5, 6]))), /softmax is float32 \[1, 4, 5, 6\]/);
      }
    });

    it("inputs 'any': the sparse gradient w.r.t. the probabilities is the exact one (= dense autodiff)", () => {
      const prior = randomPrior(5, 0.4, 9);
      const p = tf.softmax(tf.randomNormal([2, 6, 5, 5], 0, 2, 'float32', 9));
      const g = tf.grad(makeNonAdjacencyLoss(prior, { implementation: 'sparse', inputs: 'any' }))(p);
      const gd = tf.grad(makeNonAdjacencyLoss(prior, { implementation: 'dense' }))(p);
      assert.ok(maxAbsDiff(g, gd) <= 1e-5 * maxAbs(gd));
    });

    it("inputs 'softmax': the gradient w.r.t. the probabilities differs from the exact one by a per-pixel constant", () => {
      const prior = randomPrior(5, 0.4, 10);
      const p = tf.softmax(tf.randomNormal([1, 4, 6, 5], 0, 2, 'float32', 10));
      const soft = tf.grad(makeNonAdjacencyLoss(prior, { implementation: 'sparse' }))(p);
      const exact = tf.grad(makeNonAdjacencyLoss(prior, { implementation: 'sparse', inputs: 'any' }))(p);
      const diff = tf.sub(exact, soft);
      // constant over classes, and not zero (else the option would be pointless)
      assert.ok(maxAbsDiff(diff, tf.max(diff, -1, true)) <= 1e-6 * maxAbs(exact));
      assert.ok(maxAbs(diff) > 1e-3 * maxAbs(exact));
    });

    for (const implementation of ['sparse', 'dense'] as const) {
      it(`finite differences confirm the gradient w.r.t. logits, through the softmax (${implementation}, 2D and 3D)`, () => {
        const prior = randomPrior(4, 0.3, 21);
        const loss = makeNonAdjacencyLoss(prior, { implementation, lambda: 100 });
        const f = (x: tf.Tensor): tf.Scalar => loss(tf.softmax(x));
        // The dense loss is summed in float32 (C² terms), so its rounding noise needs a larger step than the
        // sparse one, which accumulates in float64.
        const eps = implementation === 'dense' ? 3e-2 : 1e-2;
        gradCheck(f, tf.randomNormal([1, 3, 4, 4], 0, 1, 'float32', 22), { eps, rtol: 1e-2 });
        gradCheck(f, tf.randomNormal([1, 2, 3, 3, 4], 0, 1, 'float32', 23), { eps, rtol: 1e-2 });
      });
    }

    it('finite differences confirm the fused gradient w.r.t. logits (2D and 3D), and reject it without its Σ P·R term', () => {
      const prior = randomPrior(4, 0.3, 24);
      const loss = makeNonAdjacencyLoss(prior, { implementation: 'sparse', inputs: 'logits', lambda: 100 });
      const x2 = tf.randomNormal([1, 3, 4, 4], 0, 1, 'float32', 25);
      const x3 = tf.randomNormal([1, 2, 3, 3, 4], 0, 1, 'float32', 26);
      gradCheck(loss, x2, { eps: 1e-2, rtol: 1e-2 });
      gradCheck(loss, x3, { eps: 1e-2, rtol: 1e-2 });
      // The likeliest slip, −s·P_k·R_k without "− Σ_i P_i R_i", must fail the same check: the probability path's
      // 'softmax' gradient (−s·R_k) times P, at x2 (the only point where gradCheck takes the analytic gradient).
      const onProbs = makeNonAdjacencyLoss(prior, { implementation: 'sparse', lambda: 100 });
      const p2 = tf.softmax(x2);
      const slipped = tf.mul(p2, tf.grad(onProbs)(p2));
      const broken = tf.customGrad(((x: tf.Tensor) => ({
        value: loss(x),
        gradFunc: (dy: tf.Tensor) => [tf.mul(slipped, dy)],
      })) as Parameters<typeof tf.customGrad<tf.Scalar>>[0]) as (x: tf.Tensor) => tf.Scalar;
      assert.throws(() => gradCheck(broken, x2, { eps: 1e-2, rtol: 1e-2 }), /gradCheck: coordinate \d+: numeric .* vs analytic/);
    });

    it("finite differences confirm the exact sparse gradient w.r.t. the probabilities (inputs 'any')", () => {
      const prior = randomPrior(4, 0.3, 31);
      const loss = makeNonAdjacencyLoss(prior, { implementation: 'sparse', inputs: 'any', lambda: 100 });
      gradCheck(loss, tf.randomUniform([1, 3, 4, 4], 0, 1, 'float32', 32), { eps: 1e-2, rtol: 1e-2 });
      gradCheck(loss, tf.randomUniform([1, 2, 3, 3, 4], 0, 1, 'float32', 33), { eps: 1e-2, rtol: 1e-2 });
    });

    it('is 0, with a zero gradient and one warning, when the prior forbids nothing', () => {
      const warnings: string[] = [];
      const loss = makeNonAdjacencyLoss(
        [
          [1, 1],
          [1, 1],
        ],
        { onWarning: (m) => warnings.push(m) },
      );
      const x = tf.randomNormal([1, 3, 3, 2]);
      const { value, grad } = tf.valueAndGrad((t: tf.Tensor) => loss(tf.softmax(t)))(x);
      loss(tf.softmax(x));
      assert.equal(value.dataSync()[0], 0);
      assert.equal(maxAbs(grad), 0);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], /forbids no pair of its 2 labels/);
    });

    it('warns about labels that never occur in the prior', () => {
      const warnings: string[] = [];
      makeNonAdjacencyLoss(
        [
          [3, 1, 0],
          [1, 3, 0],
          [0, 0, 0],
        ],
        { onWarning: (m) => warnings.push(m) },
      );
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], /1 of 3 labels never occur in the prior \(rows 2\)/);
    });

    it('is invariant to flipping the image (property)', () => {
      const prior = randomPrior(4, 0.4, 51);
      const losses = (['sparse', 'dense'] as const).map((implementation) => makeNonAdjacencyLoss(prior, { implementation }));
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 1000 }), fc.constantFrom(1, 2, 3), fc.boolean(), (seed, axis, is3d) => {
          const shape = is3d ? [1, 3, 4, 5, 4] : [2, 5, 6, 4];
          if (!is3d && axis === 3) axis = 2;
          const p = tf.softmax(tf.randomNormal(shape, 0, 2, 'float32', seed));
          for (const loss of losses) {
            const a = loss(p).dataSync()[0];
            const b = loss(tf.reverse(p, axis)).dataSync()[0];
            assert.ok(Math.abs(a - b) <= 1e-5 * a, `flip axis ${axis}: ${a} vs ${b}`);
          }
        }),
        { numRuns: 15 },
      );
    });

    for (const [implementation, inputs] of [
      ['sparse', 'softmax'],
      ['dense', 'softmax'],
      ['sparse', 'logits'],
      ['dense', 'logits'],
    ] as const) {
      it(`leaks no tensor over a loss + gradient step (${implementation}, inputs '${inputs}')`, () => {
        const prior = randomPrior(5, 0.3, 61);
        const loss = makeNonAdjacencyLoss(prior, { implementation, inputs });
        const x = tf.randomNormal([2, 4, 5, 5]);
        const f = inputs === 'logits' ? loss : (t: tf.Tensor) => loss(tf.softmax(t));
        const step = (): void => {
          const { value, grad } = tf.valueAndGrad(f)(x);
          value.dispose();
          grad.dispose();
          tf.dispose(loss(x));
        };
        step();
        const before = tf.memory().numTensors;
        step();
        step();
        assert.equal(tf.memory().numTensors, before);
      });
    }

    it('rejects a channel count that differs from the prior, naming both', () => {
      const loss = makeNonAdjacencyLoss(randomPrior(5, 0.3, 1));
      assert.throws(() => loss(tf.zeros([1, 4, 4, 6])), {
        name: 'RangeError',
        message: /probabilities have 6 channels \(shape \[1, 4, 4, 6\]\), but the prior has 5 labels/,
      });
      const fromLogits = makeNonAdjacencyLoss(randomPrior(5, 0.3, 1), { inputs: 'logits' });
      assert.throws(() => fromLogits(tf.zeros([1, 4, 4, 6])), /logits have 6 channels/);
    });

    it('rejects rank 3 and rank 6', () => {
      const loss = makeNonAdjacencyLoss(randomPrior(2, 0, 1));
      assert.throws(() => loss(tf.zeros([4, 4, 2])), /rank 3\), expected \[B, H, W, C\] or \[B, D, H, W, C\]/);
      assert.throws(() => loss(tf.zeros([1, 1, 2, 2, 2, 2])), /rank 6/);
    });

    for (const implementation of ['sparse', 'dense'] as const) {
      it(`throws instead of returning NaN when the probabilities hold NaN or Infinity (${implementation})`, () => {
        const loss = makeNonAdjacencyLoss(randomPrior(3, 0, 1), { implementation });
        const values = new Float32Array(2 * 3 * 3 * 3).fill(1 / 3);
        values[20] = NaN;
        assert.throws(() => loss(tf.tensor(values, [2, 3, 3, 3])), /makeNonAdjacencyLoss: .*contain NaN or ±Infinity/);
        values[20] = Infinity;
        assert.throws(() => loss(tf.tensor(values, [2, 3, 3, 3])), /contain NaN or ±Infinity/);
        const off = makeNonAdjacencyLoss(randomPrior(3, 0, 1), { implementation, nanCheck: 'off' });
        values[20] = NaN;
        assert.ok(Number.isNaN(off(tf.tensor(values, [2, 3, 3, 3])).dataSync()[0]));
      });
    }

    for (const implementation of ['sparse', 'dense'] as const) {
      it(`from logits: NaN, +Infinity and an all −Infinity pixel throw; one −Infinity logit is probability 0 (${implementation})`, () => {
        const loss = makeNonAdjacencyLoss(randomPrior(3, 0, 1), { implementation, inputs: 'logits' });
        const values = Float32Array.from({ length: 2 * 3 * 3 * 3 }, (_, i) => Math.sin(i));
        const at = (i: number, v: number): tf.Tensor => {
          const copy = Float32Array.from(values);
          copy[i] = v;
          return tf.tensor(copy, [2, 3, 3, 3]);
        };
        assert.throws(() => loss(at(20, NaN)), /makeNonAdjacencyLoss: .*the logits \(shape \[2, 3, 3, 3\]\) contain NaN or \+Infinity/);
        assert.throws(() => loss(at(20, Infinity)), /contain NaN or \+Infinity/);
        const allNegInf = Float32Array.from(values);
        allNegInf.fill(-Infinity, 21, 24);
        assert.throws(() => loss(tf.tensor(allNegInf, [2, 3, 3, 3])), /contain NaN or \+Infinity/);
        // −∞ is softmax probability 0, the same as a logit 200 below the others (exp(−200) underflows float32).
        const a = loss(at(20, -Infinity)).dataSync()[0];
        const b = loss(at(20, -200)).dataSync()[0];
        assert.ok(Number.isFinite(a) && Math.abs(a - b) <= 1e-6 * b, `${a} vs ${b}`);
      });
    }

    it('rejects a bad λ, a bad inputs and a non-symmetric prior', () => {
      assert.throws(() => makeNonAdjacencyLoss([[1]], { inputs: 'probs' as 'softmax' }), /inputs is "probs", expected "softmax", "any" or "logits"/);
      assert.throws(() => makeNonAdjacencyLoss([[1]], { lambda: -1 }), /lambda is -1, expected a finite number ≥ 0/);
      assert.throws(
        () =>
          makeNonAdjacencyLoss([
            [1, 2],
            [0, 1],
          ]),
        /expected a symmetric matrix/,
      );
    });

    it('accepts an AdjacencyPrior and a count matrix alike', () => {
      const counts = randomPrior(4, 0.4, 71);
      const p = tf.softmax(tf.randomNormal([1, 5, 5, 4], 0, 1, 'float32', 71));
      const a = makeNonAdjacencyLoss(counts)(p).dataSync()[0];
      const b = makeNonAdjacencyLoss(AdjacencyPrior.fromCounts(counts))(p).dataSync()[0];
      assert.equal(a, b);
    });
  });
}
