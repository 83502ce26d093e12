import fc from 'fast-check';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertAffineClose } from '../../test/helpers/niftiFixtures.js';
import { affineToQform, qformToAffine } from './qform.js';

/** Independent rotation: Rodrigues' formula for `angle` radians about the unit vector `axis`. */
function rodrigues(axis: [number, number, number], angle: number): number[][] {
  const [x, y, z] = axis;
  const [c, s, t] = [Math.cos(angle), Math.sin(angle), 1 - Math.cos(angle)];
  return [
    [t * x * x + c, t * x * y - s * z, t * x * z + s * y],
    [t * x * y + s * z, t * y * y + c, t * y * z - s * x],
    [t * x * z - s * y, t * y * z + s * x, t * z * z + c],
  ];
}

/** `[R · diag(scale) | offset]` as a row-major 4×4. */
function affineOf(r: number[][], scale: number[], offset: number[]): number[] {
  return [0, 1, 2].flatMap((i) => [r[i][0] * scale[0], r[i][1] * scale[1], r[i][2] * scale[2], offset[i]]).concat([0, 0, 0, 1]);
}

describe('qformToAffine', () => {
  test('identity quaternion gives diag(pixdim) plus the offset', () => {
    const a = qformToAffine({ quaternB: 0, quaternC: 0, quaternD: 0, qoffset: [-90, -126, -72], pixdim: [2, 3, 4], qfac: 1 });
    assertAffineClose(a, [2, 0, 0, -90, 0, 3, 0, -126, 0, 0, 4, -72, 0, 0, 0, 1], 0);
  });

  test('30° about z with qfac −1, by hand', () => {
    // q = (cos 15°, 0, 0, sin 15°) rotates by 30° about z; columns scale by (2, 3, −4).
    const [c, s] = [Math.sqrt(3) / 2, 0.5];
    const a = qformToAffine({ quaternB: 0, quaternC: 0, quaternD: Math.sin(Math.PI / 12), qoffset: [10, -20, 30], pixdim: [2, 3, 4], qfac: -1 });
    assertAffineClose(a, [2 * c, -3 * s, 0, 10, 2 * s, 3 * c, 0, -20, 0, 0, -4, 30, 0, 0, 0, 1], 1e-12);
  });

  test('b = 1 is the 180° turn about x (a = 0); b slightly past 1 (float32 rounding) gives the same', () => {
    const expected = [1, 0, 0, 0, 0, -1, 0, 0, 0, 0, -1, 0, 0, 0, 0, 1];
    assertAffineClose(qformToAffine({ quaternB: 1, quaternC: 0, quaternD: 0, qoffset: [0, 0, 0], pixdim: [1, 1, 1], qfac: 1 }), expected, 1e-12);
    assertAffineClose(qformToAffine({ quaternB: 1 + 1e-7, quaternC: 0, quaternD: 0, qoffset: [0, 0, 0], pixdim: [1, 1, 1], qfac: 1 }), expected, 1e-6);
  });

  test('negative pixdim is taken in absolute value (qfac alone flips k)', () => {
    const a = qformToAffine({ quaternB: 0, quaternC: 0, quaternD: 0, qoffset: [0, 0, 0], pixdim: [-2, 3, -4], qfac: 1 });
    assertAffineClose(a, [2, 0, 0, 0, 0, 3, 0, 0, 0, 0, 4, 0, 0, 0, 0, 1], 0);
  });

  test('matches Rodrigues for random rotations (property)', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true })),
        fc.double({ min: 0, max: Math.PI, noNaN: true }),
        (v, angle) => {
          const n = Math.hypot(...v);
          fc.pre(n > 1e-3);
          const axis = v.map((x) => x / n) as [number, number, number];
          const h = Math.sin(angle / 2);
          const a = qformToAffine({ quaternB: axis[0] * h, quaternC: axis[1] * h, quaternD: axis[2] * h, qoffset: [1, 2, 3], pixdim: [1.5, 2, 0.5], qfac: 1 });
          // Near 180° (a → 0), a = √(1 − b² − c² − d²) is off by up to √ε ≈ 1.5e-8: ×2 (quat2mat) ×2 mm ≈ 6e-8.
          assertAffineClose(a, affineOf(rodrigues(axis, angle), [1.5, 2, 0.5], [1, 2, 3]), 1e-7);
        },
      ),
      { numRuns: 500, seed: 11 },
    );
  });
});

