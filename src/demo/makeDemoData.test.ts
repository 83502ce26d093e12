import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { countAdjacency } from '../prior/countAdjacency.js';
import { readNiftiFile } from '../volume/niftiFile.js';
import { makeDemoData } from './makeDemoData.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'nonadj-demo-data-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('makeDemoData', () => {
  test('disjoint subjects per set; the prior counts the training label maps only; unlabelled pools have no labels', { timeout: 120_000 }, async () => {
    const data = await makeDemoData({
      dir: tmp, root, atlas: 'aal', labels: 'regions', downsample: 2, seed: 3, cohort: 'varied',
      sizes: { train: 2, val: 1, 'unseen-val': 1, test: 1, 'unseen-test': 1, 'unseen-train': 1, 'unlabelled-train': 1 },
    });
    const seeds = data.subjects.map((s) => s.seed);
    assert.equal(new Set(seeds).size, seeds.length, `subject seeds ${seeds.join(', ')}`);
    assert.equal(data.subjects.length, 8);
    for (const s of data.subjects) {
      const unlabelled = s.set === 'unseen-train' || s.set === 'unlabelled-train';
      assert.equal(s.label === undefined, unlabelled, `${s.set}/${s.id}`);
      assert.equal(existsSync(path.join(tmp, s.set, s.id, 'prepro_seg_mni.nii.gz')), !unlabelled, `${s.set}/${s.id}`);
    }
    // The prior is the sum of the two training maps' counts, and would differ with a held-out map added.
    const L = data.prior.numLabels;
    const sum = new Float64Array(L * L);
    const add = async (file: string, into: Float64Array) => {
      const v = await readNiftiFile(file, { expect: '3d' });
      const c = countAdjacency(v.data, v.dims as [number, number, number], { numLabels: L }).counts;
      for (let k = 0; k < into.length; k++) into[k] += c[k];
    };
    for (const s of data.subjects.filter((x) => x.set === 'train')) await add(s.label!, sum);
    assert.deepEqual(Array.from(data.prior.counts), Array.from(sum));
    const withTest = Float64Array.from(sum);
    await add(data.subjects.find((x) => x.set === 'test')!.label!, withTest);
    assert.notDeepEqual(Array.from(withTest), Array.from(sum));
  });
});
