/**
 * The three-letter orientation of a voxel → RAS affine, as nibabel's `aff2axcodes`: for each voxel axis i, j, k,
 * the world direction it points to most (`R`/`L`, `A`/`P`, `S`/`I`). For example `'RAS'` for an identity affine,
 * `'LIA'` for FreeSurfer's conformed space. An oblique affine gets its nearest orientation, each world axis used
 * once (greedy by largest cosine, as nibabel's `io_orientation`).
 *
 * @param affine - row-major 4×4 (16 numbers).
 */
export function orientationCode(affine: ArrayLike<number>): string {
  const letters = [['R', 'L'], ['A', 'P'], ['S', 'I']];
  const cols = [0, 1, 2].map((c) => {
    const v = [affine[c], affine[4 + c], affine[8 + c]];
    const n = Math.hypot(...v) || 1;
    return v.map((x) => x / n);
  });
  const code: string[] = ['?', '?', '?'];
  const usedRow = new Set<number>();
  const usedCol = new Set<number>();
  for (let step = 0; step < 3; step++) {
    let best = { r: -1, c: -1, v: -1 };
    for (let c = 0; c < 3; c++) {
      if (usedCol.has(c)) continue;
      for (let r = 0; r < 3; r++) {
        if (!usedRow.has(r) && Math.abs(cols[c][r]) > best.v) best = { r, c, v: Math.abs(cols[c][r]) };
      }
    }
    usedRow.add(best.r);
    usedCol.add(best.c);
    code[best.c] = letters[best.r][cols[best.c][best.r] >= 0 ? 0 : 1];
  }
  return code.join('');
}
