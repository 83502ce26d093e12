import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { parseMricronLut } from './parseMricronLut.js';

test('planar layout: entry i is (bytes[i], bytes[256 + i], bytes[512 + i])', () => {
  const bytes = new Uint8Array(768);
  bytes[5] = 10; // red of 5
  bytes[256 + 5] = 20; // green of 5
  bytes[512 + 5] = 30; // blue of 5
  bytes[255] = 7;
  const lut = parseMricronLut(bytes);
  assert.equal(lut.size, 256);
  assert.deepEqual(lut.get(5), [10, 20, 30]);
  assert.deepEqual(lut.get(255), [7, 0, 0]);
});

test('the bundled AAL table: left and right halves of a structure share a colour', async () => {
  const lut = parseMricronLut(await readFile(new URL('../../data/aal.nii.lut', import.meta.url)), 'aal.nii.lut');
  // Codes 3 / 4 are Frontal_Sup_L / _R (aal.nii.txt); MRIcron colours both halves alike.
  assert.deepEqual(lut.get(3), [203, 149, 149]);
  assert.deepEqual(lut.get(4), lut.get(3));
});

test('a file of another length is refused with its name and size', () => {
  assert.throws(() => parseMricronLut(new Uint8Array(767), 'x.lut'), /parseMricronLut: x\.lut has 767 bytes, expected 768/);
});
