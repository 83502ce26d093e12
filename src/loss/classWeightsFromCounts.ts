/**
 * Median-frequency class weights (the reference's cross-entropy weights, after Eigen & Fergus 2015):
 * `w_c = median class volume / volume of class c`, the median taken over the classes that occur (count > 0; the
 * mean of the two middle values for an even number of them). A class with no voxel gets weight 0: it never occurs
 * in the training labels, so it has no cross-entropy term to weigh, and 0 keeps the weights finite.
 *
 * @param voxelCountsPerClass - length C, voxels (or pixels) of each class over the training labels; ≥ 0.
 * @returns length C, unitless (the median class gets 1, rarer classes more, frequent ones less).
 * @throws RangeError when a count is negative or non-finite, or no class occurs.
 * @example
 * classWeightsFromCounts([100, 10, 0, 40]); // median of [100, 10, 40] = 40 → [0.4, 4, 0, 1]
 */
export function classWeightsFromCounts(voxelCountsPerClass: ArrayLike<number>): Float32Array {
  const counts = Array.from(voxelCountsPerClass);
  counts.forEach((n, c) => {
    if (!(n >= 0) || !Number.isFinite(n)) throw new RangeError(`classWeightsFromCounts: count of class ${c} is ${n}, expected a finite number ≥ 0`);
  });
  const present = counts.filter((n) => n > 0).sort((a, b) => a - b);
  if (present.length === 0) throw new RangeError(`classWeightsFromCounts: none of the ${counts.length} classes has a voxel`);
  const m = present.length >> 1;
  const median = present.length % 2 ? present[m] : (present[m - 1] + present[m]) / 2;
  return Float32Array.from(counts, (n) => (n > 0 ? median / n : 0));
}
