import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { readNiftiFile } from '../volume/niftiFile.js';
import { makeVolume } from '../volume/Volume.js';
import { A2009S_CODES, relabelToA2009s } from './relabelToA2009s.js';

describe('relabelToA2009s', () => {
  test('the code set: 190 distinct codes, aseg then 11101–11175, 12101–12175, 14175', () => {
    assert.equal(A2009S_CODES.length, 190);
    assert.equal(new Set(A2009S_CODES).size, 190);
    assert.deepEqual([A2009S_CODES[39], A2009S_CODES[113], A2009S_CODES[114], A2009S_CODES[189]], [11101, 11175, 12101, 14175]);
  });

  test('parts by (label, third of j): a 1×3×1 column of label 5 and one of label 2', () => {
    // ny = 3: j = 0, 1, 2 fall in thirds 0, 1, 2. Parts in (label, third) order: (2,0) (2,1) (5,0) (5,1) (5,2).
    const v = makeVolume([2, 3, 1], Uint8Array.from([5, 2, 5, 2, 5, 0]));
    assert.deepEqual([...relabelToA2009s(v).data], [A2009S_CODES[2], A2009S_CODES[0], A2009S_CODES[3], A2009S_CODES[1], A2009S_CODES[4], 0]);
  });

  test('from the bundled AAL: all 190 codes (plus background), the largest 14175, same zero voxels', async () => {
    const aal = await readNiftiFile(path.join(import.meta.dirname, '..', '..', 'data', 'aal.nii.gz'));
    const out = relabelToA2009s(aal);
    const codes = new Set(out.data);
    assert.equal(codes.size, 191);
    assert.equal(Math.max(...codes), 14175);
    for (let v = 0; v < out.data.length; v++) if ((out.data[v] === 0) !== (aal.data[v] === 0)) assert.fail(`voxel ${v}`);
  });
});
