/**
 * Parse an MRIcron / ImageJ binary colour table (`.lut`, as `data/aal.nii.lut`): exactly 768 bytes, the 256 red
 * values, then the 256 green, then the 256 blue (planar, not interleaved). Entry `i` colours voxel value `i`.
 *
 * @param bytes - the file contents.
 * @param source - file name for error messages.
 * @returns a map from index 0..255 to `[r, g, b]` in 0..255.
 * @throws RangeError when the length is not 768 bytes.
 * @example parseMricronLut(await readFile('data/aal.nii.lut')).get(3); // [203, 149, 149]
 */
export function parseMricronLut(bytes: Uint8Array, source = 'colour table'): Map<number, [number, number, number]> {
  if (bytes.length !== 768) {
    throw new RangeError(`parseMricronLut: ${source} has ${bytes.length} bytes, expected 768 (an MRIcron .lut: 256 red, 256 green, 256 blue)`);
  }
  const out = new Map<number, [number, number, number]>();
  for (let i = 0; i < 256; i++) out.set(i, [bytes[i], bytes[256 + i], bytes[512 + i]]);
  return out;
}
