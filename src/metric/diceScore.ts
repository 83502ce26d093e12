/**
 * Dice overlap of one label between two label maps: `2·|P ∩ T| / (|P| + |T|)`, with P the voxels labelled
 * `label` in `prediction` and T those in `truth`.
 *
 * @param prediction - label map, any layout, same length as `truth`.
 * @param truth - reference label map.
 * @param label - the label code compared.
 * @returns a number in `[0, 1]`: 0 when the label is in only one of the maps; null when it is in neither
 *   (Dice is undefined; MONAI returns NaN there with `ignore_empty`).
 * @throws RangeError when the lengths differ.
 * @example diceScore([1, 1, 0, 0], [1, 0, 0, 0], 1) === 2 / 3
 */
export function diceScore(prediction: ArrayLike<number>, truth: ArrayLike<number>, label: number): number | null {
  if (prediction.length !== truth.length) {
    throw new RangeError(`diceScore: prediction has ${prediction.length} voxels and truth ${truth.length}, expected the same number`);
  }
  let p = 0;
  let t = 0;
  let both = 0;
  for (let v = 0; v < truth.length; v++) {
    const inP = prediction[v] === label;
    const inT = truth[v] === label;
    if (inP) p++;
    if (inT) t++;
    if (inP && inT) both++;
  }
  return p + t === 0 ? null : (2 * both) / (p + t);
}
