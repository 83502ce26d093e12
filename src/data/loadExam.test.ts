import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { memoryLoader, volumeFrom } from '../../test/helpers/trainingDataFixtures.js';
import { makeVolume } from '../volume/Volume.js';
import { loadExam } from './loadExam.js';

describe('loadExam', () => {
  const image = volumeFrom([3, 2, 2], (i) => i);
  test('reads both volumes, or the image only', async () => {
    const label = volumeFrom([3, 2, 2], (i) => i, Uint8Array);
    const { load, reads } = memoryLoader(new Map([['im', image], ['lab', label]]));
    const both = await loadExam({ id: 'e1', image: 'im', label: 'lab' }, { load });
    assert.equal(both.labels, label);
    const only = await loadExam({ id: 'e1', image: 'im', label: 'lab' }, { load, read: 'image' });
    assert.equal(only.labels, null);
    assert.deepEqual(reads, ['im', 'lab', 'im']);
  });

  test('grid mismatch names the exam and both files', async () => {
    const small = volumeFrom([3, 2, 1], () => 0, Uint8Array);
    const shifted = makeVolume([3, 2, 2], new Uint8Array(12), { affine: [1, 0, 0, 0.5, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1] });
    const { load } = memoryLoader(new Map([['im', image], ['small', small], ['shifted', shifted]]));
    await assert.rejects(loadExam({ id: 'sub-07', image: 'im', label: 'small' }, { load }), /loadExam: exam sub-07: image im is 3×2×2 but label map small is 3×2×1; expected the same grid/);
    await assert.rejects(loadExam({ id: 'sub-08', image: 'im', label: 'shifted' }, { load }), /exam sub-08: image im and label map shifted have different voxel→world affines \(differ by up to 0\.500 mm\)/);
  });

  test('a label map that is not one, and a missing file', async () => {
    const { load } = memoryLoader(new Map([['im', image], ['float', volumeFrom([3, 2, 2], (i) => i / 2)]]));
    await assert.rejects(loadExam({ id: 'e2', image: 'im', label: 'float' }, { load }), /loadExam: exam e2: float: voxel 1 holds 0\.5, expected an integer label/);
    await assert.rejects(loadExam({ id: 'e3', image: 'gone', label: 'float' }, { load }), /cannot read gone/);
  });
});
