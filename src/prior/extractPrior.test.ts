import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeVolume } from '../volume/Volume.js';
import { writeNiftiFile } from '../volume/niftiFile.js';
import { AdjacencyPrior } from './AdjacencyPrior.js';
import { countAdjacency } from './countAdjacency.js';
import { extractPrior } from './extractPrior.js';

describe('extractPrior', () => {
  let dir: string;
  const files: string[] = [];
  // Three 4×3×2 exams with different label ranges (max 2, 4 and 3), one with ignored voxels.
  const volumes = [
    Uint8Array.from({ length: 24 }, (_, v) => v % 3),
    Uint8Array.from({ length: 24 }, (_, v) => (v * 7) % 5),
    Int16Array.from({ length: 24 }, (_, v) => (v % 4 === 0 ? -1 : v % 4)),
  ];
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'nonadj-prior-'));
    for (const [i, data] of volumes.entries()) {
      const file = path.join(dir, `e${i}.nii.gz`);
      await writeNiftiFile(file, makeVolume([4, 3, 2], data, { spacingMm: [1, 1, 2] }), { kind: 'labels' });
      files.push(file);
    }
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const exams = () => files.map((file, i) => ({ id: `e${i}`, file }));

  test('sums exact per-exam counts; L inferred from the largest label of any exam', async () => {
    const { prior, numLabels, numLabelsInferred, emptyLabels } = await extractPrior(exams(), { threads: 1, connectivity: 18 });
    assert.equal(numLabels, 5);
    assert.ok(numLabelsInferred);
    assert.deepEqual(emptyLabels, []);
    const expected = new Float64Array(25);
    for (const data of volumes) {
      const { numLabels: l, counts } = countAdjacency(data, [4, 3, 2], { connectivity: 18 });
      for (let i = 0; i < l; i++) for (let j = 0; j < l; j++) expected[i * 5 + j] += counts[i * l + j];
    }
    assert.deepEqual([...prior.counts], [...expected]);
    assert.deepEqual(prior.exams.map((e) => [e.id, e.dims, e.spacingMm]), [
      ['e0', [4, 3, 2], [1, 1, 2]],
      ['e1', [4, 3, 2], [1, 1, 2]],
      ['e2', [4, 3, 2], [1, 1, 2]],
    ]);
  });

  test('worker threads give the same prior and report every exam', async () => {
    const seen: string[] = [];
    const one = await extractPrior(exams(), { threads: 1, numLabels: 6 });
    const two = await extractPrior(exams(), { threads: 2, numLabels: 6, onExamDone: (e, done, total) => seen.push(`${e.id} ${done}/${total}`) });
    assert.deepEqual([...two.prior.counts], [...one.prior.counts]);
    assert.deepEqual(two.emptyLabels, [5]);
    assert.equal(seen.length, 3);
    assert.deepEqual(seen.map((s) => s.split(' ')[1]), ['1/3', '2/3', '3/3']);
  });

  test('a bad exam stops extraction with its file name, on workers too', async () => {
    const bad = path.join(dir, 'bad.nii.gz');
    await writeFile(bad, 'not nifti');
    for (const threads of [1, 2]) {
      await assert.rejects(extractPrior([...exams(), { id: 'bad', file: bad }], { threads }), (e: Error) => e.message.includes(bad));
      await assert.rejects(extractPrior(exams(), { threads, numLabels: 3 }), /e[12]\.nii\.gz: unexpected labels? 3 \(\d+ voxels\)/);
    }
  });

  test('--min-exams k: a pair is allowed when it touches in at least k exams, recorded in the prior', async () => {
    const perExam = volumes.map((data) => countAdjacency(data, [4, 3, 2], { numLabels: 5 }).counts);
    const one = await extractPrior(exams(), { threads: 1, numLabels: 5 });
    for (const k of [1, 2, 3]) {
      const { prior, pairsBelowMinExams } = await extractPrior(exams(), { threads: 1, numLabels: 5, minExams: k });
      assert.equal(prior.minExams, k);
      let dropped = 0;
      for (let i = 0; i < 5; i++) {
        for (let j = 0; j < 5; j++) {
          const seenIn = perExam.filter((c) => c[i * 5 + j] > 0).length;
          // Allowed pairs keep their full count; rarer ones are 0.
          assert.equal(prior.count(i, j), seenIn >= k ? one.prior.count(i, j) : 0, `k ${k}, pair (${i}, ${j}) seen in ${seenIn}`);
          if (i <= j && seenIn > 0 && seenIn < k) dropped++;
        }
      }
      assert.equal(pairsBelowMinExams, dropped);
      const json = prior.toJson();
      assert.equal(json.minExams, k === 1 ? undefined : k);
      assert.equal(AdjacencyPrior.parseJson(JSON.stringify(json)).minExams, k);
    }
    // Some pair of these volumes touches in exactly one or two exams, or the loop above tests nothing.
    assert.ok((await extractPrior(exams(), { threads: 1, minExams: 3 })).pairsBelowMinExams > 0);
    await assert.rejects(extractPrior(exams(), { minExams: 4 }), /min-exams is 4 but there are 3 exam\(s\)/);
    await assert.rejects(extractPrior(exams(), { minExams: 0 }), /min-exams is 0, expected a positive integer/);
  });
});

