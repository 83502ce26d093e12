/**
 * Smallest Jacobian determinant of `x ↦ x + u(x)` on a grid, with `u` in voxels (central differences inside,
 * one-sided at the borders).
 *
 * @param u - 3 components, x fastest.
 * @param dims - grid size.
 */
export function minJacobianOf(u: readonly [ArrayLike<number>, ArrayLike<number>, ArrayLike<number>], dims: readonly [number, number, number]): number {
  const [nx, ny, nz] = dims;
  const strides = [1, nx, nx * ny];
  let min = Infinity;
  const J = new Float64Array(9);
  for (let z = 0, v = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, v++) {
        const pos = [x, y, z];
        for (let ax = 0; ax < 3; ax++) {
          const m = pos[ax] > 0 ? v - strides[ax] : v;
          const p = pos[ax] < dims[ax] - 1 ? v + strides[ax] : v;
          const h = (p - m) / strides[ax];
          for (let c = 0; c < 3; c++) J[c * 3 + ax] = (h > 0 ? (u[c][p] - u[c][m]) / h : 0) + (c === ax ? 1 : 0);
        }
        const det = J[0] * (J[4] * J[8] - J[5] * J[7]) - J[1] * (J[3] * J[8] - J[5] * J[6]) + J[2] * (J[3] * J[7] - J[4] * J[6]);
        if (det < min) min = det;
      }
    }
  }
  return min;
}
