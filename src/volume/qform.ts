/**
 * The NIfTI qform: a rigid rotation stored as a unit quaternion `(a, b, c, d)` of which only `b, c, d`
 * are on disk, a handedness flag `qfac = pixdim[0]`, voxel sizes `pixdim[1..3]` and an offset.
 *
 * `affine = [R · diag(dx, dy, qfac·dz) | offset]`, voxel `(i, j, k)` → RAS+ millimetres
 * (NIfTI-1 standard, "method 2"; nibabel `Nifti1Header.get_qform` / `set_qform`).
 */
export interface QformParams {
  /** Quaternion components `b, c, d`; `a = √(1 − b² − c² − d²)` is implied (a ≥ 0). */
  quaternB: number;
  quaternC: number;
  quaternD: number;
  /** `qoffset_x, qoffset_y, qoffset_z`, millimetres. */
  qoffset: [number, number, number];
  /** `pixdim[1..3]`, millimetres (absolute values are used). */
  pixdim: [number, number, number];
  /** `pixdim[0]`: −1 flips the k axis (left-handed voxel grid), otherwise 1. */
  qfac: -1 | 1;
}

/** Result of {@link affineToQform}: the qform fields plus whether shear had to be dropped. */
export interface AffineToQformResult extends QformParams {
  /** True when the affine's 3×3 part was not a rotation times a diagonal (shear): the nearest rotation was stored. */
  sheared: boolean;
}

/**
 * qform fields → voxel→RAS affine.
 *
 * The quaternion is completed as nibabel's `fillpositive` does (`a = 0` when `b² + c² + d²` reaches 1) and
 * turned into a matrix with nibabel's `quat2mat`, which renormalises it; nibabel computes in float32 while
 * this works in float64, so the two agree to ~1e-7 relative.
 *
 * @returns row-major 4×4 `Float64Array(16)`, millimetres.
 */
export function qformToAffine(q: QformParams): Float64Array {
  const { quaternB: b, quaternC: c, quaternD: d } = q;
  const w2 = 1 - (b * b + c * c + d * d);
  // b, c, d are float32 on disk, so a 180° rotation can land just past the unit sphere: treat as a = 0.
  const a = w2 > 0 ? Math.sqrt(w2) : 0;
  const nq = a * a + b * b + c * c + d * d;
  const s = nq > 0 ? 2 / nq : 0;
  const [X, Y, Z] = [b * s, c * s, d * s];
  const [wX, wY, wZ] = [a * X, a * Y, a * Z];
  const [xX, xY, xZ] = [b * X, b * Y, b * Z];
  const [yY, yZ, zZ] = [c * Y, c * Z, d * Z];
  const r = [
    [1 - (yY + zZ), xY - wZ, xZ + wY],
    [xY + wZ, 1 - (xX + zZ), yZ - wX],
    [xZ - wY, yZ + wX, 1 - (xX + yY)],
  ];
  const scale = [Math.abs(q.pixdim[0]), Math.abs(q.pixdim[1]), Math.abs(q.pixdim[2]) * (q.qfac < 0 ? -1 : 1)];
  const out = new Float64Array(16);
  for (let row = 0; row < 3; row++) {
    for (let col = 0; col < 3; col++) out[row * 4 + col] = r[row][col] * scale[col];
    out[row * 4 + 3] = q.qoffset[row];
  }
  out[15] = 1;
  return out;
}

/**
 * Voxel→RAS affine → qform fields, as nibabel's `Nifti1Header.set_qform(affine, strip_shears=True)` does:
 * `pixdim` = column norms, `qfac` = −1 when the 3×3 part has a negative determinant (then the third column
 * is flipped), the rotation = orthogonal polar factor of the normalised 3×3 part, and the quaternion is
 * taken with `a ≥ 0`.
 *
 * A qform cannot hold shear (or non-orthogonal axes). When the affine has some, the nearest rotation in
 * the Frobenius sense (the polar factor, what nibabel's SVD gives) is stored and `sheared` is set: the sform
 * still carries the exact affine, and readers prefer the sform.
 *
 * @param affine - row-major 4×4 (16 numbers), voxel → millimetres.
 * @throws RangeError when a column of the 3×3 part is zero (a singular affine has no qform).
 */