describe('affineToQform', () => {
  test('30° about z with a flipped k axis gives qfac −1 and d = sin 15°', () => {
    const [c, s] = [Math.sqrt(3) / 2, 0.5];
    const q = affineToQform([2 * c, -3 * s, 0, 10, 2 * s, 3 * c, 0, -20, 0, 0, -4, 30, 0, 0, 0, 1]);
    assert.equal(q.qfac, -1);
    assert.equal(q.sheared, false);
    assert.ok(Math.abs(q.quaternB) < 1e-15 && Math.abs(q.quaternC) < 1e-15);
    assert.ok(Math.abs(q.quaternD - Math.sin(Math.PI / 12)) < 1e-15, `d = ${q.quaternD}`); // nibabel 5.0: 0.25881904 (float32)
    q.pixdim.forEach((p, i) => assert.ok(Math.abs(p - [2, 3, 4][i]) < 1e-14));
    assert.deepEqual(q.qoffset, [10, -20, 30]);
  });

  test('a general rotation with det < 0 matches nibabel 5.0 set_qform', () => {
    // Affine = euler2mat(0.3, −0.7, 1.1) · diag(1.5, 0.8, −2.5) + (1, 2, 3); quaternion printed by nibabel (float32).
    const affine = [
      1.0960224749032688, -0.18082105699969842, 1.6105442180942275, 1, -0.6216629914937978, 0.4824035190081712, 1.7040824664835574, 2,
      0.8137996433483465, 0.6120380627003886, -0.8673236241372474, 3, 0, 0, 0, 1,
    ];
    const q = affineToQform(affine);
    assert.equal(q.qfac, -1);
    [q.quaternB, q.quaternC, q.quaternD].forEach((x, i) => assert.equal(Math.fround(x), Math.fround([0.44179967, -0.36242008, -0.05753999][i])));
    q.pixdim.forEach((p, i) => assert.ok(Math.abs(p - [1.5, 0.8, 2.5][i]) < 1e-12));
    assertAffineClose(qformToAffine(q), affine, 1e-12);
  });

  test('shear is dropped for the nearest rotation, as nibabel 5.0 does, and flagged', () => {
    // Column 2 leans into x by 0.5: no rotation·diagonal gives this. nibabel: d = −0.04127544, pixdim (2, 3.0413814, 4).
    const q = affineToQform([2, 0.5, 0, -90, 0, 3, 0, -120, 0, 0, 4, -70, 0, 0, 0, 1]);
    assert.equal(q.sheared, true);
    assert.equal(q.qfac, 1);
    assert.equal(Math.fround(q.quaternD), Math.fround(-0.04127544));
    assert.ok(q.quaternB === 0 && q.quaternC === 0);
    assert.equal(Math.fround(q.pixdim[1]), Math.fround(3.041381359100342));
    // nibabel's get_qform of the stored fields, to its float32 precision.
    const nibabelQform = [1.9931853516675204, 0.2508547583303916, 0, -90, -0.16496106782517792, 3.031018386896728, 0, -120, 0, 0, 4, -70, 0, 0, 0, 1];
    assertAffineClose(qformToAffine(q), nibabelQform, 1e-6);
  });

  test('inverts qformToAffine for random rotations, sizes, handedness (property)', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })),
        fc.tuple(fc.double({ min: 0.1, max: 5, noNaN: true }), fc.double({ min: 0.1, max: 5, noNaN: true }), fc.double({ min: 0.1, max: 5, noNaN: true })),
        fc.constantFrom<-1 | 1>(-1, 1),
        (quat, pixdim, qfac) => {
          const n = Math.hypot(...quat);
          fc.pre(n > 1e-3);
          const [a, b, c, d] = quat.map((x) => x / n);
          const params = { quaternB: b, quaternC: c, quaternD: d, qoffset: [-90, 12.5, 3] as [number, number, number], pixdim, qfac };
          const affine = qformToAffine(params);
          const back = affineToQform(affine);
          assert.equal(back.qfac, qfac);
          assert.equal(back.sheared, false);
          back.pixdim.forEach((p, i) => assert.ok(Math.abs(p - pixdim[i]) < 1e-12));
          // Only b, c, d are passed, so a ≥ 0 is implied both ways; at a ≈ 0, q and −q are the same turn.
          if (Math.abs(a) > 1e-6) {
            [back.quaternB, back.quaternC, back.quaternD].forEach((x, i) => assert.ok(Math.abs(x - [b, c, d][i]) < 1e-9, `quaternion ${i}: ${x} vs ${[b, c, d][i]}`));
          }
          // Near a = 0, a = √(1 − b² − c² − d²) keeps only half the digits (√ε ≈ 1.5e-8), times pixdim ≤ 5 and summed over
          // three terms: seed 2144370880 once gave 2.0000000000000004e-7 here.
          assertAffineClose(qformToAffine(back), affine, 1e-6);
        },
      ),
      { numRuns: 500, seed: 2144370880 },
    );
  });

  test('a zero column has no qform', () => {
    assert.throws(() => affineToQform([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]), /affineToQform: column norms of the affine are 1, 0, 1/);
  });
});