export function affineToQform(affine: ArrayLike<number>): AffineToQformResult {
  const m = [0, 1, 2].map((row) => [0, 1, 2].map((col) => affine[row * 4 + col]));
  const zooms = [0, 1, 2].map((col) => Math.hypot(m[0][col], m[1][col], m[2][col])) as [number, number, number];
  if (!zooms.every((z) => z > 0 && Number.isFinite(z))) {
    throw new RangeError(`affineToQform: column norms of the affine are ${zooms.join(', ')}, expected three positive finite numbers`);
  }
  const r = m.map((row) => row.map((v, col) => v / zooms[col]));
  let qfac: -1 | 1 = 1;
  if (det3(r) < 0) {
    qfac = -1;
    for (let row = 0; row < 3; row++) r[row][2] = -r[row][2];
  }
  const p = polarRotation(r);
  const sheared = !r.every((row, i) => row.every((v, j) => Math.abs(v - p[i][j]) <= 1e-8 + 1e-5 * Math.abs(p[i][j])));
  const [, b, c, d] = rotationToQuaternion(p);
  return {
    quaternB: b,
    quaternC: c,
    quaternD: d,
    qoffset: [affine[3], affine[7], affine[11]],
    pixdim: zooms,
    qfac,
    sheared,
  };
}

function det3(m: number[][]): number {
  return (
    m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
    m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
    m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
  );
}

/**
 * Orthogonal polar factor of a 3×3 matrix with positive determinant, by Newton's iteration
 * `X ← (X + X⁻ᵀ) / 2`, which converges quadratically to the same rotation as `U·Vᵀ` from the SVD.
 */
function polarRotation(m: number[][]): number[][] {
  let x = m.map((row) => row.slice());
  for (let iter = 0; iter < 100; iter++) {
    const inv = invTranspose3(x);
    const next = x.map((row, i) => row.map((v, j) => (v + inv[i][j]) / 2));
    let delta = 0;
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) delta = Math.max(delta, Math.abs(next[i][j] - x[i][j]));
    x = next;
    if (delta < 1e-15) break;
  }
  return x;
}

function invTranspose3(m: number[][]): number[][] {
  const det = det3(m);
  // The cofactor matrix divided by the determinant is exactly the inverse transpose.
  const cof = (r0: number, r1: number, c0: number, c1: number) => m[r0][c0] * m[r1][c1] - m[r0][c1] * m[r1][c0];
  return [
    [cof(1, 2, 1, 2) / det, -cof(1, 2, 0, 2) / det, cof(1, 2, 0, 1) / det],
    [-cof(0, 2, 1, 2) / det, cof(0, 2, 0, 2) / det, -cof(0, 2, 0, 1) / det],
    [cof(0, 1, 1, 2) / det, -cof(0, 1, 0, 2) / det, cof(0, 1, 0, 1) / det],
  ];
}

/**
 * Rotation matrix → unit quaternion `[a, b, c, d]` with `a ≥ 0` (Shepperd's method: divide by the largest
 * of the four candidate magnitudes, so no cancellation). On an exact rotation it equals nibabel's `mat2quat`.
 */
function rotationToQuaternion(r: number[][]): [number, number, number, number] {
  const trace = r[0][0] + r[1][1] + r[2][2];
  let q: [number, number, number, number];
  if (trace >= r[0][0] && trace >= r[1][1] && trace >= r[2][2]) {
    const s = 2 * Math.sqrt(1 + trace);
    q = [s / 4, (r[2][1] - r[1][2]) / s, (r[0][2] - r[2][0]) / s, (r[1][0] - r[0][1]) / s];
  } else if (r[0][0] >= r[1][1] && r[0][0] >= r[2][2]) {
    const s = 2 * Math.sqrt(1 + r[0][0] - r[1][1] - r[2][2]);
    q = [(r[2][1] - r[1][2]) / s, s / 4, (r[0][1] + r[1][0]) / s, (r[0][2] + r[2][0]) / s];
  } else if (r[1][1] >= r[2][2]) {
    const s = 2 * Math.sqrt(1 + r[1][1] - r[0][0] - r[2][2]);
    q = [(r[0][2] - r[2][0]) / s, (r[0][1] + r[1][0]) / s, s / 4, (r[1][2] + r[2][1]) / s];
  } else {
    const s = 2 * Math.sqrt(1 + r[2][2] - r[0][0] - r[1][1]);
    q = [(r[1][0] - r[0][1]) / s, (r[0][2] + r[2][0]) / s, (r[1][2] + r[2][1]) / s, s / 4];
  }
  const norm = Math.hypot(...q);
  const sign = q[0] < 0 ? -1 : 1;
  return q.map((v) => (sign * v) / norm) as [number, number, number, number];
}
